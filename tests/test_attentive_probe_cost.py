"benchmarks/attentive_probe_cost.py must run and print one row per token count (timings are never asserted)."
import sys
import warm
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_attentive_probe_cost_smoke():
    r = warm.run([sys.executable, ROOT/'benchmarks'/'attentive_probe_cost.py', '--n', '60', '--n-test', '20',
                  '--dim', '8', '--tokens', '5', '3', '--epochs', '1', '--grid', 'one'], cwd=ROOT, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    rows = [l.split() for l in r.stdout.splitlines()[3:]]
    assert [row[0] for row in rows] == ['5', '3'], r.stdout
    assert all(row[2] == '2' for row in rows), r.stdout                     # 1 setting + the refit (seconds are not asserted)
