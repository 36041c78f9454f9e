"""Every figure README.md, benchmarks/README.md and the notebooks' readings quote from a results file or a kept output matches it (no timing, no network)."""
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

def full_training_table()->tuple:
    "(cells of nbs/10_full_training.ipynb, {row name: its % scores}) of the kept final table, the one with the three probes."
    cells = json.loads((ROOT/'nbs'/'10_full_training.ipynb').read_text())['cells']
    out = [''.join(o.get('text', '')) for c in cells for o in c.get('outputs', [])]
    table = next(t for t in out if 'random init, avg-pooled' in t and 'attentive' in t)
    return cells, {l[:26].strip(): re.findall(r'\d+\.\d%', l[26:]) for l in table.splitlines() if re.search(r'\d%', l)}

def test_full_training_table_quoted():
    "Every score in the kept final table of nbs/10_full_training.ipynb is the one its 'Reading the table' quotes."
    cells, scores = full_training_table()
    assert set(scores) == {'raw pixels', 'H-JEPA, avg-pooled', 'H-JEPA, level-1 cells', 'random init, avg-pooled',
                           'random init, level-1 cells'}, scores
    assert all(len(v) == (3 if 'cells' not in k else 2) for k, v in scores.items()), scores   # k-NN, linear (, attentive)
    prose = next(''.join(c['source']) for c in cells if ''.join(c['source']).startswith('### Reading the table'))
    missing = [(k, s) for k, v in scores.items() for s in v if s not in prose]
    assert not missing, f"scores of the kept table that the prose does not quote: {missing}"

def test_eval_page_quotes_full_training():
    "08c's case for the attentive probe quotes the kept final table of nbs/10_full_training.ipynb."
    _, row = full_training_table()
    want = (f"({row['H-JEPA, avg-pooled'][0]} k-NN and {row['H-JEPA, avg-pooled'][1]} linear, against "
            f"{row['raw pixels'][0]} and {row['raw pixels'][1]})")
    page = ' '.join(''.join(c['source']) for c in json.loads((ROOT/'nbs'/'08c_eval.ipynb').read_text())['cells']).replace('\n', ' ')
    assert want in page, want
    assert f"cells, the same tokens with their layout kept, reaches {row['H-JEPA, level-1 cells'][1]}" in page

def test_attentive_ablation_quoted():
    "Every % in 12's reading of the attentive study is in a kept output (of 12, or of 10's final table) or a run's row."
    cells = {n: json.loads((ROOT/'nbs'/n).read_text())['cells'] for n in ('12_ablation.ipynb', '10_full_training.ipynb')}
    kept = ' '.join(''.join(o.get('text', '')) for cs in cells.values() for c in cs for o in c.get('outputs', []))
    runs = [json.loads(l) for f in ('ablation_cpu.jsonl', 'ablation_cpu_attentive.jsonl') for l in (RESULTS/f).read_text().splitlines()]
    single = {f"{v * 100:.1f}%" for r in runs for sc in r['scores'].values() for v in sc.values()}
    prose = next(''.join(c['source']) for c in cells['12_ablation.ipynb'] if ''.join(c['source']).startswith('**What it shows** (2026-12-07'))
    missing = [p for p in re.findall(r'\d+\.\d%', prose) if p not in kept and p not in single]
    assert re.findall(r'\d+\.\d%', prose) and not missing, missing

def test_attentive_forms_row():
    "The attentive probe's forms row quotes results/attentive_probe_forms_cpu.txt: seconds, ratios, machine and date."
    txt = (RESULTS/'attentive_probe_forms_cpu.txt').read_text()
    secs = {(T, f): s for T, f, s in re.findall(r'^\s+(\d+)\s+(pool_first|textbook)\s+[\d.]+\s+\d+\s+([\d.]+)', txt, re.M)}
    ratios = dict(zip(('49', '16'), re.findall(r'textbook ([\d.]+)x the time of pool_first', txt)))   # in the order run
    row = next(l for l in BENCH.splitlines() if l.startswith('| attentive probe training'))
    for T in ('49', '16'):
        assert f"{secs[(T, 'textbook')]} / {secs[(T, 'pool_first')]} s = {ratios[T]}× for {T}" in row, (T, row)
    assert 'AMD EPYC' in txt.splitlines()[4] and txt.splitlines()[4][:10] in row, row
