"""What the attentive probe costs: `hjepa.eval.attentive_probe` timed on random tokens of the full Fashion-MNIST size.

    python benchmarks/attentive_probe_cost.py                  # 60,000 train / 10,000 test images, D = 128, T = 49 and 16
    python benchmarks/attentive_probe_cost.py --n 2000         # a quick check that it runs (test set: n / 6 images)
    python benchmarks/attentive_probe_cost.py --grid one       # one setting (lr 3e-3, wd 0.1): 2 trainings instead of 7
    python benchmarks/attentive_probe_cost.py --forms pool_first textbook   # both forms of the probe, interleaved, and their ratio

The tokens are standard Gaussian and the labels random, so the accuracies printed are at chance: only the seconds
matter. T = 49 is the 7 x 7 patch grid of a 28 px image with 4 px patches, T = 16 its level-1 cells. The whole call is
timed (standardising, the trainings of the grid, the refit and the scoring of the test set). Timings are never
asserted anywhere; the work grows as N (2 h T D + 10 D^2) per epoch (h heads), so a run at a smaller `--n` predicts
the full size. `--forms` times the probe as `attentive_probe` trains it (`pool_first`: the tokens are weighed and
pooled, then projected once) and as the textbook block (`textbook`: every token projected to a key and a value,
then fused attention); the two are one function, so their accuracies agree up to rounding.
"""
import argparse, time
import torch
from hjepa.eval import attentive_probe, AttentiveClassifier
from hjepa.timing import hardware

GRIDS = {'default': {}, 'one': dict(lrs=(3e-3,), wds=(0.1,))}

class TextbookClassifier(AttentiveClassifier):
    "`AttentiveClassifier` computed as the textbook block: keys and values of every token, then attention."
    def forward(self, x, return_attn=False): return super().forward(x, return_attn, pool_first=False)

FORMS = {'pool_first': AttentiveClassifier, 'textbook': TextbookClassifier}

def random_tokens(n:int, T:int, D:int, C:int=10, seed:int=0)->tuple:
    "Standard Gaussian tokens [n, T, D] and random labels [n] in [0, C)."
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, T, D, generator=g), torch.randint(0, C, (n,), generator=g)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--n', type=int, default=60000, help="training images (Fashion-MNIST: 60,000)")
    ap.add_argument('--n-test', type=int, default=None, help="test images; default n / 6 (10,000 for 60,000)")
    ap.add_argument('--dim', type=int, default=128, help="token width D")
    ap.add_argument('--tokens', type=int, nargs='+', default=[49, 16], help="tokens per image T, one timing each")
    ap.add_argument('--epochs', type=int, default=10, help="epochs per training")
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--grid', choices=sorted(GRIDS), default='default', help="'default': 3 lrs x 2 wds; 'one': 1 setting")
    ap.add_argument('--threads', type=int, default=None, help="torch.set_num_threads; default: torch's own")
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--forms', nargs='+', choices=sorted(FORMS), default=['pool_first'],
                    help="the probe's forms to time, one after the other at each T (see above)")
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    n_test = a.n_test or max(1, a.n // 6)
    print(f"{time.strftime('%Y-%m-%d %H:%M')}  {hardware(a.device)['summary']}  "
          f"{torch.get_num_threads()} threads  device {a.device}")
    print(f"train {a.n:,} / test {n_test:,} images, D = {a.dim}, {a.epochs} epochs, batch {a.batch_size}, grid {a.grid}")
    print(f"{'T':>4}{'form':>12}{'tokens GB':>11}{'trainings':>11}{'seconds':>10}{'s / epoch':>11}{'test acc':>10}")
    for T in a.tokens:
        x, y = random_tokens(a.n + n_test, T, a.dim)
        x, y = x.to(a.device), y.to(a.device)
        secs = {}
        for form in a.forms:
            t = time.perf_counter()
            r = attentive_probe(x[:a.n], y[:a.n], x[a.n:], y[a.n:], epochs=(a.epochs,), batch_size=a.batch_size,
                                progress=False, classifier=FORMS[form], **GRIDS[a.grid])
            if x.device.type == 'cuda': torch.cuda.synchronize()
            s = secs[form] = time.perf_counter() - t
            fits = len(r['val_accs']) + 1
            print(f"{T:>4}{form:>12}{x[:a.n].numel() * 4 / 1e9:>11.2f}{fits:>11}{s:>10.1f}{s / (fits * a.epochs):>11.2f}{r['acc']:>10.3f}")
        if len(secs) > 1:
            print(f"{'':>4}{'':>12}  " + ', '.join(f"{f} {secs[f] / secs[a.forms[0]]:.2f}x" for f in a.forms[1:])
                  + f" the time of {a.forms[0]}")

if __name__ == '__main__': main()
