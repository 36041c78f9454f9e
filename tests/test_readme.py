"""README.md mirrors the docs home page (nbs/index.ipynb), and its usage example runs."""
import json, re, sys
from pathlib import Path
import warm

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT/'README.md').read_text()

def python_blocks(md:str)->list:
    "The ```python blocks (run by the test); ```py blocks are shown only: they train for minutes."
    return re.findall(r"```python\n(.*?)```", md, flags=re.S)

def test_readme_matches_index():
    "Every visible code cell and every markdown cell of index.ipynb appears verbatim in README.md."
    nb = json.loads((ROOT/'nbs'/'index.ipynb').read_text())
    for c in nb['cells']:
        src = ''.join(c['source']).strip()
        if src.startswith(('#|', '# hjepa')): continue
        assert src in README, f"README.md is missing this {c['cell_type']} cell of index.ipynb:\n{src[:300]}"
    assert 'make test' in README and (ROOT/'nbs'/'images'/'overview.png').exists()

def test_readme_usage_runs():
    code = '\n'.join(python_blocks(README))
    assert 'create_hjepa' in code and 'backward()' in code
    r = warm.run([sys.executable, '-c', code], cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr[-4000:]
    losses = [float(l.split()[1]) for l in r.stdout.strip().splitlines()]
    assert len(losses) == 3 and all(0 < l < 10 for l in losses), r.stdout
