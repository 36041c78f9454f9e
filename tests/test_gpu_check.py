"""The prepared GPU check (benchmarks/gpu_check.py) must at least run: smoke mode on the CPU."""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_gpu_check_smoke(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'gpu_check.py'), '--smoke', '--device', 'cpu',
                        '--out', str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    rep = json.loads((tmp_path/'gpu_check.json').read_text())
    assert all(f['ok'] for f in rep['flash'])
    rows = {r['run']: r for r in rep['train']['rows']}
    assert {'hjepa 1 level, fp32', 'hjepa 3 levels, fp32', 'hjepa 3 levels, fp32, compiled',
            'hjepa 3 levels, fp32, collator masks'} <= set(rows)
    assert all(r['finite'] and r['step_ms'] > 0 and r['gflop'] > 0 for r in rows.values())

def test_step_bench_smoke(tmp_path):
    "The side-by-side step benchmark runs (hjepa only: the official code is not part of the repository)."
    r = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'step_bench.py'), '--preset', 'smoke', '--out', str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    rep = json.loads((tmp_path/'step_bench.json').read_text())
    assert {'hjepa 1 level', 'hjepa 3 levels', 'hjepa 3 levels, collator masks'} == {r['run'] for r in rep['rows']}
    assert all(r['step_ms'] > 0 and r['vs_official'] is None for r in rep['rows'])
