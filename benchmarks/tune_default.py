"""Short runs that chose the CPU default of `make train` (see nbs/14_tuning_record.ipynb, the tuning record).

Each run trains from scratch for the same number of steps, then scores the frozen target encoder on a fixed split
(10,000 training images as the k-NN bank / probe training set, the 10,000 test images): k-NN on avg-pooled features
(plain and centred), the linear probe on avg-pooled features, RankMe and mean cosine of those features, and k-NN on
the level-1 cells. One JSON line per run is appended to benchmarks/results/tune_default.jsonl.

Usage: python benchmarks/tune_default.py NAME [key.sub=value ...]     (settings on top of BASE below)
       python benchmarks/tune_default.py pixels                        (the raw-pixel baseline, same split)
       python benchmarks/tune_default.py poolings RUN_DIR              (k-NN of other poolings of a finished run's
                                                                        target features; benchmarks/results/poolings.jsonl)
       python benchmarks/tune_default.py whole RUN_DIR...              (finished whole runs scored on all 60,000 / 10,000
                                                                        images, avg-pooled and on the cells of levels 1
                                                                        and 2 whatever the model's own levels;
                                                                        benchmarks/results/whole_runs.jsonl)
       python benchmarks/tune_default.py gammas RUN_DIR...             (how far LayerScale's gammas of finished runs' target
                                                                        encoders grew from their start: mean and largest
                                                                        |gamma| per block; benchmarks/results/layerscale.jsonl)
       python benchmarks/tune_default.py blocks RUN_DIR                (k-NN of the avg-pooled patch embedding and of each block's
                                                                        output, and how much of the pooled features' variance
                                                                        the blocks' updates carry; benchmarks/results/blocks.jsonl)
Run one at a time: two runs sharing 2 cores slow each other down many times over (OpenMP threads spin).
"""
import json, shutil, sys, time, warnings, platform, datetime
from pathlib import Path
import torch
import torch.nn.functional as F
from hjepa.config import TrainConfig, apply_overrides, unpinned
from hjepa.checkpoint import latest_checkpoint, load_trained, CKPT_RE   # a checkpoint's model and config, checked to fit
from hjepa.train import train
from hjepa.ablation import eval_split as split, feature_sets, score_sets   # split: 10,000 un-augmented training images, the 10,000 test images
from hjepa.features import extract_features, pixel_features
from hjepa.collapse import collapse_stats
from hjepa.eval import knn_eval, linear_probe

ROOT = Path(__file__).resolve().parents[1]
# The first run's recipe (lr 1e-3, I-JEPA's EMA 0.996, a 3-block predictor, no VICReg, 4 blocks, I-JEPA's context),
# every setting that shapes a run named, so a row means the same run whatever TrainConfig's defaults are now (main()
# refuses to run if a setting is left to them: hjepa.config.unpinned).
BASE = ['data.dataset=fashion_mnist', 'data.source=auto', 'data.val_root=None', 'data.limit=None', 'data.img_size=28',
        'data.in_chans=1', 'data.crop_scale=(0.3,1.0)', 'data.hflip=False',
        'model.encoder_type=vit_tiny_patch16_224', 'model.patch_size=4', 'model.embed_dim=128', 'model.depth=4',
        'model.num_heads=4', 'model.num_levels=2', 'model.hierarchy_weights=(1.0,0.7,0.5)',
        'model.predictor_depth=3', 'model.predictor_embed_dim=96', 'model.predictor_num_heads=4', 'model.use_rope=True',
        'model.vicreg_weight=0.0', 'model.drop_path_rate=0.0', 'model.init_values=1e-05', 'model.grad_checkpointing=False',
        'masks.num_target_masks=4', 'masks.mask_scale=(0.15,0.2)', 'masks.aspect_ratio=(0.75,1.5)',
        'masks.context_scale=(0.85,1.0)', 'masks.min_keep=10', 'masks.official_quirks=False', 'masks.pad_context=False',
        'masks.bucket=1',
        'optim.lr=0.001', 'optim.start_lr=0.0', 'optim.final_lr=1e-06', 'optim.warmup_frac=0.1', 'optim.weight_decay=0.04',
        'optim.final_weight_decay=0.4', 'optim.betas=(0.9,0.999)', 'optim.ema_start=0.996', 'optim.ema_end=1.0',
        'optim.ema_schedule=cosine', 'optim.grad_clip=None', 'optim.accum_steps=1',
        'batch_size=128', 'epochs=5', 'max_steps=None', 'seed=0', 'amp=auto', 'compile=False', 'max_nonfinite=5',
        'eval.eval_every=0', 'eval.monitor_every=100', 'eval.final_eval=False', 'progress=False',   # run-only settings
        'live_plot=False', 'amp_probe=False', 'log_every=50', 'ckpt_every=100000']

def record(res:dict, name:str):
    "Print a result row and append it to benchmarks/results/NAME."
    print(json.dumps(res), flush=True)
    with open(ROOT/'benchmarks'/'results'/name, 'a') as f: f.write(json.dumps(res) + '\n')

def collect(loader, fn)->tuple:
    "(`fn` of every batch's images, the labels), each concatenated on the CPU."
    feats, labels = [], []
    for x, y, *_ in loader: feats.append(fn(x).float().cpu()); labels.append(y.cpu())
    return torch.cat(feats), torch.cat(labels)

def finished(run_dir:str)->tuple:
    "A finished run's (model, config, step) from its latest checkpoint, checked to fit."
    path = latest_checkpoint(run_dir)
    model, cfg = load_trained(path)
    return model, cfg, int(CKPT_RE.match(path.name)[1])

def pixels():
    "The raw-pixel baseline on the same split."
    dtr, dte = split(apply_overrides(TrainConfig(), BASE))
    (a, ya), (b, yb) = pixel_features(dtr), pixel_features(dte)
    res = dict(name='raw pixels', date=str(datetime.date.today()), knn=knn_eval(a, ya, b, yb),
               linear=linear_probe(a, ya, b, yb)['acc'])
    record(res, 'tune_default.jsonl')

def poolings(run_dir:str):
    "k-NN on the same split for other poolings of a finished run's target patch features (the probe's pooling)."
    model, cfg, _ = finished(run_dir)
    p = cfg.model.patch_size
    garment = lambda x: (F.unfold(x, p, stride=p) - x.amin()).abs().amax(1) > 1e-3   # [B, N] patches holding part of the garment
    def tokens(loader):
        h, y = extract_features(model, loader, pool='tokens')                        # the target encoder's patch tokens
        return h.view(len(h), -1, cfg.model.embed_dim), collect(loader, garment)[0].bool(), y
    (ha, fa, ya), (hb, fb, yb) = (tokens(l) for l in split(cfg))
    fgavg = lambda h, m: (h * m[..., None]).sum(1) / m.sum(1, keepdim=True).clamp(min=1)
    ways = {'avg (all patches)': lambda h, m: h.mean(1), 'avg of garment patches': fgavg, 'max': lambda h, m: h.amax(1),
            'avg and max': lambda h, m: torch.cat([h.mean(1), h.amax(1)], 1), 'all patches, flattened': lambda h, m: h.flatten(1)}
    res = dict(run=str(run_dir), date=str(datetime.date.today()), garment_fraction=round(float(fa.float().mean()), 3),
               knn={k: knn_eval(f(ha, fa), ya, f(hb, fb), yb) for k, f in ways.items()})
    record(res, 'poolings.jsonl')

def whole(run_dirs:list):
    "Score finished whole runs on the full split: avg-pooled and level-1/level-2 cells, pooled by the same pyramid for every model."
    for run_dir in run_dirs:
        model, cfg, step = finished(run_dir)
        dtr, dte = split(cfg, n_train=None, n_test=None)                              # every image
        t0 = time.time()
        scores = score_sets(feature_sets(model, dtr, levels=(1, 2)), feature_sets(model, dte, levels=(1, 2)), seed=cfg.seed)
        res = dict(run=str(Path(run_dir).name), levels=cfg.model.num_levels, steps=step, date=str(datetime.date.today()),
                   split=f"{len(dtr.dataset):,} train / {len(dte.dataset):,} test images", eval_s=round(time.time() - t0), scores=scores)
        record(res, 'whole_runs.jsonl')

def gammas(run_dirs:list):
    "Mean and largest |gamma| of each LayerScale in the target encoder of finished runs (attention, then MLP, per block)."
    for run_dir in run_dirs:
        model, cfg, step = finished(run_dir)
        g = [[(round(float(ls.gamma.abs().mean()), 4), round(float(ls.gamma.abs().max()), 4)) for ls in (b.ls1, b.ls2)]
             for b in model.target_encoder.blocks if hasattr(b.ls1, 'gamma')]
        res = dict(run=str(Path(run_dir).name), init_values=cfg.model.init_values, steps=step,
                   date=str(datetime.date.today()), mean_max_per_block=g)
        record(res, 'layerscale.jsonl')

def blocks(run_dir:str):
    """Where the avg-pooled features come from: k-NN after the patch embedding and after each block (same split), and the
    variance across images of the pre-norm average, split into the patch embedding's part and the blocks' updates."""
    model, cfg, step = finished(run_dir)
    enc, seen = model.target_encoder.eval(), {}
    mods = [enc.patch_embed, *enc.blocks]
    hooks = [m.register_forward_hook(lambda m, i, o, j=j: seen.__setitem__(j, o)) for j, m in enumerate(mods)]
    def pooled(x):                                                                   # [B, (2 + depth) * D]
        h = enc(x)                                                                   # final LayerNorm
        return torch.cat([seen[j].float().mean(1) for j in range(len(mods))] + [h.float().mean(1)], 1)
    try:
        with torch.no_grad(): (a, ya), (b, yb) = (collect(l, pooled) for l in split(cfg))
    finally:
        for h in hooks: h.remove()
    parts = lambda x: x.view(len(x), len(mods) + 1, -1).unbind(1)
    pa, pb = parts(a), parts(b)
    names = ['patch embedding'] + [f'block {j}' for j in range(1, len(mods))] + ['final norm']
    emb, last = pa[0], pa[-2]
    var = lambda x: float(x.var(0).sum())
    res = dict(run=str(Path(run_dir).name), steps=step, date=str(datetime.date.today()),
               knn={n: knn_eval(x, ya, y, yb) for n, x, y in zip(names, pa, pb)},
               var_prenorm=round(var(last), 4), var_embedding=round(var(emb), 4), var_updates=round(var(last - emb), 4))
    record(res, 'blocks.jsonl')

def main(name:str, overrides:list):
    missing = unpinned(BASE)
    if missing: raise SystemExit(f"BASE leaves {missing} to TrainConfig's defaults: name them")
    if name == 'pixels': return pixels()
    if name == 'poolings': return poolings(overrides[0])
    if name == 'whole': return whole(overrides)
    if name == 'gammas': return gammas(overrides)
    if name == 'blocks': return blocks(overrides[0])
    warnings.simplefilter('ignore')
    out = ROOT/'runs'/'tune'/name
    shutil.rmtree(out, ignore_errors=True)
    cfg = apply_overrides(TrainConfig(), BASE + [f'out_dir={out}'] + overrides)
    t0 = time.time(); r = train(cfg, log=lambda m: None); secs = time.time() - t0
    model, _ = load_trained(r['checkpoint'])
    dtr, dte = split(cfg)
    res = dict(name=name, overrides=overrides, train_s=round(secs), steps=r['step'], loss=round(r['history'][-1]['loss'], 4),
               date=str(datetime.date.today()), cpu=platform.processor() or platform.machine(), threads=torch.get_num_threads())
    (a, ya), (b, yb) = extract_features(model, dtr), extract_features(model, dte)
    mu = a.mean(0)
    res.update(knn=knn_eval(a, ya, b, yb), knn_centred=knn_eval(a - mu, ya, b - mu, yb), linear=linear_probe(a, ya, b, yb)['acc'])
    st = collapse_stats(a); res.update(rankme=round(st['rankme'], 1), mean_cos=round(st['mean_cos'], 3))
    (a1, _), (b1, _) = extract_features(model, dtr, pool='level', level=1), extract_features(model, dte, pool='level', level=1)
    res['knn_level1'] = knn_eval(a1, ya, b1, yb)
    record(res, 'tune_default.jsonl')

if __name__ == '__main__': main(sys.argv[1], sys.argv[2:])
