"""The package's layout keeps the data flow readable: every `hjepa` module imports only modules taught in earlier
notebooks (so there is no import cycle), no module reaches into another's `_private` names, the benchmarks use the
public API only, and no module grows past a screenful of ideas."""
import ast, json, re
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG, NBS = ROOT / 'hjepa', ROOT / 'nbs'
MAX_LINES = 450                     # any module
MAX_LINES_LOOP = {'train': 400}     # the training loop's own module is read on few screens


def module_order()->dict:
    "{module: position}: the modules in the order of the notebooks that export them (the order a student reads them)."
    order = {}
    for nb in sorted(NBS.glob('*.ipynb')):
        for c in json.loads(nb.read_text())['cells']:
            m = re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(c['source']), re.M)
            if m and c['cell_type'] == 'code': order.setdefault(m.group(1), len(order))
    return order


def hjepa_imports(path:Path)->list:
    "[(line, module, names)] of every `hjepa` import in a file, at any depth (lazy imports inside functions count)."
    out, tree = [], ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level == 1: mod = f'hjepa.{mod}' if mod else 'hjepa'
            if mod == 'hjepa':    # `from hjepa import train`: each name is a module
                out += [(node.lineno, f'hjepa.{a.name}', []) for a in node.names]
            elif mod.startswith('hjepa.'): out.append((node.lineno, mod, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names if a.name.startswith('hjepa.')]
    return out


def modules()->list: return sorted(p for p in PKG.glob('*.py') if not p.name.startswith('_'))


def test_every_module_comes_from_a_notebook():
    order = module_order()
    assert {p.stem for p in modules()} == set(order), "each hjepa module is exported by exactly one notebook"


@pytest.mark.parametrize('path', modules(), ids=lambda p: p.stem)
def test_imports_run_down_the_data_flow(path):
    order = module_order()
    for line, mod, _ in hjepa_imports(path):
        name = mod.split('.')[1]
        assert name in order, f"{path.name}:{line} imports {mod}, which no notebook exports"
        assert order[name] < order[path.stem], (f"{path.name}:{line} imports {mod}: a module may only import modules "
                                                f"of earlier notebooks (order: {sorted(order, key=order.get)})")


@pytest.mark.parametrize('path', modules(), ids=lambda p: p.stem)
def test_no_private_names_across_modules(path):
    for line, mod, names in hjepa_imports(path):
        private = [n for n in names if n.startswith('_')]
        assert not private, f"{path.name}:{line} imports {private} from {mod}: make it public in the lower module"


def _script_violations(path:Path)->list:
    "Private names and rebound attributes of hjepa modules in a script (tests and benchmarks use the public API)."
    tree, bad = ast.parse(path.read_text()), []
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or '').startswith('hjepa'):
            bad += [f"{path.name}:{node.lineno} imports {a.name} from {node.module}" for a in node.names
                    if a.name.startswith('_') and a.name != '__version__']
            if node.module == 'hjepa': aliases |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names if a.name.startswith('hjepa') and a.asname}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            if node.attr.startswith('_') and not node.attr.startswith('__'):
                bad.append(f"{path.name}:{node.lineno} uses {node.value.id}.{node.attr}")
            if isinstance(node.ctx, ast.Store):
                bad.append(f"{path.name}:{node.lineno} rebinds {node.value.id}.{node.attr}")
    return bad


def test_benchmarks_use_the_public_api():
    bad = [v for p in sorted((ROOT / 'benchmarks').rglob('*.py')) for v in _script_violations(p)]
    assert not bad, '\n'.join(bad)


@pytest.mark.parametrize('path', modules(), ids=lambda p: p.stem)
def test_module_size(path):
    n, limit = len(path.read_text().splitlines()), MAX_LINES_LOOP.get(path.stem, MAX_LINES)
    assert n <= limit, f"{path.name}: {n} lines, more than {limit}: split it along its ideas"


def test_the_checks_can_fail(tmp_path):
    "The script check catches a private import, a private attribute and a rebinding."
    s = tmp_path / 's.py'
    s.write_text("from hjepa.eval import _collect\nimport hjepa.train as t\nt.build_model = None\nt._CKPT_RE\n")
    got = _script_violations(s)
    assert len(got) == 3 and 'imports _collect' in got[0], got
    f = tmp_path / 'm.py'
    f.write_text("def g():\n    from .model import HJEPA\n    from hjepa.masks import _x\n")
    assert [m for _, m, _ in hjepa_imports(f)] == ['hjepa.model', 'hjepa.masks']
