"""The prepared GPU check (benchmarks/gpu_check.py) must at least run: smoke mode on the CPU."""
import json, sys
import warm
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def run_script(script:str, out:Path, *args)->dict:
    "Run benchmarks/`script` with `args` and `--out out`; it must succeed; its JSON report (named after the script)."
    r = warm.run([sys.executable, ROOT/'benchmarks'/script, *args, '--out', out], cwd=ROOT, timeout=300)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    return json.loads((out/script.replace('.py', '.json')).read_text())

def test_gpu_check_smoke(tmp_path):
    rep = run_script('gpu_check.py', tmp_path, '--smoke', '--device', 'cpu')
    assert all(f['ok'] for f in rep['flash'])
    rows = {r['run']: r for r in rep['train']['rows']}
    assert {'hjepa 1 level, fp32', 'hjepa 3 levels, fp32', 'hjepa 3 levels, fp32, compiled',
            'hjepa 3 levels, fp32, collator masks'} <= set(rows)
    assert all(r['finite'] and r['step_ms'] > 0 and r['gflop'] > 0 for r in rows.values())

def test_step_bench_smoke(tmp_path):
    "The side-by-side step benchmark runs (hjepa only: the official code is not part of the repository)."
    rep = run_script('step_bench.py', tmp_path, '--preset', 'smoke')
    assert {f'hjepa {n}, {k}{m}' for n in ('1 level', '3 levels') for k in ('sdpa', 'explicit') for m in ('', ', collator masks')
            if not (m and n == '1 level')} == {r['run'] for r in rep['rows']}   # both kernels on a CPU
    assert all(r['step_ms'] > 0 and r['vs_official'] is None for r in rep['rows'])

def test_step_profile_smoke(tmp_path):
    "The per-component and per-op profile of the step runs (hjepa only) and writes every component of every run."
    rep = run_script('step_profile.py', tmp_path, '--preset', 'smoke')
    assert set(rep['components']) == {f'hjepa {n}, {k}' for n in ('1 level', '3 levels') for k in ('sdpa', 'explicit')}
    for c in rep['components'].values():
        assert set(c) == {'teacher', 'context_encoder', 'predictor_loss', 'adamw', 'ema', 'step'} and c['step'] > 0, c
    assert all(g['matrix products'] > 0 for g in rep['op_groups'].values())
