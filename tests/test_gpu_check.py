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
    assert {f'hjepa {n}, {k}{m}' for n in ('1 level', '3 levels') for k in ('sdpa', 'explicit') for m in ('', ', collator masks')
            if not (m and n == '1 level')} == {r['run'] for r in rep['rows']}   # both kernels on a CPU
    assert all(r['step_ms'] > 0 and r['vs_official'] is None for r in rep['rows'])

def test_step_profile_smoke(tmp_path):
    "The per-component and per-op profile of the step runs (hjepa only) and writes every component of every run."
    r = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'step_profile.py'), '--preset', 'smoke', '--out', str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    rep = json.loads((tmp_path/'step_profile.json').read_text())
    assert set(rep['components']) == {f'hjepa {n}, {k}' for n in ('1 level', '3 levels') for k in ('sdpa', 'explicit')}
    for c in rep['components'].values():
        assert set(c) == {'teacher', 'context_encoder', 'predictor_loss', 'adamw', 'ema', 'step'} and c['step'] > 0, c
    assert all(g['matrix products'] > 0 for g in rep['op_groups'].values())
