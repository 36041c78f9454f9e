"""The offline docs check (tests/docs_check.py) on every notebook: nbdev's doc processing + HTML rendering."""
import subprocess, sys
from pathlib import Path
from docs_check import notebooks

ROOT = Path(__file__).resolve().parents[1]

def test_docs_render():
    r = subprocess.run([sys.executable, str(ROOT/'tests'/'docs_check.py')], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]
    nbs = [p.stem for p in notebooks()]
    assert nbs, "no notebooks"
    for n in nbs: assert (ROOT/'_docs'/f'{n}.html').stat().st_size > 0, n
