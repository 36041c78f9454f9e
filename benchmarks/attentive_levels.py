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
from hjepa.eval import attentive_probe
from attentive_variants import checkpoint_args, checkpoint_features     # the same checkpoint, subsets and features

def main():
    ap = checkpoint_args(argparse.ArgumentParser(description=__doc__.split('\n')[0]), n=None)
    ap.add_argument('--levels', type=int, nargs='+', default=[1], help="pyramid levels whose cells the probe reads")
    ap.add_argument('--no-tokens', action='store_true', help="skip the probe over the patch tokens")
    a = ap.parse_args()
    tr, te = checkpoint_features(a, levels=a.levels, tokens=not a.no_tokens)
    D = tr['avg'][0].shape[1]
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
