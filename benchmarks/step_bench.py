"""The training step, timed: hjepa (1 and 3 levels, eager and compiled) beside the official I-JEPA code, on the
same images and the same masks, in one process, with the runs interleaved.

The official code is not part of hjepa. Clone it yourself and point `--ijepa` at the clone:

    git clone https://github.com/facebookresearch/ijepa /path/to/ijepa
    python benchmarks/step_bench.py --ijepa /path/to/ijepa                 # CPU preset (2 threads, fp32)
    python benchmarks/step_bench.py --ijepa /path/to/ijepa --preset gpu    # ViT-B/16, 224 px, bf16, on CUDA

Without `--ijepa` only hjepa's runs are timed. What is timed is a whole optimiser step: forward (target and
context paths), loss, backward, AdamW step and EMA update. The masks come from the official sampler (hjepa's port of
it, `MaskCollator(official_quirks=True)`, drawn once), so both codes do the same work; hjepa's own sampler is timed
as well (`masks=collator`). FLOPs are counted with `torch.utils.flop_counter.FlopCounterMode` over one step.
Writes `step_bench.json` to `--out` and prints a table; timings are never asserted anywhere.
"""
import argparse, contextlib, json, os, statistics, sys
import torch
import torch.nn.functional as F
from hjepa.masks import MaskCollator
from hjepa.model import create_hjepa
from hjepa.attention import set_attention_kernel
from hjepa.grid import CellTables, masks_from_indices
from hjepa.timing import sync, time_once, count_flops, hardware

PRESETS = {
    'cpu':   dict(img_size=96, patch_size=8, embed_dim=192, depth=6, num_heads=3, pred_dim=96, pred_depth=3,
                  batch=32, dtype='fp32', threads=2, steps=3, rounds=5),
    'gpu':   dict(img_size=224, patch_size=16, embed_dim=768, depth=12, num_heads=12, pred_dim=384, pred_depth=6,
                  batch=128, dtype='bf16', threads=None, steps=10, rounds=3),
    'smoke': dict(img_size=48, patch_size=4, embed_dim=32, depth=1, num_heads=2, pred_dim=16, pred_depth=1,
                  batch=4, dtype='fp32', threads=None, steps=1, rounds=1),
}

def amp_ctx(dev, dtype):
    d = dict(fp32=None, bf16=torch.bfloat16, fp16=torch.float16)[dtype]
    return torch.autocast(dev.type, dtype=d) if d is not None else contextlib.nullcontext()

def fixed_masks(grid:int, B:int, seed:int=0):
    "(context_idx [B, Kc], target_idx [B, 4, T]) from the official sampler, drawn once."
    return MaskCollator(grid, seed=seed, official_quirks=True, num_levels=1).sample_indices(B, list(range(B)))

def hjepa_model(p:dict, levels:int, dev, attention:str='sdpa', **model_kw):
    "The hjepa model of preset `p` (seed 0, train mode) with `levels` levels and the `attention` kernel."
    torch.manual_seed(0)
    model = create_hjepa('vit_base_patch16_224', img_size=p['img_size'], patch_size=p['patch_size'], in_chans=3,
                         embed_dim=p['embed_dim'], depth=p['depth'], num_heads=p['num_heads'], num_levels=levels,
                         predictor_embed_dim=p['pred_dim'], predictor_depth=p['pred_depth'],
                         predictor_num_heads=p['num_heads'], **model_kw).to(dev).train()
    set_attention_kernel(model, attention)
    return model

def hjepa_run(p:dict, levels:int, dev, ctx, tgt, compile_=False, collator:bool=False, attention:str='sdpa', **model_kw):
    "A closure doing one hjepa training step on fixed data (`compile_`: False, True or a backend name; `attention`: the kernel)."
    model = hjepa_model(p, levels, dev, attention, **model_kw)
    grid = p['img_size'] // p['patch_size']
    if collator:                                                    # hjepa's own sampler (contexts cut, not padded)
        c = MaskCollator(grid, seed=0, num_levels=levels); masks = c.sample_batch_masks(p['batch'], list(range(p['batch'])))
    else: masks = masks_from_indices(ctx, tgt, CellTables(grid, levels))
    masks = masks.to(dev)
    x = torch.randn(p['batch'], 3, p['img_size'], p['img_size'], generator=torch.Generator().manual_seed(0)).to(dev)
    opt = torch.optim.AdamW([q for q in model.parameters() if q.requires_grad], lr=1e-4, **_fused(dev))
    scaler = torch.amp.GradScaler(dev.type, enabled=p['dtype'] == 'fp16')
    fwd = model if not compile_ else torch.compile(model, fullgraph=True, backend='inductor' if compile_ is True else compile_)
    def step():
        with amp_ctx(dev, p['dtype']): loss = fwd(x, masks)['loss']
        scaler.scale(loss).backward(); scaler.step(opt); scaler.update(); opt.zero_grad(set_to_none=True)
        model.update_target(0.996)
        return loss
    step.model, step.fwd, step.x, step.masks = model, fwd, x, masks
    return step

def _fused(dev): return dict(fused=True) if dev.type == 'cuda' else {}

def official_models(p:dict, dev, ijepa:str)->tuple:
    "The official code's encoder, predictor and EMA target of preset `p` (seed 0), and its two masking helpers."
    if ijepa not in sys.path: sys.path.insert(0, ijepa)
    import copy
    from src.models.vision_transformer import VisionTransformer, VisionTransformerPredictor
    from src.masks.utils import apply_masks
    from src.utils.tensors import repeat_interleave_batch
    torch.manual_seed(0)
    grid = p['img_size'] // p['patch_size']
    enc = VisionTransformer(img_size=[p['img_size']], patch_size=p['patch_size'], embed_dim=p['embed_dim'],
                            depth=p['depth'], num_heads=p['num_heads']).to(dev)
    pred = VisionTransformerPredictor(num_patches=grid * grid, embed_dim=p['embed_dim'], predictor_embed_dim=p['pred_dim'],
                                      depth=p['pred_depth'], num_heads=p['num_heads']).to(dev)
    return enc, pred, copy.deepcopy(enc).requires_grad_(False), apply_masks, repeat_interleave_batch

def official_run(p:dict, dev, ctx, tgt, ijepa:str):
    "One official I-JEPA training step (their ViT, predictor, masking helpers, loss and EMA loop) on fixed data."
    enc, pred, tenc, apply_masks, repeat_interleave_batch = official_models(p, dev, ijepa)
    opt = torch.optim.AdamW(list(enc.parameters()) + list(pred.parameters()), lr=1e-4, **_fused(dev))
    x = torch.randn(p['batch'], 3, p['img_size'], p['img_size'], generator=torch.Generator().manual_seed(0)).to(dev)
    masks_enc, masks_pred = [ctx.to(dev)], [t.to(dev) for t in tgt.unbind(1)]
    def step():
        with amp_ctx(dev, p['dtype']):
            with torch.no_grad():                                   # their train.py, forward_target
                h = tenc(x); h = F.layer_norm(h, (h.size(-1),))
                h = repeat_interleave_batch(apply_masks(h, masks_pred), len(h), repeat=len(masks_enc))
            z = pred(enc(x, masks_enc), masks_enc, masks_pred)      # forward_context
            loss = F.smooth_l1_loss(z, h)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
        with torch.no_grad():                                       # their momentum update loop
            for q, k in zip(enc.parameters(), tenc.parameters()): k.data.mul_(0.996).add_((1. - 0.996) * q.detach().data)
        return loss
    return step

def time_runs(runs:dict, dev, steps:int, rounds:int)->dict:
    "Interleaved timing: every round runs `steps` steps of each run; the median over rounds of the mean step time."
    for f in runs.values(): f(); f()                                # warm up (and compile)
    t = {k: [] for k in runs}
    for _ in range(rounds):
        for k, f in runs.items(): t[k].append(time_once(lambda: [f() for _ in range(steps)], dev) / steps)
    return {k: statistics.median(v) for k, v in t.items()}

def matmul_tflops(dev, dtype=torch.bfloat16, n:int=8192, reps:int=20)->float:
    "The device's measured dense matmul rate (TFLOP/s) at n x n x n: the denominator of MFU."
    a, b = torch.randn(n, n, device=dev, dtype=dtype), torch.randn(n, n, device=dev, dtype=dtype)
    for _ in range(3): a @ b
    return 2 * n ** 3 * reps / time_once(lambda: [a @ b for _ in range(reps)], dev) / 1e12

def peak_mib(f, dev)->float|None:
    if dev.type != 'cuda': return None
    sync(dev); torch.cuda.reset_peak_memory_stats(); f(); sync(dev)
    return torch.cuda.max_memory_allocated() / 2**20

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--preset', default='cpu', choices=sorted(PRESETS))
    ap.add_argument('--device', default=None, help="default: cuda for the gpu preset, else cpu")
    ap.add_argument('--ijepa', default=None, help="path to a clone of facebookresearch/ijepa (optional)")
    ap.add_argument('--batch', type=int, default=None)
    ap.add_argument('--rounds', type=int, default=None, help="interleaved rounds (more: steadier medians on a busy machine)")
    ap.add_argument('--dtype', default=None, choices=['fp32', 'bf16', 'fp16'])
    ap.add_argument('--compile', action='store_true', help="also time torch.compile(model, fullgraph=True)")
    ap.add_argument('--peak-tflops', type=float, default=None, help="the device's dense matmul peak, for MFU")
    ap.add_argument('--out', default=os.environ.get('OUT', '.'))
    a = ap.parse_args(argv)
    p = dict(PRESETS[a.preset])
    if a.batch: p['batch'] = a.batch
    if a.rounds: p['rounds'] = a.rounds
    if a.dtype: p['dtype'] = a.dtype
    dev = torch.device(a.device or ('cuda' if a.preset == 'gpu' else 'cpu'))
    if p['threads']: torch.set_num_threads(p['threads'])
    if dev.type == 'cuda': torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    grid = p['img_size'] // p['patch_size']
    ctx, tgt = fixed_masks(grid, p['batch'])
    runs = {}
    if a.ijepa: runs['official I-JEPA'] = official_run(p, dev, ctx, tgt, a.ijepa)
    kernels = ('sdpa',) if dev.type == 'cuda' else ('sdpa', 'explicit')   # on a CPU either may be faster (09e)
    for k in kernels:
        for levels in (1, 3):
            runs[f"hjepa {levels} level{'s' if levels > 1 else ''}, {k}"] = hjepa_run(p, levels, dev, ctx, tgt, attention=k)
    if a.compile:
        for k in kernels:
            runs[f'hjepa 1 level, {k}, compiled'] = hjepa_run(p, 1, dev, ctx, tgt, compile_=True, attention=k)
            runs[f'hjepa 3 levels, {k}, compiled'] = hjepa_run(p, 3, dev, ctx, tgt, compile_=True, attention=k)
    for k in kernels: runs[f'hjepa 3 levels, {k}, collator masks'] = hjepa_run(p, 3, dev, ctx, tgt, collator=True, attention=k)
    flops = {k: count_flops(f) for k, f in runs.items() if 'compiled' not in k}
    secs = time_runs(runs, dev, p['steps'], p['rounds'])
    ref = secs.get('official I-JEPA')
    rows = []
    for k, s in secs.items():
        fl = flops.get(k, flops.get(k.replace(', compiled', '')))
        r = dict(run=k, step_ms=s * 1e3, images_per_s=p['batch'] / s, gflop=fl / 1e9, tflops=fl / s / 1e12,
                 vs_official=s / ref if ref else None, peak_mib=peak_mib(runs[k], dev))
        if a.peak_tflops: r['mfu'] = r['tflops'] / a.peak_tflops
        rows.append(r)
    info = dict(p, **hardware(dev), preset=a.preset, context=ctx.shape[1], target_block=tgt.shape[2])
    print(f"{info['device']}, torch {info['torch']}, {info['threads']} threads, {a.preset} preset: batch {p['batch']}, "
          f"{p['img_size']} px / patch {p['patch_size']} ({grid}x{grid}), width {p['embed_dim']}, depth {p['depth']}, "
          f"predictor {p['pred_depth']}x{p['pred_dim']}, {p['dtype']}; official-sampler masks: context {ctx.shape[1]}, "
          f"4 blocks of {tgt.shape[2]}")
    print(f"{'run':42} {'step ms':>9} {'img/s':>8} {'GFLOP':>8} {'TFLOP/s':>8} {'vs official':>11} {'peak MiB':>9}")
    for r in rows:
        vs = f"{r['vs_official']:.2f}x" if r['vs_official'] else '-'
        pk = f"{r['peak_mib']:.0f}" if r['peak_mib'] else '-'
        print(f"{r['run']:42} {r['step_ms']:9.1f} {r['images_per_s']:8.0f} {r['gflop']:8.1f} {r['tflops']:8.2f} {vs:>11} {pk:>9}"
              + (f"  MFU {r['mfu']:.1%}" if 'mfu' in r else ''))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'step_bench.json'), 'w') as f: json.dump(dict(info=info, rows=rows), f, indent=1)
    return dict(info=info, rows=rows)

if __name__ == '__main__': main()
