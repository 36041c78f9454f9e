"""Prototypes of levers that did not become hjepa options (nbs/14_tuning_record.ipynb, "Prototypes").

Each lever patches the model in this process only, or passes its own model or collator to `train` (`model_fn`,
`collator_fn`; hjepa itself is unchanged), trains the default recipe
(`TrainConfig()`, the recipe of configs/fmnist_tiny.yaml) from scratch for `--steps` optimiser steps, with the
schedules ending there, and scores the frozen target encoder on all 60,000 training / 10,000 test images:
average-pooled k-NN, or with `--whole` what `tune_default.py whole` reports (k-NN and linear probe, average-pooled
and on the cells of levels 1 and 2). One JSON line per run is appended to benchmarks/results/prototypes.jsonl.

Usage: python benchmarks/prototypes.py NAME LEVER --steps N [--whole] [--runs DIR] [--results FILE]
                                       [--eval-images TRAIN TEST] [key.sub=value ...]
  LEVER  none         the default itself (the row to compare with)
         targets-avg  data2vec's targets: the average of every teacher block's layer-normed output, not the last
         multi-mask   data2vec 2.0's multi-mask: two mask sets per image share one teacher pass
         global       a whole-image level: the predictor also predicts, from the context alone, the layer-normed
                      average of the teacher's patch features over the whole image (loss weight 1)
         hmlp         a nonlinear patch embedding within each patch (Touvron et al. 2022's hMLP stem: 2x2 conv of
                      stride 2 to 64 channels, GELU, 2x2 conv of stride 2); needs 4-px patches
Run one at a time: two runs sharing 2 cores slow each other down many times over.
"""
import argparse, contextlib, copy, datetime, json, time, warnings
from pathlib import Path
import torch
import torch.nn.functional as F
from torch import nn
from hjepa.config import TrainConfig, apply_overrides
from hjepa.checkpoint import build_model, load_trained
from hjepa.train import train
from hjepa.model import HJEPA
from hjepa.ablation import eval_split, feature_sets, score_sets
from hjepa.timing import hardware
from hjepa.eval import knn_eval

ROOT = Path(__file__).resolve().parents[1]

@contextlib.contextmanager
def captured(modules:dict):
    "Inside the block, the yielded dict holds each named module's latest output (forward hooks, removed on exit)."
    seen = {}
    hooks = [m.register_forward_hook(lambda mod, i, o, k=k: seen.__setitem__(k, o)) for k, m in modules.items()]
    try: yield seen
    finally:
        for h in hooks: h.remove()

# targets-avg -------------------------------------------------------------------------------------------------------
def targets_avg(self:HJEPA, images):
    "data2vec targets: every block's output layer-normed, averaged over the blocks, then pooled and layer-normed."
    blocks = self.target_encoder.blocks
    with captured(dict(enumerate(blocks))) as seen, torch.no_grad(): self.target_encoder(images)
    with torch.no_grad(), torch.autocast(images.device.type, enabled=False):
        h = torch.stack([F.layer_norm(seen[i].float(), seen[i].shape[-1:]) for i in range(len(blocks))]).mean(0)
        return [F.layer_norm(x, x.shape[-1:]) for x in self.pyramid(h)]

# multi-mask --------------------------------------------------------------------------------------------------------
class TwoMaskSets:
    "A collator that adds a second, independently seeded mask set to every batch (sharing the first one's epoch)."
    def __init__(self, base):
        self.base, self.extra = base, copy.deepcopy(base)
        self.extra.seed, self.extra._epoch = base.seed + 7919, base._epoch    # the same shared epoch counter
    def __getattr__(self, k): return getattr(self.base, k)
    def __call__(self, batch): out = self.base(batch); return (*out, self.extra(batch)[2])

def forward_multi(self:HJEPA, images, *mask_sets):
    "The mean of the losses of every mask set, all against one teacher pass."
    tg = self.targets(images)
    outs = [self._losses(self._predict(images, self.batch_masks(images, m)), m, tg) for m in mask_sets]
    n = len(outs)
    return dict(loss=sum(o['loss'] for o in outs) / n, vicreg=sum(o['vicreg'] for o in outs) / n,
                level_losses=[sum(ls) / n for ls in zip(*[o['level_losses'] for o in outs])],
                num_queries=sum(o['num_queries'] for o in outs))

# global ------------------------------------------------------------------------------------------------------------
def build_global(cfg):
    m = build_model(cfg)
    P, D = m.predictor.predictor_embed_dim, m.predictor.embed_dim
    m.global_token = nn.Parameter(nn.init.trunc_normal_(torch.zeros(1, 1, P), std=.02))
    m.global_head = nn.Linear(P, D)
    nn.init.trunc_normal_(m.global_head.weight, std=.02); nn.init.zeros_(m.global_head.bias)
    return m

def forward_global(self:HJEPA, images, masks):
    "The default loss plus Smooth-L1 between a prediction of the whole image's mean feature and its layer-normed target."
    m, pr = self.batch_masks(images, masks), self.predictor
    with captured(dict(z=self.context_encoder, h=self.target_encoder)) as seen:   # HJEPA.forward, keeping z and h
        out = self._losses(self._predict(images, m), m, self.targets(images))
    z = seen['z']; B, Kc = z.shape[:2]                                  # zeros at padded context slots already
    ctx_pad = m.context_idx < 0 if m.context_padded else None
    H, W = self.pyramid.grid_size
    cpos = self.context_encoder.positions[m.context_idx.clamp(min=0)].float().expand(B, Kc, 2)
    pos = torch.cat([cpos, cpos.new_tensor([(H - 1) / 2, (W - 1) / 2]).expand(B, 1, 2)], 1)   # the query at the centre
    x = pr.embed(z)
    x = torch.cat([x, self.global_token.to(x.dtype).expand(B, 1, -1)], 1)
    kpm = None if ctx_pad is None else torch.cat([ctx_pad, ctx_pad.new_zeros(B, 1)], 1)
    pred = self.global_head(pr.norm(pr._run_blocks(x, pos, kpm)[:, -1])).float()
    with torch.no_grad():
        h = seen['h'].float().mean(1)
        target = F.layer_norm(h, h.shape[-1:])
    g = F.smooth_l1_loss(pred, target, beta=1.0)
    return {**out, 'loss': out['loss'] + g}

# hmlp --------------------------------------------------------------------------------------------------------------
def build_hmlp(cfg):
    m = build_model(cfg)
    proj = m.context_encoder.patch_embed.proj
    if proj.kernel_size != (4, 4): raise ValueError(f"hmlp: needs model.patch_size=4, got {proj.kernel_size[0]}")
    m.context_encoder.patch_embed.proj = nn.Sequential(nn.Conv2d(proj.in_channels, 64, 2, 2), nn.GELU(),
                                                       nn.Conv2d(64, proj.out_channels, 2, 2))
    m.target_encoder.patch_embed.proj = copy.deepcopy(m.context_encoder.patch_embed.proj).requires_grad_(False)
    return m

def apply_lever(lever:str)->dict:
    "Patch `HJEPA` for `lever`; returns the arguments of `train` (and `load_trained`) it needs: `model_fn`, `collator_fn`."
    if lever == 'targets-avg': HJEPA.targets = targets_avg
    elif lever == 'multi-mask': HJEPA.forward = forward_multi; return dict(collator_fn=TwoMaskSets)
    elif lever == 'global': HJEPA.forward = forward_global; return dict(model_fn=build_global)
    elif lever == 'hmlp': return dict(model_fn=build_hmlp)
    elif lever != 'none': raise ValueError(f"lever={lever!r}: allowed are none, targets-avg, multi-mask, global, hmlp")
    return {}

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('name'); ap.add_argument('lever'); ap.add_argument('--steps', type=int, required=True)
    ap.add_argument('--whole', action='store_true', help="score like `tune_default.py whole` (k-NN and linear, 4 feature sets)")
    ap.add_argument('--runs', default=str(ROOT/'runs'/'prototypes'), help="where each run's folder goes")
    ap.add_argument('--results', default=str(ROOT/'benchmarks'/'results'/'prototypes.jsonl'), help="the JSON-lines file to append to")
    ap.add_argument('--eval-images', type=int, nargs=2, default=(None, None), metavar=('TRAIN', 'TEST'),
                    help="score on fixed random subsets of this many training and test images (default: all; a quick check)")
    ap.add_argument('overrides', nargs='*', help="settings on top of TrainConfig(), e.g. seed=1")
    a = ap.parse_intermixed_args()
    seams = apply_lever(a.lever)
    out_dir = Path(a.runs)/a.name
    cfg = apply_overrides(TrainConfig(), [f'out_dir={out_dir}', f'max_steps={a.steps}', 'eval.eval_every=0',
                            'eval.final_eval=False', 'progress=False', 'live_plot=False', 'amp_probe=False'] + a.overrides)
    t0 = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        r = train(cfg, log=lambda msg: None, **seams)
    train_s = round(time.time() - t0)
    model, _ = load_trained(r['checkpoint'], model_fn=seams.get('model_fn'))
    dtr, dte = eval_split(cfg, *a.eval_images)                                  # default: every image
    levels = (1, 2) if a.whole else ()
    fa, fb = feature_sets(model, dtr, levels=levels), feature_sets(model, dte, levels=levels)
    scores = score_sets(fa, fb, seed=cfg.seed) if a.whole else {'avg': {'knn': knn_eval(*fa['avg'], *fb['avg'])}}
    res = dict(run=a.name, lever=a.lever, overrides=a.overrides, steps=r['step'], train_s=train_s,
               date=str(datetime.date.today()), machine=hardware()['summary'], scores=scores)
    print(json.dumps(res), flush=True)
    with open(a.results, 'a') as f: f.write(json.dumps(res) + '\n')

if __name__ == '__main__': main()
