"""One prepared GPU check for hjepa (run it when a session has a GPU; see benchmarks/README.md).

Checks the GPU paths and prints figures for the benchmark notes:
1. flash attention: `hjepa.attention.flash_attention` under the FLASH backend alone (fp16, bf16) agrees with the
   explicit path; with a key-padding mask SDPA must fall back to another fused kernel and still agree;
2. the flash-vs-explicit timing harness of nbs/03_attention on CUDA (time and peak memory, ratios);
3. a few H-JEPA training steps (ViT-B/16, 224 px, 3 levels) in fp32, in fp16 autocast with GradScaler, and in bf16
   autocast: finite losses, step times, peak memory, and the 3-level / 1-level step-time ratio.

Usage:  python benchmarks/gpu_check.py [--device cuda] [--out DIR] [--smoke]
`--smoke` shrinks everything (tiny model, few points) so the script itself can be tested on a CPU.
"""
import argparse, json, os, sys, time
import torch
from hjepa.attention import flash_attention, explicit_attention, benchmark_attention, print_attention_speedups
from hjepa.masks import MaskCollator
from hjepa.model import create_hjepa

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()

def check_flash(dev, smoke):
    "Fused SDPA vs explicit attention per dtype; on CUDA the flash backend is forced when no mask is given."
    res = []
    B, H, N, d = (2, 3, 64, 32) if smoke else (8, 12, 196, 64)
    dtypes = [torch.float32] if dev.type == 'cpu' else [torch.float16, torch.bfloat16]
    for dt in dtypes:
        g = torch.Generator().manual_seed(0)
        q, k, v = [torch.randn(B, H, N, d, generator=g).to(dev, dt) for _ in range(3)]
        kpm = torch.zeros(B, N, dtype=torch.bool, device=dev); kpm[:, -N // 4:] = True
        ref = explicit_attention(q.float(), k.float(), v.float())[0]
        ref_m = explicit_attention(q.float(), k.float(), v.float(), kpm)[0]
        if dev.type == 'cuda':
            from torch.nn.attention import sdpa_kernel, SDPBackend
            with sdpa_kernel([SDPBackend.FLASH_ATTENTION]): out = flash_attention(q, k, v)   # raises if flash can't run
        else: out = flash_attention(q, k, v)
        out_m = flash_attention(q, k, v, kpm)
        err, err_m = (out.float() - ref).abs().max().item(), (out_m.float() - ref_m).abs().max().item()
        tol = 1e-5 if dt == torch.float32 else 2e-2
        res.append(dict(dtype=str(dt), max_abs_err=err, max_abs_err_masked=err_m, ok=err < tol and err_m < tol))
        print(f"flash check {dt}: max|flash-explicit| {err:.2e}, with padding mask {err_m:.2e} -> "
              f"{'ok' if res[-1]['ok'] else 'FAIL'}")
    return res

def train_steps(dev, precision, levels, smoke, steps):
    "A few optimizer steps; returns (losses, median step seconds, peak MiB)."
    torch.manual_seed(0)
    if smoke: kw = dict(encoder_type='vit_tiny_patch16_224', img_size=32, patch_size=4, depth=2, predictor_depth=1,
                        predictor_embed_dim=48); B, grid = 4, 8
    else: kw = dict(encoder_type='vit_base_patch16_224', img_size=224, predictor_depth=6, predictor_embed_dim=384); B, grid = 64, 14
    model = create_hjepa(num_hierarchies=levels, **kw).to(dev)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, fused=dev.type == 'cuda')
    scaler = torch.amp.GradScaler(dev.type, enabled=precision == 'fp16')
    amp = dict(fp32=None, fp16=torch.float16, bf16=torch.bfloat16)[precision]
    coll = MaskCollator(grid, seed=0)
    imgs = torch.randn(B, 3, kw['img_size'], kw['img_size'])
    batch = coll([(imgs[i], 0, i) for i in range(B)])
    x, ctx, tgt = batch[0].to(dev), batch[2].to(dev), batch[3].to(dev)
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats()
    losses, times = [], []
    for s in range(steps):
        sync(dev); t0 = time.perf_counter()
        with torch.autocast(dev.type, dtype=amp, enabled=amp is not None):
            out = model(x, ctx, tgt)
        opt.zero_grad(set_to_none=True)
        scaler.scale(out['loss']).backward(); scaler.step(opt); scaler.update()
        model.update_target(0.996)
        sync(dev); times.append(time.perf_counter() - t0); losses.append(out['loss'].item())
    peak = torch.cuda.max_memory_allocated() / 2**20 if dev.type == 'cuda' else float('nan')
    warm = sorted(times[1:]) or times
    return losses, warm[len(warm) // 2], peak

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--out', default=os.environ.get('OUT', '.'))
    ap.add_argument('--smoke', action='store_true')
    a = ap.parse_args()
    dev = torch.device(a.device)
    info = dict(torch=torch.__version__, device=str(dev),
                name=torch.cuda.get_device_name() if dev.type == 'cuda' else 'cpu', smoke=a.smoke)
    print(info)
    report = dict(info=info, flash=check_flash(dev, a.smoke))
    rows = benchmark_attention(seq_lens=(49, 196) if a.smoke else (196, 784, 3136),
                               dtypes=(torch.float32,) if a.smoke else (torch.float32, torch.bfloat16, torch.float16),
                               batch=4 if a.smoke else 32, heads=3, head_dim=64, device=a.device,
                               repeats=2 if a.smoke else 10, min_seconds=0.0 if a.smoke else 0.2)
    print_attention_speedups(rows)
    report['attention'] = [{k: (str(v) if isinstance(v, torch.dtype) else v) for k, v in r.items()} for r in rows]
    steps = 3 if a.smoke else 8
    report['train'] = {}
    for prec in ('fp32', 'fp16', 'bf16'):
        if dev.type == 'cpu' and prec == 'fp16': continue     # fp16 autocast + GradScaler is a CUDA path
        losses, sec, peak = train_steps(dev, prec, 3, a.smoke, steps)
        ok = all(map(lambda l: l == l and abs(l) < 1e4, losses))
        report['train'][prec] = dict(losses=losses, step_s=sec, peak_mib=peak, finite=ok)
        print(f"train {prec}: 3-level step {sec*1e3:.1f} ms, peak {peak:.0f} MiB, losses {[round(l, 4) for l in losses]}"
              f" -> {'ok' if ok else 'FAIL'}")
    prec = 'bf16' if dev.type == 'cuda' else 'fp32'
    _, s1, _ = train_steps(dev, prec, 1, a.smoke, steps)
    report['train']['ratio_3_vs_1_level'] = report['train'][prec]['step_s'] / s1
    print(f"{prec}: 3-level / 1-level step time = {report['train']['ratio_3_vs_1_level']:.2f}")
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'gpu_check.json'), 'w') as f: json.dump(report, f, indent=1, default=str)
    bad = [r for r in report['flash'] if not r['ok']] + [k for k, v in report['train'].items() if isinstance(v, dict) and not v['finite']]
    if bad: print('FAILED:', bad); sys.exit(1)
    print('gpu_check: all checks passed')

if __name__ == '__main__': main()
