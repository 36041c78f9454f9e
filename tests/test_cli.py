"""The main command, as `make train` runs it: `hjepa_train --config configs/fmnist_tiny.yaml key=value ...` trains,
evaluates, and resumes when run again; `hjepa_eval` scores its checkpoint; every file in configs/ is a valid config."""
import os, sys, tempfile
from pathlib import Path
from hjepa.config import TrainConfig, load_config
import warm

ROOT = Path(__file__).resolve().parents[1]
TINY = ['data.source=bundled', 'data.limit=256', 'batch_size=32', 'model.embed_dim=32', 'model.depth=1',
        'model.num_heads=2', 'model.predictor_depth=1', 'model.predictor_embed_dim=32', 'model.predictor_num_heads=2',
        'eval.eval_every=2', 'eval.knn_train=256', 'eval.knn_test=128', 'eval.final_train=512', 'eval.final_test=256',
        'progress=False', 'amp_probe=False']

SCRIPT = "import sys\nfrom hjepa.cli import {cmd}\nsys.argv[0] = {cmd!r}\nsys.exit({cmd}())\n"   # what pip's console script does

def run(cmd, *args, timeout=600):
    "`cmd` (hjepa_train or hjepa_eval) as its console script runs it, from the `hjepa` this test imports."
    with tempfile.TemporaryDirectory() as d:
        script = Path(d)/f'{cmd}.py'; script.write_text(SCRIPT.format(cmd=cmd))
        r = warm.run([sys.executable, str(script), *args], timeout=timeout, cwd=ROOT,
                           env={**os.environ, 'PYTHONPATH': os.pathsep.join(filter(None, [str(ROOT), os.environ.get('PYTHONPATH')]))})
    return r.returncode, r.stdout + r.stderr

def test_configs_valid():
    "Every shipped config loads and validates; the make-train config is exactly the built-in default."
    files = sorted((ROOT/'configs').glob('*.yaml'))
    assert {p.name for p in files} >= {'fmnist_tiny.yaml', 'fmnist_ijepa.yaml', 'vit_b16_224.yaml'}
    cfgs = {p.stem: load_config(p) for p in files}
    assert cfgs['fmnist_tiny'] == TrainConfig()
    assert cfgs['fmnist_ijepa'].model.num_levels == 1
    v = cfgs['vit_b16_224']
    assert (v.model.num_levels, v.model.predictor_depth, v.model.predictor_embed_dim) == (3, 6, 384)
    assert tuple(v.model.hierarchy_weights) == (1.0, 0.7, 0.5) and (v.optim.ema_start, v.optim.ema_end) == (0.996, 1.0)

def test_help():
    rc, out = run('hjepa_train', '--help')
    assert rc == 0 and 'key.sub=value' in out and '--config' in out and '--fresh' in out, out[-3000:]
    rc, out = run('hjepa_eval', '--help')
    assert rc == 0 and '--checkpoint' in out, out[-3000:]

def test_train_resume_eval(tmp_path):
    out_dir = tmp_path/'run'
    args = ['--config', 'configs/fmnist_tiny.yaml', *TINY, 'max_steps=3', f'out_dir={out_dir}']
    rc, out = run('hjepa_train', *args)
    assert rc == 0, out[-4000:]
    assert 'evaluation on' in out and 'raw pixels' in out and 'H-JEPA, avg-pooled' in out, out[-4000:]
    for f in ('ckpt_0000003.pt', 'metrics.jsonl', 'eval.json', 'config.yaml', 'losses.png', 'monitors.png'):
        assert (out_dir/f).exists(), f
    assert load_config(out_dir/'config.yaml').max_steps == 3          # the resolved config loads back
    rc, out = run('hjepa_train', *args)                                # the same command again: resume
    assert rc == 0 and 'resuming from' in out and 'already complete' in out, out[-4000:]
    assert 'evaluation stored in' in out and 'raw pixels' in out, out[-4000:]   # the stored result, not a second evaluation
    rc, out = run('hjepa_eval', '--checkpoint', str(out_dir))          # a run directory: its latest checkpoint
    assert rc == 0 and 'ckpt_0000003.pt: step 3' in out, out[-4000:]
    rc, out = run('hjepa_eval', '--checkpoint', str(out_dir/'ckpt_0000003.pt'))
    assert rc == 0 and 'step 3' in out and 'H-JEPA, avg-pooled' in out, out[-4000:]

def test_bad_input():
    rc, out = run('hjepa_train', 'model.levels=2')
    assert rc != 0 and "unknown key 'model.levels'" in out, out[-3000:]
    rc, out = run('hjepa_eval', '--checkpoint', 'no/such/ckpt.pt')
    assert rc != 0 and 'no such checkpoint file' in out, out[-3000:]
