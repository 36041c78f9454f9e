"""Which attentive probe: heads and token positions, compared on a trained checkpoint's patch tokens.

    python benchmarks/attentive_variants.py --checkpoint nbs/runs/full_training              # 20,000 training images
    python benchmarks/attentive_variants.py --checkpoint runs/fmnist_tiny --n 2000 --n-test 500   # a quick check

Our encoders use RoPE, so their output tokens carry no absolute position, and a probe with one learned query reads
them as a set. This script trains `hjepa.eval.attentive_probe` with one fixed setting (lr 3e-3, weight decay 0.01,
10 epochs, from the default grid) on `--n` training images, scores it on the test split, and
compares these probes:

- `2 heads, no positions`: one head per 64 channels (D = 128), a set of tokens;
- `2 heads, positions in keys and values (0.02)` and `8 heads, ...`, `16 heads, ...`: a learned [T, D] embedding
  added to the layer-normed tokens, drawn like the weights (N(0, 0.02^2));
- `8 heads, no positions`;
- `8 heads, positions in keys (N(0, 1))`: what `attentive_probe` does by default (`default_heads(128)` = 8).

The variant that is not the package's is a small subclass defined here, passed as `attentive_probe(classifier=...)`.
Prints one line per probe and the machine; timings are reported, never asserted.
"""
import argparse, time
import torch
from torch import nn
from hjepa.eval import AttentiveClassifier, attentive_probe
from hjepa.checkpoint import checkpoint_file, load_trained
from hjepa.data import build_datasets, make_loader, random_subset
from hjepa.features import feature_sets, FEATURE_BATCH
from hjepa.timing import hardware

class KVPositions(AttentiveClassifier):
    "The variant with a learned position added to the layer-normed tokens (so to keys and values), drawn at 0.02."
    def __init__(self, dim, num_classes, num_heads=None, mlp_ratio=4., generator=None, num_tokens=None):
        super().__init__(dim, num_classes, num_heads, mlp_ratio, generator)        # the package's init, no positions
        g = torch.Generator().manual_seed(1)
        self.kv_pos = None if num_tokens is None else nn.Parameter(torch.randn(num_tokens, dim, generator=g).clamp(-2, 2) * 0.02)

    def forward(self, x, return_attn=False):
        N, T, D = x.shape
        h = self.num_heads
        k, v = self.to_kv(self.norm_kv(x) + self.kv_pos).view(N, T, 2, h, D // h).permute(2, 0, 3, 1, 4)
        q = self.to_q(self.query).view(1, h, 1, D // h).expand(N, -1, -1, -1)
        attn = (q @ k.transpose(-2, -1) * (D // h) ** -0.5).softmax(-1)
        z = self.query + self.proj((attn @ v).reshape(N, D))
        z = z + self.mlp(self.norm_mlp(z))
        logits = self.head(self.norm_out(z))
        return (logits, attn.view(N, h, T)) if return_attn else logits

def score(name, xtr, ytr, xte, yte, heads, positions, cls=AttentiveClassifier):
    "One probe with the fixed setting; `cls`: the package's classifier or a variant defined here."
    t = time.perf_counter()
    r = attentive_probe(xtr, ytr, xte, yte, lrs=(3e-3,), wds=(0.01,), epochs=(10,), num_heads=heads,
                        positions=positions, progress=False, classifier=cls)
    print(f"{name:<48}{r['acc']:>8.1%}{r['val_acc']:>10.1%}{time.perf_counter() - t:>8.0f} s", flush=True)

def checkpoint_args(ap:argparse.ArgumentParser, n:int|None=20000)->argparse.ArgumentParser:
    "The arguments every attentive lab script takes: --checkpoint, --n (training images, default `n`), --n-test."
    ap.add_argument('--checkpoint', required=True, help="a run directory (its latest checkpoint) or a ckpt_*.pt file")
    ap.add_argument('--n', type=int, default=n, help=f"training images (a fixed random subset; default {n or 'all'})")
    ap.add_argument('--n-test', type=int, default=None, help="test images (default all)")
    return ap

def checkpoint_features(a, levels=(), tokens=True)->tuple:
    "(train, test) `feature_sets` of the checkpoint `a.checkpoint` on fixed random subsets of `a.n` / `a.n_test` images; prints the machine and the data."
    t = time.perf_counter()
    ck = checkpoint_file(a.checkpoint, '--checkpoint')
    model, cfg = load_trained(ck)
    _, train_ds, test_ds, what = build_datasets(cfg.data)
    dls = [make_loader(random_subset(ds, n, cfg.seed), cfg, torch.device('cpu'), batch_size=FEATURE_BATCH)
           for ds, n in ((train_ds, a.n), (test_ds, a.n_test))]
    tr, te = [feature_sets(model, dl, levels=levels, tokens=tokens) for dl in dls]
    hw = hardware()
    print(f"{hw['date']} | {hw['summary']} | torch {hw['torch']}")
    print(f"{ck}: data: {what}; {len(tr['avg'][0]):,} train / {len(te['avg'][0]):,} test images; features {time.perf_counter() - t:.0f} s")
    return tr, te

def main():
    a = checkpoint_args(argparse.ArgumentParser(description=__doc__.split('\n')[0])).parse_args()
    tr, te = checkpoint_features(a)
    (xtr, ytr), (xte, yte) = tr['tokens'], te['tokens']
    print(f"patch tokens {tuple(xtr.shape[1:])}; fixed setting: lr 3e-3, weight decay 0.01, 10 epochs (held-out: a seeded tenth of the training images)")
    print(f"{'probe':<48}{'test':>8}{'held-out':>10}{'time':>10}")
    score('2 heads, no positions', xtr, ytr, xte, yte, 2, False)
    score('2 heads, positions in keys and values (0.02)', xtr, ytr, xte, yte, 2, True, KVPositions)
    score('8 heads, no positions', xtr, ytr, xte, yte, 8, False)
    score('8 heads, positions in keys and values (0.02)', xtr, ytr, xte, yte, 8, True, KVPositions)
    score('16 heads, positions in keys and values (0.02)', xtr, ytr, xte, yte, 16, True, KVPositions)
    score('8 heads, positions in keys (N(0, 1)): the default', xtr, ytr, xte, yte, None, True)

if __name__ == '__main__': main()
