"""The benchmark suite (benchmarks/run.py) must run, and its JSON must have the form the docs page reads; every lever of
benchmarks/prototypes.py must run. Timings are never asserted: only that each figure is there, positive and finite."""
import json, math, sys
import torch
from pathlib import Path
import warm

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
    r = warm.run([sys.executable, ROOT/'benchmarks'/'run.py', '--smoke', '--device', 'cpu', '--out', tmp_path], cwd=ROOT, timeout=600)
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

def test_prototypes(tmp_path):
    "Every lever of benchmarks/prototypes.py trains and is scored; its patches are really in the trained model."
    res = tmp_path/'rows.jsonl'
    for lever in ('none', 'targets-avg', 'multi-mask', 'global', 'hmlp'):
        r = warm.run([sys.executable, ROOT/'benchmarks'/'prototypes.py', f'p_{lever}', lever, '--steps', '2',
                      '--runs', tmp_path, '--results', res, '--eval-images', '256', '128',
                      'data.source=bundled', 'data.limit=256', 'batch_size=32'],
                     cwd=ROOT, timeout=300)
        assert r.returncode == 0, r.stderr[-3000:]
    rows = [json.loads(l) for l in res.read_text().splitlines()]
    assert [r['lever'] for r in rows] == ['none', 'targets-avg', 'multi-mask', 'global', 'hmlp']
    assert all(r['steps'] == 2 and 0 <= r['scores']['avg']['knn'] <= 1 for r in rows)
    state = lambda lever: torch.load(sorted((tmp_path/f'p_{lever}').glob('ckpt_*.pt'))[-1], weights_only=True)['model_state_dict']
    assert 'global_token' in state('global') and 'global_token' not in state('none')
    assert 'context_encoder.patch_embed.proj.2.weight' in state('hmlp')

def test_hmlp_stays_inside_patches():
    "The hmlp lever's nonlinear embedding: changing one patch's pixels changes that patch's token and no other."
    sys.path.insert(0, str(ROOT/'benchmarks'))
    import prototypes
    from hjepa.config import TrainConfig, apply_overrides
    m = prototypes.build_hmlp(apply_overrides(TrainConfig(), ['model.depth=1']))
    x = torch.randn(2, 1, 28, 28); y = x.clone(); y[:, :, 8:12, 12:16] += 1.   # patch (row 2, col 3) = token 17
    d = (m.context_encoder.patch_embed(x) - m.context_encoder.patch_embed(y)).abs().amax((0, 2))
    assert d[17] > 0 and d[torch.arange(49) != 17].max() == 0
