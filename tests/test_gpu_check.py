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
    assert rep['train']['fp32']['finite'] and len(rep['train']['fp32']['losses']) == 3
    assert rep['train']['ratio_3_vs_1_level'] > 0
