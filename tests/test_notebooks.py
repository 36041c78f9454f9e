"""Run every notebook in nbs/ through nbdev's own test runner, once, and report one pytest test per notebook.

All notebooks run in ONE `nbdev_test --n_workers 1` worker process, as `make nbdev-test` runs them, so state that leaks
from one notebook into the next shows; each notebook's test then reads that run's verdict for it, and shows its
traceback when it failed. `nbdev_test` exits 0 with "No files were eligible" on a wrong path, so a notebook passes
only when the run names no failure and says "Success."; a guard test fails when no notebook is found at all.
"""
import os, re, subprocess, sys
from pathlib import Path
import pytest
from docs_check import notebooks   # tests/ is on sys.path under pytest: one definition of 'the notebooks'

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NBS = notebooks()
TIMEOUT = int(os.environ.get('HJEPA_NB_TIMEOUT', 1800))
SECONDS = {}   # notebook name -> seconds in the nbdev_test run (conftest.py prints them at the end of the session)

def test_notebooks_found():
    "Guard: an empty or misplaced nbs/ must fail, not pass vacuously."
    names = [p.name for p in NBS]
    assert 'index.ipynb' in names and '00_data.ipynb' in names, names

@pytest.fixture(scope='session')
def nbdev_run():
    "(return code, stdout, stderr, names of the failed notebooks) of one nbdev_test run over every notebook."
    r = subprocess.run([str(BIN/'nbdev_test'), '--n_workers', '1', '--timing'], cwd=ROOT, capture_output=True, text=True,
                       timeout=TIMEOUT)
    tail = r.stderr.split('nbdev Tests Failed On The Following Notebooks:')[-1] if 'Tests Failed' in r.stderr else ''
    SECONDS.update({m[1]: int(m[2]) for m in re.finditer(r'^(\S+\.ipynb): (\d+) secs$', r.stdout, flags=re.M)})
    return r.returncode, r.stdout, r.stderr, set(re.findall(r'^\t(\S+\.ipynb)\s*$', tail, flags=re.M))

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, nbdev_run):
    rc, out, err, failed = nbdev_run
    if nb.name in failed:
        i = err.find(nb.name)
        pytest.fail(f"{nb.name} failed under nbdev_test:\n" + err[max(i, 0):max(i, 0) + 6000])
    assert rc == 0 and 'Success.' in out or failed, (out + err)[-6000:]   # the runner itself broke: every notebook fails
