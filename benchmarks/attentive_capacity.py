"""Is the attentive probe short of training or of capacity? Longer training and more queries, on a trained checkpoint.

    python benchmarks/attentive_capacity.py --checkpoint nbs/runs/full_training              # 20,000 training images
    python benchmarks/attentive_capacity.py --checkpoint runs/fmnist_tiny --n 2000 --n-test 500   # a quick check

`hjepa.eval.attentive_probe` reads the default checkpoint's patch tokens at 88.9% on the full split, under the 89.3%
of the linear probe on the level-1 cells. This script trains it with one fixed setting (lr 3e-3, weight decay 0.01,
the setting of `attentive_variants.py`) on `--n` training images and scores it on the test split:

- `1 query, 10 epochs`: the package's probe as it is (8 heads, a learned position per token in the keys);
- `1 query, 20 epochs`: the same, trained twice as long (is 10 epochs enough?);
- `4 queries, 10 epochs`: V-JEPA 2's probe has several queries; here 4, each attending over the tokens with the same
  block (attention, then MLP), their outputs laid side by side for the linear classifier. It is a variant defined
  here, not a package option: the probe the package offers has one query.

Prints one line per probe and the machine; timings are reported, never asserted.
"""
import argparse, time
import torch
import torch.nn.functional as F
from torch import nn
from hjepa.eval import AttentiveClassifier, attentive_probe
from attentive_variants import checkpoint_args, checkpoint_features     # the same checkpoint, subsets and features

class MultiQuery(AttentiveClassifier):
    "The probe with `Q` learned queries (one block shared by all), their outputs concatenated for the classifier."
    Q = 4
    def __init__(self, dim, num_classes, num_heads=None, mlp_ratio=4., generator=None, num_tokens=None):
        super().__init__(dim, num_classes, num_heads, mlp_ratio, generator, num_tokens)
        g = torch.Generator().manual_seed(2)
        self.query = nn.Parameter(torch.randn(self.Q, dim, generator=g).clamp(-2, 2) * 0.02)
        self.norm_out, self.head = nn.LayerNorm(self.Q * dim), nn.Linear(self.Q * dim, num_classes)
        with torch.no_grad(): self.head.weight.copy_(torch.randn(self.head.weight.shape, generator=g).clamp(-2, 2) * 0.02); self.head.bias.zero_()

    def forward(self, x, return_attn=False):
        N, T, D = x.shape
        h, Q = self.num_heads, self.Q
        kv = self.to_kv(self.norm_kv(x))
        if self.pos is not None: kv = kv + F.pad(F.linear(self.pos, self.to_kv.weight[:D]), (0, D))
        k, v = kv.view(N, T, 2, h, D // h).permute(2, 0, 3, 1, 4)                     # [N, h, T, D/h]
        q = self.to_q(self.query).view(Q, h, D // h).transpose(0, 1).unsqueeze(0).expand(N, -1, -1, -1)   # [N, h, Q, D/h]
        attn = (q @ k.transpose(-2, -1) * (D // h) ** -0.5).softmax(-1)                   # [N, h, Q, T]
        z = self.query + self.proj((attn @ v).transpose(1, 2).reshape(N, Q, D))          # [N, Q, D]
        z = z + self.mlp(self.norm_mlp(z))
        logits = self.head(self.norm_out(z.reshape(N, Q * D)))
        return (logits, attn.mean(2)) if return_attn else logits

def score(name, xtr, ytr, xte, yte, epochs, cls=AttentiveClassifier):
    t = time.perf_counter()
    r = attentive_probe(xtr, ytr, xte, yte, lrs=(3e-3,), wds=(0.01,), epochs=(epochs,), progress=False, classifier=cls)
    print(f"{name:<30}{r['acc']:>8.1%}{r['val_acc']:>10.1%}{time.perf_counter() - t:>8.0f} s", flush=True)

def main():
    a = checkpoint_args(argparse.ArgumentParser(description=__doc__.split('\n')[0])).parse_args()
    tr, te = checkpoint_features(a)
    (xtr, ytr), (xte, yte) = tr['tokens'], te['tokens']
    print("fixed setting: lr 3e-3, weight decay 0.01 (held-out: a seeded tenth of the training images)")
    print(f"{'probe':<30}{'test':>8}{'held-out':>10}{'time':>10}")
    score('1 query, 10 epochs', xtr, ytr, xte, yte, 10)
    score('1 query, 20 epochs', xtr, ytr, xte, yte, 20)
    score('4 queries, 10 epochs', xtr, ytr, xte, yte, 10, MultiQuery)

if __name__ == '__main__': main()
