"""Every figure README.md and benchmarks/README.md quote from a results file matches that file (no timing, no network)."""
import json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT/'benchmarks'/'results'
BENCH = (ROOT/'benchmarks'/'README.md').read_text()
README = (ROOT/'README.md').read_text()

def section(md, start, end):
    "The text of `md` from heading `start` to the next heading `end`."
    i = md.index(start); return md[i:md.index(end, i)]

def test_step_bench_table():
    "The step table quotes results/step_bench_cpu.json: every row's ms, images/s, GFLOP and ratio, and its machine and date."
    sb = json.loads((RESULTS/'step_bench_cpu.json').read_text())
    sec = section(BENCH, '### Training step against the official I-JEPA code', '### Other figures')
    info = sb['info']
    assert f"{info['device']}, {info['threads']} threads, torch {info['torch']}, {info['date']}" in sec
    table = [l for l in sec.splitlines() if l.startswith('| ') and ' ms |' in l]
    assert len(table) == len(sb['rows']), table
    for line, row in zip(table, sb['rows']):
        cells = [c.strip() for c in line.strip('|').split('|')]
        assert cells[1] == f"{row['step_ms']:.0f} ms", (line, row)
        assert cells[2] == f"{row['images_per_s']:.0f}", (line, row)
        assert cells[3] == f"{row['gflop']:.1f}", (line, row)
        assert cells[4].strip('*') == f"{row['vs_official']:.2f}×", (line, row)

def test_run_cpu_rows():
    "The collation and EMA rows quote results/run_cpu.json, with its machine and date."
    r = json.loads((RESULTS/'run_cpu.json').read_text())
    c, e, i = r['collation'], r['ema'], r['info']
    rows = {l.split('|')[1].strip().split(',')[0]: l for l in BENCH.splitlines() if l.startswith('| ')}
    col, ema = rows['mask collation'], rows['EMA update']
    assert f"{c['masks_and_queries_ms']:.2f} ms against {c['official_loops_ms']:.2f} ms" in col, col
    assert f"({c['speedup']:.1f}×)" in col and f"batch {c['batch']} on {c['grid']}×{c['grid']}" in col, col
    assert f"{e['fused_ms']:.1f} ms against {e['loop_ms']:.1f} ms ({e['speedup']:.1f}×)" in ema and e['model'] in ema, ema
    for l in (col, ema): assert f"{i['device']}, {i['date']}" in l and '`results/run_cpu.json`' in l, l

def test_no_unsourced_figures():
    "No figure that no file in the repository holds, and no link to a notebook that does not exist."
    for bad in ('8.3 ms', '0.35 → 0.02 ms', 'a few minutes on one GPU', 'MFU of at least 25%', 'in a session'):
        assert bad not in BENCH, bad
    for md in (BENCH, README):
        for nb in re.findall(r'nbs/(\w+)\.ipynb', md): assert (ROOT/'nbs'/f'{nb}.ipynb').exists(), nb

def test_readme_training_time():
    "The training times quoted in README.md are the kept output of nbs/10_full_training.ipynb and the Xeon run's file."
    nb = json.loads((ROOT/'nbs'/'10_full_training.ipynb').read_text())
    out = '\n'.join(''.join(o.get('text', '')) for c in nb['cells'] for o in c.get('outputs', []))
    pat = r"([\d,]+) steps in ([\d.]+) min on: (\d{4}-\d\d-\d\d) \| (AMD EPYC|Intel\(R\) Xeon\(R\))"
    m = re.search(pat, out)
    assert m, 'no training time in the kept output of 10_full_training'
    cpu = 'AMD EPYC' if m[4] == 'AMD EPYC' else 'Intel Xeon'
    assert f"the kept output of\n  `nbs/10_full_training.ipynb` took {m[2]} minutes on the same kind of machine" in README and cpu == 'AMD EPYC'
    x = re.search(pat, (RESULTS/'full_training_xeon_2026-12-03.txt').read_text())
    assert x and f"on a 2-core Intel Xeon the run with its evaluation took {x[2]} minutes ({x[3]}," in README
