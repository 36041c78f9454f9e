"""One prepared GPU check for hjepa: run it on any CUDA machine (see benchmarks/README.md).

Checks the GPU paths and prints the figures for the benchmark notes:
1. flash attention: `hjepa.attention.flash_attention` under the FLASH backend alone (fp16, bf16) agrees with the
   explicit path; with a key-padding mask SDPA must fall back to another fused kernel and still agree;
2. the flash-vs-explicit timing harness of nbs/03b_timing on CUDA (time and peak memory, ratios);
3. the training step has no host syncs: a bf16 forward and backward with the collator's `Masks` under
   `torch.cuda.set_sync_debug_mode('error')`;
4. the training step of ViT-B/16 at 224 px (predictor 6 x 384, batch 128) on the official sampler's masks: 1 and 3
   levels, eager and `torch.compile(fullgraph=True)`, bf16 and fp16 (GradScaler); batch 256; hjepa's own masks;
   step time, images/s, FLOPs (FlopCounterMode over a whole step), achieved TFLOP/s, MFU against the measured
   bf16 matmul rate, peak memory, and finite losses. With `--ijepa PATH` (a clone of facebookresearch/ijepa)
   the official step runs beside it on the same masks, and every row gets its ratio to it.

Usage:  python benchmarks/gpu_check.py [--device cuda] [--out DIR] [--ijepa PATH] [--smoke]
`--smoke` shrinks everything (tiny model, few points, the `eager` compile backend) so the script itself can be
tested on a CPU.
"""
import argparse, json, math, os, sys
import torch
from hjepa.attention import flash_attention, explicit_attention
from hjepa.timing import benchmark_attention, print_attention_speedups, count_flops, hardware
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from step_bench import PRESETS, fixed_masks, hjepa_run, official_run, time_runs, peak_mib, matmul_tflops

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

def check_no_syncs(dev, p):
    "A bf16 forward + backward with collator masks under CUDA's sync debug mode 'error': any host sync raises."
    if dev.type != 'cuda': return dict(ok=None, note='CUDA only')
    ctx, tgt = fixed_masks(p['img_size'] // p['patch_size'], p['batch'])
    step = hjepa_run(dict(p, dtype='bf16'), 3, dev, ctx, tgt, collator=True)
    step()                                                      # warm up (allocations, cuBLAS handles)
    torch.cuda.synchronize()
    try:
        torch.cuda.set_sync_debug_mode('error')
        with torch.autocast('cuda', dtype=torch.bfloat16): loss = step.model(step.x, step.masks)['loss']
        loss.backward()
        res = dict(ok=True)
    except RuntimeError as e: res = dict(ok=False, error=str(e)[:500])
    finally: torch.cuda.set_sync_debug_mode('default')
    print(f"host syncs in a bf16 forward+backward with collator masks: {'none' if res['ok'] else res['error']}")
    return res

def train_matrix(dev, smoke:bool, ijepa:str|None)->dict:
    "Time the training-step variants side by side (interleaved), with FLOPs, MFU, peak memory and finiteness."
    p = dict(PRESETS['smoke' if smoke else 'gpu'])
    backend = 'eager' if smoke or dev.type == 'cpu' else True
    dtypes = ['fp32'] if dev.type == 'cpu' else ['bf16', 'fp16']
    grid = p['img_size'] // p['patch_size']
    ctx, tgt = fixed_masks(grid, p['batch'])
    runs = {}
    if ijepa: runs[f"official I-JEPA, {dtypes[0]}"] = official_run(dict(p, dtype=dtypes[0]), dev, ctx, tgt, ijepa)
    for dt in dtypes:
        for L in (1, 3):
            runs[f"hjepa {L} level{'s' * (L > 1)}, {dt}"] = hjepa_run(dict(p, dtype=dt), L, dev, ctx, tgt)
            if dt == dtypes[0]:
                runs[f"hjepa {L} level{'s' * (L > 1)}, {dt}, compiled"] = hjepa_run(dict(p, dtype=dt), L, dev, ctx, tgt, compile_=backend)
    dt = dtypes[0]
    runs[f"hjepa 3 levels, {dt}, collator masks"] = hjepa_run(dict(p, dtype=dt), 3, dev, ctx, tgt, collator=True)
    big = dict(p, dtype=dt, batch=2 * p['batch'])
    ctx2, tgt2 = fixed_masks(grid, big['batch'])
    if ijepa: runs[f"official I-JEPA, {dt}, batch {big['batch']}"] = official_run(big, dev, ctx2, tgt2, ijepa)
    runs[f"hjepa 3 levels, {dt}, batch {big['batch']}"] = hjepa_run(big, 3, dev, ctx2, tgt2)
    runs[f"hjepa 3 levels, {dt}, batch {big['batch']}, compiled"] = hjepa_run(big, 3, dev, ctx2, tgt2, compile_=backend)
    flops = {k: count_flops(f) for k, f in runs.items() if 'compiled' not in k}
    secs = time_runs(runs, dev, p['steps'], p['rounds'])
    peak = matmul_tflops(dev) if dev.type == 'cuda' else None
    rows = []
    for k, s in secs.items():
        fl = flops[k.replace(', compiled', '')]
        losses = [runs[k]().detach().item() for _ in range(2)]
        ref = [v for r, v in secs.items() if r.startswith('official') and (('batch' in r) == ('batch' in k))]
        rows.append(dict(run=k, step_ms=s * 1e3, images_per_s=(big if 'batch' in k else p)['batch'] / s, gflop=fl / 1e9,
                         tflops=fl / s / 1e12, mfu=fl / s / 1e12 / peak if peak else None,
                         vs_official=s / ref[0] if ref else None, peak_mib=peak_mib(runs[k], dev),
                         losses=losses, finite=all(math.isfinite(l) for l in losses)))
    print(f"training step, {hardware(dev)['device']}: {p['img_size']} px / patch {p['patch_size']}, width {p['embed_dim']}, "
          f"depth {p['depth']}, predictor {p['pred_depth']}x{p['pred_dim']}, batch {p['batch']} (official-sampler masks: "
          f"context {ctx.shape[1]}, 4 blocks of {tgt.shape[2]})" + (f"; bf16 matmul peak {peak:.0f} TFLOP/s" if peak else ''))
    print(f"{'run':42} {'ms':>8} {'img/s':>7} {'GFLOP':>8} {'TFLOP/s':>8} {'MFU':>6} {'vs off.':>7} {'MiB':>7} finite")
    for r in rows:
        f = lambda v, fmt: format(v, fmt) if v is not None else '-'
        print(f"{r['run']:42} {r['step_ms']:8.1f} {r['images_per_s']:7.0f} {r['gflop']:8.0f} {r['tflops']:8.1f} "
              f"{f(r['mfu'] and 100 * r['mfu'], '5.1f'):>6} {f(r['vs_official'], '.2f'):>7} {f(r['peak_mib'], '.0f'):>7} "
              f"{'ok' if r['finite'] else 'FAIL'}")
    return dict(preset=p, matmul_peak_tflops=peak, context=ctx.shape[1], target_block=tgt.shape[2], rows=rows)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--out', default=os.environ.get('OUT', '.'))
    ap.add_argument('--smoke', action='store_true')
    ap.add_argument('--ijepa', default=None, help='path to a clone of facebookresearch/ijepa (optional)')
    a = ap.parse_args()
    dev = torch.device(a.device)
    info = dict(hardware(dev), device_type=dev.type, smoke=a.smoke)
    print(info)
    report = dict(info=info, flash=check_flash(dev, a.smoke))
    rows = benchmark_attention(flash_attention, explicit_attention, seq_lens=(49, 196) if a.smoke else (196, 784, 3136),
                               dtypes=(torch.float32,) if a.smoke else (torch.float32, torch.bfloat16, torch.float16),
                               batch=4 if a.smoke else 32, heads=3, head_dim=64, device=a.device,
                               repeats=2 if a.smoke else 10, min_seconds=0.0 if a.smoke else 0.2)
    print_attention_speedups(rows)
    report['attention'] = [{k: (str(v) if isinstance(v, torch.dtype) else v) for k, v in r.items()} for r in rows]
    p = PRESETS['smoke' if a.smoke else 'gpu']
    report['no_syncs'] = check_no_syncs(dev, p)
    report['train'] = train_matrix(dev, a.smoke, a.ijepa)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'gpu_check.json'), 'w') as f: json.dump(report, f, indent=1, default=str)
    bad = ([r for r in report['flash'] if not r['ok']] + [r['run'] for r in report['train']['rows'] if not r['finite']]
           + (['host syncs'] if report['no_syncs']['ok'] is False else []))
    if bad: print('FAILED:', bad); sys.exit(1)
    print('gpu_check: all checks passed')

if __name__ == '__main__': main()
