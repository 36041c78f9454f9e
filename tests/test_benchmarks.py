"""The benchmark suite (benchmarks/run.py) must run, and its JSON must have the form the docs page reads.
Timings are never asserted: only that each figure is there, positive and finite."""
import json, math, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _pos(v): return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0

def check_run_json(rep:dict):
    "The schema of benchmarks/run.py's output (also used on the committed results)."
    assert {'info', 'steps', 'collation', 'ema', 'attention'} <= set(rep), sorted(rep)
    assert {'date', 'device', 'device_type', 'torch', 'threads', 'smoke'} <= set(rep['info'])
    assert rep['steps'], 'no training-step rows'
    for r in rep['steps']:
        assert r['levels'] in (1, 3) and isinstance(r['compiled'], bool) and r['config'] in ('tiny', 'small', 'base'), r
        assert all(_pos(r[k]) for k in ('step_ms', 'images_per_s', 'peak_mib', 'batch')), r
    assert {(r['levels'], r['compiled']) for r in rep['steps']} >= {(1, False), (3, False), (3, True)}
    assert all(_pos(rep['collation'][k]) for k in ('masks_ms', 'masks_and_queries_ms', 'official_loops_ms', 'speedup'))
    assert all(_pos(rep['ema'][k]) for k in ('fused_ms', 'loop_ms', 'speedup'))
    assert rep['attention'] and all(_pos(a['sdpa_ms']) and _pos(a['explicit_ms']) for a in rep['attention'])

def test_run_smoke(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT/'benchmarks'/'run.py'), '--smoke', '--device', 'cpu', '--out', str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    rep = json.loads((tmp_path/'run_smoke.json').read_text())
    check_run_json(rep)
    assert rep['info']['smoke'] is True

def test_committed_results():
    "Every committed results/run_*.json (what nbs/13_benchmarks.ipynb shows) is well formed and not a smoke run."
    files = sorted((ROOT/'benchmarks'/'results').glob('run_*.json'))
    assert files, 'no committed benchmark results'
    for f in files:
        rep = json.loads(f.read_text())
        check_run_json(rep)
        assert rep['info']['smoke'] is False, f
