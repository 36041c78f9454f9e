"""Where a training step's time goes: hjepa beside the official I-JEPA code, component by component and op by op.

    python benchmarks/step_profile.py --ijepa /path/to/ijepa        # CPU preset of step_bench.py (2 threads, fp32)
    python benchmarks/step_profile.py --preset smoke                 # seconds, hjepa only (what CI runs)

Two views of the same step (the `step_bench.py` preset, the official sampler's masks drawn once):

- **Components**, each timed on its own, interleaved over rounds with the whole step (median): the teacher's
  forward (target encoder, no grad, with its layer norm and, for hjepa, the pyramid), the context encoder
  forward+backward, the predictor and the loss forward+backward, the AdamW step and the EMA update. The official
  predictor is timed on a detached context; hjepa's is the whole forward+backward less the teacher and the context
  encoder (its predictor and loss are reached through the model's public methods). The parts add up to about a
  whole step, not exactly: a whole step shares caches and allocations.
- **Ops**, from `torch.profiler` over whole steps: self CPU time per ATen op, grouped (matrix products, the
  attention kernel, softmax, GELU, layer norm, element-wise products such as RoPE and LayerScale, copies, the
  optimiser, the rest), so a difference between the two codes shows which kind of work it is.

hjepa runs with each attention kernel (`sdpa`, `explicit`; see nbs/03a_attention.ipynb). Writes step_profile.json
to `--out` and prints both tables; timings are never asserted anywhere.
"""
import argparse, json, os, statistics, sys
import torch
import torch.nn.functional as F
from torch.profiler import profile, ProfilerActivity
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from step_bench import PRESETS, fixed_masks, official_models, official_run, hjepa_model, hjepa_run
from hjepa.grid import CellTables, masks_from_indices
from hjepa.timing import time_once, hardware

GROUPS = [   # (group, ATen op names that belong to it); the first match wins
    ('matrix products', ('aten::addmm', 'aten::mm', 'aten::bmm', 'aten::baddbmm', 'aten::linear', 'aten::matmul')),
    ('attention kernel (SDPA)', ('aten::_scaled_dot_product_flash_attention_for_cpu',
                                 'aten::_scaled_dot_product_flash_attention_for_cpu_backward')),
    ('softmax', ('aten::_softmax', 'aten::_softmax_backward_data')),
    ('GELU', ('aten::gelu', 'aten::gelu_backward')),
    ('layer norm', ('aten::native_layer_norm', 'aten::native_layer_norm_backward')),
    ('element-wise products (RoPE, LayerScale, scaling)', ('aten::mul',)),
    ('copies and layout', ('aten::copy_', 'aten::clone', 'aten::contiguous', 'aten::_to_copy', 'aten::cat', 'aten::stack')),
    ('optimiser and EMA', ('aten::_foreach_', 'aten::lerp_', 'aten::addcdiv_', 'aten::addcmul_', 'aten::sqrt', 'aten::mul_',
                           'aten::add_', 'aten::div', 'Optimizer.')),
]

COMPONENTS = ('teacher', 'context_encoder', 'predictor_loss', 'adamw', 'ema', 'step')

def group_of(name:str)->str:
    for g, names in GROUPS:
        if any(name == n or (n.endswith('_') and name.startswith(n)) or (n.endswith('.') and name.startswith(n)) for n in names):
            return g
    return 'other'

def official_parts(p:dict, dev, ctx, tgt, ijepa:str)->dict:
    "The official code's step, cut into components (each a closure on fixed data)."
    enc, pred, tenc, apply_masks, repeat_interleave_batch = official_models(p, dev, ijepa)
    opt = torch.optim.AdamW(list(enc.parameters()) + list(pred.parameters()), lr=1e-4)
    x = torch.randn(p['batch'], 3, p['img_size'], p['img_size'], generator=torch.Generator().manual_seed(0)).to(dev)
    me, mp = [ctx.to(dev)], [t.to(dev) for t in tgt.unbind(1)]
    def teacher():
        with torch.no_grad():
            h = tenc(x); h = F.layer_norm(h, (h.size(-1),))
            return repeat_interleave_batch(apply_masks(h, mp), len(h), repeat=1)
    h = teacher()
    z0 = enc(x, me).detach()
    gz = torch.randn_like(z0)
    def context(): enc(x, me).backward(gz)
    def predictor_loss():
        zz = z0.clone().requires_grad_(); F.smooth_l1_loss(pred(zz, me, mp), h).backward()
    for q in opt.param_groups[0]['params']: q.grad = torch.zeros_like(q)
    def adamw(): opt.step()
    def ema():
        with torch.no_grad():
            for q, k in zip(enc.parameters(), tenc.parameters()): k.data.mul_(0.996).add_((1. - 0.996) * q.detach().data)
    return dict(teacher=teacher, context_encoder=context, predictor_loss=predictor_loss, adamw=adamw, ema=ema)

def hjepa_parts(p:dict, levels:int, dev, ctx, tgt, attention:str)->dict:
    "hjepa's step, cut into the same components, through the model's public methods."
    model = hjepa_model(p, levels, dev, attention)
    grid = p['img_size'] // p['patch_size']
    m = masks_from_indices(ctx, tgt, CellTables(grid, levels)).to(dev)
    x = torch.randn(p['batch'], 3, p['img_size'], p['img_size'], generator=torch.Generator().manual_seed(0)).to(dev)
    opt = torch.optim.AdamW([q for q in model.parameters() if q.requires_grad], lr=1e-4)   # as hjepa trains on a CPU
    enc = model.context_encoder
    def teacher(): return model.targets(x)
    z0 = enc(x, m.context_idx).detach()
    gz = torch.randn_like(z0)
    def context(): enc(x, m.context_idx).backward(gz)
    def whole_loss(): model(x, m)['loss'].backward()                   # teacher + context encoder + predictor + loss
    for q in opt.param_groups[0]['params']: q.grad = torch.zeros_like(q)
    def adamw(): opt.step()
    def ema(): model.update_target(0.996)
    return dict(teacher=teacher, context_encoder=context, whole_loss=whole_loss, adamw=adamw, ema=ema)

def time_parts(parts:dict, dev, rounds:int)->dict:
    "Median ms of every (run, component) closure, interleaved over `rounds` rounds after a warm-up."
    for fs in parts.values():
        for f in fs.values(): f(); f()
    t = {(r, c): [] for r, fs in parts.items() for c in fs}
    for _ in range(rounds):
        for r, fs in parts.items():
            for c, f in fs.items(): t[r, c].append(time_once(f, dev) * 1e3)
    return {k: statistics.median(v) for k, v in t.items()}

def op_profile(step, steps:int=3)->dict:
    "Self CPU ms per step of every ATen op over `steps` whole steps (after two warm-up steps)."
    step(); step()
    with profile(activities=[ProfilerActivity.CPU]) as pr:
        for _ in range(steps): step()
    return {e.key: e.self_cpu_time_total / 1e3 / steps for e in pr.key_averages() if e.self_cpu_time_total > 0}

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--preset', default='cpu', choices=['cpu', 'smoke'])
    ap.add_argument('--ijepa', default=None, help="path to a clone of facebookresearch/ijepa (optional)")
    ap.add_argument('--rounds', type=int, default=None)
    ap.add_argument('--out', default=os.environ.get('OUT', '.'))
    a = ap.parse_args(argv)
    p, dev = dict(PRESETS[a.preset]), torch.device('cpu')
    if p['threads']: torch.set_num_threads(p['threads'])
    rounds = a.rounds or (7 if a.preset == 'cpu' else 1)
    grid = p['img_size'] // p['patch_size']
    ctx, tgt = fixed_masks(grid, p['batch'])
    parts, steps = {}, {}
    if a.ijepa:
        parts['official I-JEPA'] = official_parts(p, dev, ctx, tgt, a.ijepa)
        steps['official I-JEPA'] = official_run(p, dev, ctx, tgt, a.ijepa)
    for k in ('sdpa', 'explicit'):
        for L in (1, 3):
            name = f"hjepa {L} level{'s' if L > 1 else ''}, {k}"
            parts[name] = hjepa_parts(p, L, dev, ctx, tgt, k)
            steps[name] = hjepa_run(p, L, dev, ctx, tgt, attention=k)
    for r in parts: parts[r]['step'] = steps[r]
    ms = time_parts(parts, dev, rounds)
    comp = {}
    for r, fs in parts.items():
        c = {k: ms[r, k] for k in fs}
        if 'whole_loss' in c: c['predictor_loss'] = c['whole_loss'] - c['teacher'] - c['context_encoder']   # hjepa
        comp[r] = {k: c[k] for k in COMPONENTS}
    ops = {r: op_profile(f, 2 if a.preset == 'smoke' else 3) for r, f in steps.items()}
    groups = {r: {} for r in ops}
    for r, o in ops.items():
        for n, t in o.items():
            if n.startswith('aten::') or n.startswith('Optimizer.'):
                g = group_of(n); groups[r][g] = groups[r].get(g, 0.) + t
    gnames = [g for g, _ in GROUPS] + ['other']
    groups = {r: {g: round(v.get(g, 0.), 2) for g in gnames} for r, v in groups.items()}   # every group, in one order
    info = dict(p, **hardware(dev), preset=a.preset, rounds=rounds, context=ctx.shape[1], target_block=tgt.shape[2])
    names, col = list(parts), lambda n: n.replace('hjepa ', '')[:20]
    print(f"{info['device']}, torch {info['torch']}, {info['threads']} threads, {a.preset} preset, fp32; "
          f"official-sampler masks: context {ctx.shape[1]}, 4 blocks of {tgt.shape[2]}; median of {rounds} interleaved rounds")
    print("\ncomponents, ms (hjepa's predictor and loss: the whole forward+backward less the teacher and the context encoder)")
    print(f"{'component':24}" + ''.join(f"{col(n):>21}" for n in names))
    for c in COMPONENTS:
        print(f"{'whole step' if c == 'step' else c:24}" + ''.join(f"{comp[n][c]:21.1f}" for n in names))
    print(f"{'sum of the parts':24}" + ''.join(f"{sum(v for k, v in comp[n].items() if k != 'step'):21.1f}" for n in names))
    print("\nself CPU time per whole step by kind of op (ms, torch.profiler)")
    print(f"{'op group':50}" + ''.join(f"{col(n):>21}" for n in names))
    for g in gnames:
        print(f"{g[:50]:50}" + ''.join(f"{groups[n].get(g, 0.):21.1f}" for n in names))
    print(f"{'total':50}" + ''.join(f"{sum(groups[n].values()):21.1f}" for n in names))
    top = sorted({k for o in ops.values() for k in o if k.startswith('aten::')}, key=lambda k: -max(o.get(k, 0) for o in ops.values()))[:12]
    res = dict(info=info, components=comp, op_groups=groups, top_ops={n: {k: ops[n].get(k, 0.) for k in top} for n in names})
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, 'step_profile.json'), 'w') as f: json.dump(res, f, indent=1)
    return res

if __name__ == '__main__': main()
