"benchmarks/attentive_probe_cost.py must run and print one row per token count and form, and their ratio (timings are never asserted)."
import sys
import warm
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_attentive_probe_cost_smoke():
    r = warm.run([sys.executable, ROOT/'benchmarks'/'attentive_probe_cost.py', '--n', '60', '--n-test', '20',
                  '--dim', '8', '--tokens', '5', '3', '--epochs', '1', '--grid', 'one', '--forms', 'pool_first', 'textbook'],
                 cwd=ROOT, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    lines = r.stdout.splitlines()[3:]
    rows = [l.split() for l in lines if not l.startswith(' ' * 16)]
    assert [row[:2] for row in rows] == [['5', 'pool_first'], ['5', 'textbook'], ['3', 'pool_first'], ['3', 'textbook']], r.stdout
    assert all(row[3] == '2' for row in rows), r.stdout                     # 1 setting + the refit (seconds are not asserted)
    assert sum('textbook' in l and 'the time of pool_first' in l for l in lines) == 2, r.stdout
