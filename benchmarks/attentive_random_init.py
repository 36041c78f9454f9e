"""The attentive probe on a random-init encoder: how much of the probe's score the architecture alone gives.

    python benchmarks/attentive_random_init.py                      # the default recipe (configs/fmnist_tiny.yaml)
    python benchmarks/attentive_random_init.py --limit 2000         # a quick check on fewer images

The encoder is the default recipe's model built with the run's seed and never trained, as the random-init rows of
nbs/10_full_training.ipynb. Its patch tokens (after the final LayerNorm) are scored by `hjepa.eval.attentive_probe`
with its defaults, and by the linear probe of their average, on the full Fashion-MNIST split. Prints one table and the
machine; timings are reported, never asserted.
"""
import argparse, time
import torch
from hjepa.config import load_config
from hjepa.checkpoint import build_model
from hjepa.data import build_datasets, make_loader, random_subset
from hjepa.features import feature_sets, FEATURE_BATCH
from hjepa.eval import attentive_probe, linear_probe
from hjepa.timing import hardware

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--config', default='configs/fmnist_tiny.yaml')
    ap.add_argument('--limit', type=int, default=None, help="training images (test: a sixth of them); default all")
    a = ap.parse_args()
    cfg = load_config(a.config)
    torch.manual_seed(cfg.seed)
    model = build_model(cfg).eval()                                 # the run's seed, never trained
    _, train_ds, test_ds, what = build_datasets(cfg.data)
    n_test = None if a.limit is None else max(a.limit // 6, 10)
    dls = [make_loader(random_subset(ds, n, cfg.seed), cfg, torch.device('cpu'), batch_size=FEATURE_BATCH)
           for ds, n in ((train_ds, a.limit), (test_ds, n_test))]
    t0 = time.perf_counter()
    (tr, te) = [feature_sets(model, dl, levels=(), tokens=True) for dl in dls]
    t1 = time.perf_counter()
    lin = linear_probe(*tr['avg'], *te['avg'], seed=cfg.seed)['acc']
    t2 = time.perf_counter()
    att = attentive_probe(*tr['tokens'], *te['tokens'], seed=cfg.seed, progress=False)['acc']
    t3 = time.perf_counter()
    hw = hardware()
    print(f"{hw['date']} | {hw['summary']} | torch {hw['torch']}")
    print(f"data: {what}; {len(tr['avg'][0]):,} train / {len(te['avg'][0]):,} test images")
    print(f"random-init encoder of {a.config} (seed {cfg.seed}), patch tokens {tuple(tr['tokens'][0].shape[1:])}")
    print(f"linear probe, avg-pooled: {lin:.1%}   attentive probe over the tokens: {att:.1%}")
    print(f"time: features {t1 - t0:.0f} s, linear probe {t2 - t1:.0f} s, attentive probe {t3 - t2:.0f} s")

if __name__ == '__main__': main()
