"""The attentive-probe lab scripts run on a checkpoint (a tiny one here) and print one row per probe; timings and
accuracies are never asserted."""
import re, sys
from pathlib import Path
import warm
from test_cli import TINY, run

ROOT = Path(__file__).resolve().parents[1]

def test_attentive_lab_scripts(tmp_path):
    out = tmp_path/'run'
    rc, log = run('hjepa_train', *TINY, 'max_steps=1', 'eval.final_eval=False', 'eval.eval_every=0', f'out_dir={out}')
    assert rc == 0, log[-3000:]
    r = warm.run([sys.executable, ROOT/'benchmarks'/'attentive_levels.py', '--checkpoint', out, '--n', '64', '--n-test', '32',
                  '--levels', '1', '2'], cwd=ROOT, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    rows = re.findall(r'^(level 1 cells|level 2 cells|patch tokens)\s+(\d+) x 32\s', r.stdout, re.M)
    assert rows == [('level 1 cells', '16'), ('level 2 cells', '4'), ('patch tokens', '49')], r.stdout
    r = warm.run([sys.executable, ROOT/'benchmarks'/'attentive_variants.py', '--checkpoint', out, '--n', '64', '--n-test', '32'],
                 cwd=ROOT, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert len(re.findall(r'^\d+ heads, .*\d%\s+\d+(\.\d)?%\s+\d+ s$', r.stdout, re.M)) == 6, r.stdout
    r = warm.run([sys.executable, ROOT/'benchmarks'/'attentive_capacity.py', '--checkpoint', out, '--n', '64', '--n-test', '32'],
                 cwd=ROOT, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    assert re.findall(r'^(\d query|\d queries), (\d+) epochs\s', r.stdout, re.M) == [('1 query', '10'), ('1 query', '20'), ('4 queries', '10')], r.stdout
