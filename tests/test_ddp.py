"""torchrun with PyTorch DDP on CPU (gloo): 2 processes with batch b each = 1 process with batch 2b, and an
interrupted 2-process run resumes exactly."""
import json, os, subprocess, sys
from pathlib import Path
import pytest, torch
import warm

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT/'tests'/'ddp_train.py'

def launch(out_dir, batch, nproc=1, stop_after=None):
    pre = [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={nproc}'] if nproc > 1 else [sys.executable]
    tmp = Path(out_dir).parent/'tmp'; tmp.mkdir(exist_ok=True)     # torchrun's log folders: here, not in /tmp
    argv = pre + [str(SCRIPT), str(out_dir), str(batch)] + ([str(stop_after)] if stop_after else [])
    kw = dict(cwd=ROOT, timeout=600, env={**os.environ, 'TMPDIR': str(tmp)})
    r = warm.run(argv, **kw) if nproc == 1 else subprocess.run(argv, capture_output=True, text=True, **kw)   # torchrun: a plain start
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]

def losses(out_dir): return [r['loss'] for r in map(json.loads, (Path(out_dir)/'metrics.jsonl').read_text().splitlines())
                             if r['kind'] == 'train']

def weights(out_dir, step=6):
    return torch.load(Path(out_dir)/f'ckpt_{step:07d}.pt', weights_only=True)['model_state_dict']

@pytest.fixture(scope='module')
def two(tmp_path_factory):
    "A whole 2-process run with batch 8 each (both tests compare with it)."
    out = tmp_path_factory.mktemp('ddp')/'two'
    launch(out, 8, nproc=2)
    return out

def test_two_processes_equal_one(tmp_path, two):
    launch(tmp_path/'one', 16)
    a, b = losses(tmp_path/'one'), losses(two)
    assert len(a) == len(b) == 6
    assert all(abs(x - y) <= 1e-5 * max(1, abs(x)) for x, y in zip(a, b)), (a, b)
    wa, wb = weights(tmp_path/'one'), weights(two)
    assert all(torch.allclose(wa[k], wb[k], atol=1e-5, rtol=1e-4) for k in wa), \
        max((wa[k] - wb[k]).abs().max().item() for k in wa)
    assert not (two/'metrics.jsonl.tmp').exists()

def test_ddp_resume(tmp_path, two):
    launch(tmp_path/'cut', 8, nproc=2, stop_after=3)                    # stopped after step 3, as an interruption
    assert (tmp_path/'cut'/'ckpt_0000003.pt').exists() and not (tmp_path/'cut'/'ckpt_0000006.pt').exists()
    launch(tmp_path/'cut', 8, nproc=2)                                  # resumed by both ranks from rank 0's checkpoint
    assert losses(tmp_path/'cut') == losses(two)
    wa, wb = weights(two), weights(tmp_path/'cut')
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
