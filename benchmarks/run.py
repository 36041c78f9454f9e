"""hjepa's benchmark suite: one script that times what matters, writes JSON and prints a table.

    python benchmarks/run.py                       # this machine (CUDA if present), results/run_<cpu|gpu>.json
    python benchmarks/run.py --device cpu --out benchmarks/results
    python benchmarks/run.py --smoke --out smoke   # seconds: checks the script and its JSON (what CI runs)

What it measures, each on fixed inputs in one process (the step runs in a fresh subprocess per model, so the CPU's
peak RSS is that model's alone):
- the training step (forward, loss, backward, AdamW, EMA) with hjepa's own masks, for the tiny, small and base
  configs at 1 and 3 levels: step time, images/s, peak memory (RSS on the CPU, max allocated on CUDA);
- eager against `torch.compile(model, fullgraph=True)` for the small config at 3 levels;
- mask collation per batch (masks and every block's queries, one thread) against the official-style loops;
- the EMA update (one fused `_foreach_lerp_`) against a per-tensor loop;
- flash (SDPA) against explicit attention, forward + backward.
Timings are reported, never asserted: `tests/test_benchmarks.py` runs `--smoke` and checks only the JSON's form.
`nbs/13_benchmarks.ipynb` shows the latest committed results.
"""
import argparse, json, os, resource, statistics, subprocess, sys
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from step_bench import hjepa_run
from hjepa.timing import time_once, hardware

CONFIGS = {   # name -> model and batch; `hjepa_run` builds a ViT with these overrides (3-channel input)
    'tiny':  dict(img_size=28, patch_size=4, embed_dim=128, depth=4, num_heads=4, pred_dim=96, pred_depth=3, batch=128),
    'small': dict(img_size=96, patch_size=8, embed_dim=192, depth=6, num_heads=3, pred_dim=96, pred_depth=3, batch=32),
    'base':  dict(img_size=224, patch_size=16, embed_dim=768, depth=12, num_heads=12, pred_dim=384, pred_depth=6, batch=128),
}
SMOKE = dict(img_size=32, patch_size=4, embed_dim=32, depth=1, num_heads=2, pred_dim=16, pred_depth=1, batch=4)

def _ms(f, reps:int, dev)->float:
    "Median milliseconds of `reps` calls after one warm-up."
    f()
    return statistics.median_high(time_once(f, dev) for _ in range(reps)) * 1e3

def one_step(name:str, levels:int, dev, smoke:bool, compile_)->dict:
    "Time one model's training step (run in its own process for a clean peak RSS)."
    p = dict(SMOKE if smoke else CONFIGS[name])
    if dev.type == 'cpu' and name == 'base' and not smoke: p['batch'] = 8       # ViT-B on a CPU: a small batch
    p.update(dtype='bf16' if dev.type == 'cuda' else 'fp32', steps=1, rounds=1)
    f = hjepa_run(p, levels, dev, None, None, compile_=compile_, collator=True)
    if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats()
    first = time_once(f, dev)                                                          # includes compiling
    ms = _ms(f, 2 if smoke else 5, dev)
    peak = (torch.cuda.max_memory_allocated() if dev.type == 'cuda'
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024) / 2**20
    return dict(config=name, levels=levels, compiled=bool(compile_), batch=p['batch'], img_size=p['img_size'],
                dtype=p['dtype'], step_ms=ms, images_per_s=p['batch'] / ms * 1e3, first_step_s=first,
                peak_mib=peak, peak_kind='max allocated' if dev.type == 'cuda' else 'process RSS')

def steps(dev, smoke:bool)->list:
    "Every (config, levels) step, each in a subprocess; plus the compiled small 3-level step."
    jobs = [(n, L, False) for n in (['tiny'] if smoke else list(CONFIGS)) for L in (1, 3)]
    jobs.append(('tiny' if smoke else 'small', 3, 'eager' if smoke else True))
    rows = []
    for n, L, c in jobs:
        cmd = [sys.executable, os.path.abspath(__file__), '--one', f'{n},{L},{c}', '--device', str(dev)] + (['--smoke'] if smoke else [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode: raise RuntimeError(f"step {n}/{L} levels failed:\n{r.stderr[-3000:]}")
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
        print(f"  step {n:6} {L} level{'s' if L > 1 else ' '}{' compiled' if c else '         '}: {rows[-1]['step_ms']:8.1f} ms, "
              f"{rows[-1]['images_per_s']:7.0f} img/s, peak {rows[-1]['peak_mib']:6.0f} MiB", flush=True)
    return rows

def collation(smoke:bool)->dict:
    "Masks + queries for a batch of 32 on 14x14, one thread, against the official-style loops."
    from hjepa.masks import MaskCollator
    n = torch.get_num_threads(); torch.set_num_threads(1)
    try:
        ours, theirs, idx = MaskCollator(14), MaskCollator(14, official_quirks=True), list(range(32))
        reps = 3 if smoke else 50
        r = dict(batch=32, grid=14, threads=1, masks_ms=_ms(lambda: ours.sample_indices(32, idx), reps, torch.device('cpu')),
                 masks_and_queries_ms=_ms(lambda: ours.sample_batch_masks(32, idx), reps, torch.device('cpu')),
                 official_loops_ms=_ms(lambda: theirs.sample_indices(32, idx), reps, torch.device('cpu')))
    finally: torch.set_num_threads(n)
    r['speedup'] = r['official_loops_ms'] / r['masks_and_queries_ms']
    return r

def ema(dev, smoke:bool)->dict:
    "The target-encoder EMA: one fused `_foreach_lerp_` against a Python loop over the parameters."
    from hjepa.encoder import ViTEncoder, create_target_encoder, update_target_encoder
    kw = dict(img_size=32, patch_size=4, embed_dim=32, depth=2, num_heads=2) if smoke else {}
    enc = ViTEncoder('vit_small_patch16_224', **kw).to(dev); tgt = create_target_encoder(enc)
    def loop():
        with torch.no_grad():
            for q, k in zip(enc.parameters(), tgt.parameters()): k.mul_(0.996).add_(q.detach(), alpha=0.004)
    reps = 3 if smoke else 20
    r = dict(model='tiny test encoder' if smoke else 'ViT-S/16', tensors=len(list(enc.parameters())),
             fused_ms=_ms(lambda: update_target_encoder(enc, tgt, 0.996), reps, dev), loop_ms=_ms(loop, reps, dev))
    r['speedup'] = r['loop_ms'] / r['fused_ms']
    return r

def attention(dev, smoke:bool)->list:
    "Flash (SDPA) against explicit attention, forward + backward (the harness of nbs/03b_timing)."
    from hjepa.attention import flash_attention, explicit_attention
    from hjepa.timing import benchmark_attention, attention_speedups
    dts = (torch.float32,) if dev.type == 'cpu' else (torch.float32, torch.bfloat16)
    rows = benchmark_attention(flash_attention, explicit_attention, seq_lens=(49,) if smoke else (196, 784) if dev.type == 'cpu' else (196, 784, 3136),
                               dtypes=dts, batch=2 if smoke else 32, heads=3, head_dim=64, device=str(dev),
                               repeats=2 if smoke else 5)
    return [{k: (str(v) if isinstance(v, torch.dtype) else v) for k, v in s.items()} for s in attention_speedups(rows)]

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--out', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'results'))
    ap.add_argument('--smoke', action='store_true')
    ap.add_argument('--one', default=None, help=argparse.SUPPRESS)           # internal: one step, JSON on stdout
    a = ap.parse_args(argv)
    dev = torch.device(a.device)
    if dev.type == 'cuda': torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    if a.one:
        n, L, c = a.one.split(',')
        print(json.dumps(one_step(n, int(L), dev, a.smoke, {'False': False, 'True': True}.get(c, c)))); return
    info = dict(hardware(dev), device_type=dev.type, smoke=a.smoke)
    print(f"{info['date']}, {info['summary']}, torch {info['torch']}{' (smoke)' if a.smoke else ''}", flush=True)
    res = dict(info=info, steps=steps(dev, a.smoke), collation=collation(a.smoke), ema=ema(dev, a.smoke),
               attention=attention(dev, a.smoke))
    c, e = res['collation'], res['ema']
    print(f"  collation, batch 32 on 14x14, 1 thread: masks {c['masks_ms']:.2f} ms, with queries {c['masks_and_queries_ms']:.2f} ms, "
          f"official-style loops {c['official_loops_ms']:.1f} ms ({c['speedup']:.1f}x)")
    print(f"  EMA update, {e['model']} ({e['tensors']} tensors): fused {e['fused_ms']:.2f} ms, loop {e['loop_ms']:.2f} ms ({e['speedup']:.1f}x)")
    for s in res['attention']:
        print(f"  attention {s['dtype']:14} {s['mode']:7} N={s['N']:5d}: SDPA {s['sdpa_ms']:.2f} ms, explicit {s['explicit_ms']:.2f} ms ({s['ratio']:.2f}x)")
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, f"run_{'smoke' if a.smoke else dev.type}.json")
    with open(path, 'w') as f: json.dump(res, f, indent=1)
    print(f"wrote {path}")
    return res

if __name__ == '__main__': main()
