"""Run every notebook in nbs/ through nbdev's own test runner, one pytest test per notebook, each in a subprocess.

`nbdev_test` exits 0 with "No files were eligible" on a wrong path, so we also require its "Success." line,
and a guard test fails when no notebook is found at all.
"""
import os, subprocess, sys
from pathlib import Path
import pytest
from docs_check import notebooks   # tests/ is on sys.path under pytest: one definition of 'the notebooks'

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NBS = notebooks()
TIMEOUT = int(os.environ.get('HJEPA_NB_TIMEOUT', 600))

def test_notebooks_found():
    "Guard: an empty or misplaced nbs/ must fail, not pass vacuously."
    names = [p.name for p in NBS]
    assert 'index.ipynb' in names and '00_data.ipynb' in names, names

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    r = subprocess.run([str(BIN/'nbdev_test'), '--path', str(nb), '--n_workers', '1'], cwd=ROOT,
                       capture_output=True, text=True, timeout=TIMEOUT)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-6000:]
    assert 'Success.' in r.stdout, out[-6000:]

def test_nbdev_test_one_worker():
    "What users run: every notebook through ONE nbdev_test worker process, so state leaking between notebooks shows."
    r = subprocess.run([str(BIN/'nbdev_test'), '--n_workers', '1'], cwd=ROOT, capture_output=True, text=True,
                       timeout=TIMEOUT * 2)
    out = r.stdout + r.stderr
    assert r.returncode == 0 and 'Success.' in r.stdout, out[-6000:]
