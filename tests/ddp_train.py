"""Run by tests/test_ddp.py under torchrun (and in one process): a tiny training whose losses and weights are compared.

Usage: [torchrun --nproc_per_node N] tests/ddp_train.py OUT_DIR BATCH_SIZE [STOP_AFTER]
"""
import sys, warnings
from hjepa.config import TrainConfig, apply_overrides
from hjepa.train import train
import torch.distributed as dist

out_dir, batch = sys.argv[1], int(sys.argv[2])
stop_after = int(sys.argv[3]) if len(sys.argv) > 3 else None
cfg = apply_overrides(TrainConfig(), [
    f'out_dir={out_dir}', f'batch_size={batch}', 'max_steps=6', 'log_every=1', 'ckpt_every=100', 'device=cpu',
    'data.source=bundled', 'data.limit=128', 'masks.pad_context=True',     # whole contexts: a batch of 2b = two of b
    'model.embed_dim=32', 'model.depth=1', 'model.num_heads=2', 'model.predictor_depth=1',
    'model.predictor_embed_dim=32', 'model.predictor_num_heads=2',
    'eval.eval_every=0', 'eval.monitor_every=0', 'eval.val_batches=0', 'eval.final_eval=False',
    'progress=False', 'live_plot=False', 'plots=False', 'amp_probe=False', 'threads=1'])
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    train(cfg, stop_after=stop_after, log=lambda *a: None)
if dist.is_initialized(): dist.destroy_process_group()
