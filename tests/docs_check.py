"""Offline docs check: nbdev's own doc processing (show_doc included) on every notebook, then HTML under `_docs/`.

Quarto renders the real site (`make docs`); it cannot be installed everywhere, so this check runs the same
processors nbdev hands to Quarto (`FilterDefaults`: show_doc, hide, export stripping ...) on each notebook, fails on
any exception or error output, and renders each processed notebook to `_docs/<name>.html` with nbconvert.

Usage: python tests/docs_check.py [NOTEBOOK ...]   (default: every notebook in nbs/)
"""
import os, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def notebooks():
    "Every notebook nbdev would document (skips names starting with '_' or '.')."
    return sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith(('_', '.')))

def prepare():
    "What `nbdev_docs` does before Quarto, minus the Quarto install: quarto/sidebar yml and the module index."
    os.chdir(ROOT)
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
    from nbdev.doclinks import _build_modidx
    refresh_quarto_yml(); _build_modidx(); nbdev_sidebar.__wrapped__(path=ROOT/'nbs')
    if not (ROOT/'nbs'/'_quarto.yml').exists(): raise SystemExit("nbs/_quarto.yml is missing (symlink to ../_quarto.yml)")

def check(nb:Path)->Path:
    "Process one notebook for docs and render it to HTML; raise on any error."
    from nbdev.serve_drv import exec_nb
    from nbdev.processors import FilterDefaults
    from execnb.nbio import read_nb
    import nbformat
    from nbconvert import HTMLExporter
    proc, out = ROOT/'_proc', ROOT/'_docs'
    proc.mkdir(exist_ok=True); out.mkdir(exist_ok=True)
    dst = proc/nb.name
    cwd = os.getcwd(); os.chdir(nb.parent)
    os.environ['IN_TEST'] = '1'
    try: exec_nb(nb, dst, FilterDefaults)
    finally: os.chdir(cwd); os.environ.pop('IN_TEST', None)
    errs = [o for c in read_nb(dst).cells for o in c.get('outputs', []) if o.get('output_type') == 'error']
    if errs: raise RuntimeError(f"{nb.name}: error output after doc processing: {errs[0].get('ename')}: {errs[0].get('evalue')}")
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(dst, as_version=4))
    html = out/f'{nb.stem}.html'
    html.write_text(body)
    return html

def main(args):
    nbs = [Path(a).resolve() for a in args] or notebooks()
    if not nbs: raise SystemExit("no notebooks found in nbs/")
    prepare()
    for nb in nbs:
        h = check(nb)
        print(f"ok  {nb.name} -> {h.relative_to(ROOT)} ({h.stat().st_size//1024} KiB)")
    print(f"docs check: {len(nbs)} notebooks rendered")

if __name__ == '__main__': main(sys.argv[1:])
