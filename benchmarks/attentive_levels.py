"""The attentive probe over a pyramid level's cells instead of the patch tokens, on a trained checkpoint.

    python benchmarks/attentive_levels.py --checkpoint nbs/runs/full_training                  # the full split
    python benchmarks/attentive_levels.py --checkpoint runs/fmnist_tiny --n 2000 --n-test 500   # a quick check

The linear probe reads the default checkpoint best from the 16 cells of level 1 laid side by side (89.3%, against
83.5% average-pooled), while the attentive probe reads the 49 patch tokens (88.9%). This script asks whether the
attentive probe does better on the cells themselves: it trains `hjepa.eval.attentive_probe` with its defaults (its
grid chosen on a seeded tenth of train, then refit) on the cells of each level in `--levels` (level 1: 4 x 4 cells of
D channels, each the exact mean of its patches), and on the patch tokens for comparison.
Prints one line per feature set and the machine; timings are reported, never asserted.
"""
import argparse, time
import torch
from hjepa.eval import attentive_probe
from hjepa.checkpoint import checkpoint_file, load_trained
from hjepa.data import build_datasets, make_loader, random_subset
from hjepa.features import feature_sets
from hjepa.timing import hardware

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--checkpoint', required=True, help="a run directory (its latest checkpoint) or a ckpt_*.pt file")
    ap.add_argument('--n', type=int, default=None, help="training images (a fixed random subset; default all)")
    ap.add_argument('--n-test', type=int, default=None, help="test images (default all)")
    ap.add_argument('--levels', type=int, nargs='+', default=[1], help="pyramid levels whose cells the probe reads")
    ap.add_argument('--no-tokens', action='store_true', help="skip the probe over the patch tokens")
    a = ap.parse_args()
    ck = checkpoint_file(a.checkpoint, '--checkpoint')
    model, cfg = load_trained(ck)
    _, train_ds, test_ds, what = build_datasets(cfg.data)
    dls = [make_loader(random_subset(ds, n, cfg.seed), cfg, torch.device('cpu'), batch_size=256)
           for ds, n in ((train_ds, a.n), (test_ds, a.n_test))]
    t = time.perf_counter()
    tr, te = [feature_sets(model, dl, levels=a.levels, tokens=not a.no_tokens) for dl in dls]
    D = tr['avg'][0].shape[1]
    hw = hardware()
    print(f"{hw['date']} | {hw['summary']} | torch {hw['torch']}")
    print(f"{ck}: data: {what}; {len(tr['avg'][0]):,} train / {len(te['avg'][0]):,} test images; "
          f"features {time.perf_counter() - t:.0f} s")
    print("attentive_probe defaults: lr in (1e-3, 3e-3, 1e-2) x wd in (0.01, 0.1), 10 epochs, chosen on a seeded tenth "
          "of train, refit on all of train")
    print(f"{'tokens the probe reads':<30}{'T x D':>10}{'test':>8}{'held-out':>10}{'lr':>8}{'wd':>6}{'time':>8}")
    names = [f'level {l}' for l in a.levels] + ([] if a.no_tokens else ['tokens'])
    for name in names:
        (xtr, ytr), (xte, yte) = tr[name], te[name]
        xtr, xte = xtr.view(len(xtr), -1, D), xte.view(len(xte), -1, D)   # a level's cells come flattened
        t = time.perf_counter()
        r = attentive_probe(xtr, ytr, xte, yte, progress=False)
        label = 'patch tokens' if name == 'tokens' else f'{name} cells'
        print(f"{label:<30}{f'{xtr.shape[1]} x {D}':>10}{r['acc']:>8.1%}{r['val_acc']:>10.1%}{r['lr']:>8g}{r['wd']:>6g}"
              f"{time.perf_counter() - t:>7.0f}s", flush=True)

if __name__ == '__main__': main()
