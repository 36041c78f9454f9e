"""Offline docs check: nbdev's own doc processing (show_doc included) on every notebook, then HTML under `_docs/`.

Quarto renders the real site (`make docs`); it cannot be installed everywhere, so this check runs the same
processors nbdev hands to Quarto (`FilterDefaults`: show_doc, hide, export stripping ...) on each notebook into
`_proc/`, fails on any exception or error output, and renders each processed notebook with nbconvert to the page
Quarto would write (nbdev's `output-file`: `08c_eval.ipynb` -> `_docs/eval.html`), doing by hand what Quarto does:
- the YAML front matter nbdev puts in a raw first cell becomes the title heading and the description;
- cell options: `#| include: false` / `#| hide` drop a cell, `#| echo: false` its code, `#| output: false` its
  outputs, and no `#|` line is shown;
- Quarto-only markdown is dropped: attributes (`[text](url){target="_blank"}`, `[text]{.class}`, `## Head {#id}`)
  and `:::` div fences (their content stays);
- links to notebooks (`01b_masks.ipynb`) and to the published site (nbdev's `show_doc` links) point at the local
  pages, and heading ids are pandoc's (lowercase), so `eval.html#extract_features` lands;
- maths is typeset by MathJax 2 from Debian's libjs-mathjax, copied into `_docs/mathjax/`: nothing is fetched at
  run time (`make docs-deps` installs it);
- a sidebar links the pages in the order of `nbs/sidebar.yml`.
tests/test_docs.py checks the pages, and opens each in headless Chromium.

Usage: python tests/docs_check.py [NOTEBOOK ...]   (default: every notebook in nbs/; one worker process per core)
"""
import html, json, os, re, shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, PROC, OUT = ROOT/'nbs', ROOT/'_proc', ROOT/'_docs'
MATHJAX = Path('/usr/share/javascript/mathjax')   # Debian's libjs-mathjax (MathJax 2.7, fonts from fonts-mathjax)
# What a page loads with this config (the TeX input, CommonHTML output and their on-demand parts), copied to _docs/
MATHJAX_URL = 'mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe'
MATHJAX_PARTS = ['MathJax.js', 'config/TeX-AMS_CHTML-full.js', 'extensions', 'jax/input/TeX', 'jax/element',
                 'jax/output/CommonHTML', 'fonts/HTML-CSS/TeX/woff', 'localization/en']

def notebooks():
    "Every notebook nbdev would document (skips names starting with '_' or '.')."
    return sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith(('_', '.')))

def page_name(nb)->str:
    "The page Quarto writes for a notebook (nbdev's `output-file`), relative to `_docs/`: `08c_eval.ipynb` -> `eval.html`."
    from nbdev.doclinks import _nbpath2html
    p = Path(nb)
    return _nbpath2html(p.relative_to(NBS) if p.is_absolute() else p).as_posix()

def nb_title(nb:Path)->str:
    "A notebook's title as nbdev's FrontmatterProc finds it: raw YAML front matter, or the first `# Title` cell."
    from nbdev.frontmatter import _fm2dict, _md2dict
    for c in json.loads(nb.read_text())['cells']:
        src = ''.join(c['source'])
        fm = _fm2dict(src) if c['cell_type'] == 'raw' else _md2dict(src) if c['cell_type'] == 'markdown' else {}
        if fm.get('title'): return str(fm['title'])
    return nb.stem

def prepare():
    "What `nbdev_docs` does before Quarto, minus the Quarto install: quarto/sidebar yml and the module index; MathJax."
    os.chdir(ROOT)
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar
    from nbdev.doclinks import _build_modidx
    refresh_quarto_yml(); _build_modidx(); nbdev_sidebar.__wrapped__(path=NBS)
    if not (NBS/'_quarto.yml').exists(): raise SystemExit("nbs/_quarto.yml is missing (symlink to ../_quarto.yml)")
    copy_mathjax()

def copy_mathjax():
    "Copy the parts of Debian's MathJax that the pages load into `_docs/mathjax/`, so they work offline, anywhere."
    missing = [p for p in MATHJAX_PARTS if not (MATHJAX/p).exists()]
    if missing: raise SystemExit(f"MathJax 2 is missing or incomplete at {MATHJAX} (no {missing[0]}): install Debian's "
                                 "libjs-mathjax (`make docs-deps`, or `apt-get install libjs-mathjax`)")
    for p in MATHJAX_PARTS:
        src, dst = MATHJAX/p, OUT/'mathjax'/p
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir(): shutil.copytree(src, dst, dirs_exist_ok=True)
        else: shutil.copy2(src, dst)

## The sidebar: nbs/sidebar.yml (what Quarto reads), pages titled as in their front matter

def sidebar()->list:
    "`nbs/sidebar.yml` as (depth, text, page or None for a section heading), in order."
    import yaml
    res = []
    def walk(items, depth):
        for it in items or []:
            if isinstance(it, str): it = {'href': it}
            href = it.get('href') or it.get('file')
            if 'section' in it or 'contents' in it:
                res.append((depth, it.get('section', ''), page_name(href) if href else None))
                walk(it.get('contents'), depth+1)
            elif href:
                title = it.get('text') or (nb_title(NBS/href) if href.endswith('.ipynb') and (NBS/href).exists()
                                           else Path(href).stem)
                res.append((depth, title, page_name(href) if href.endswith('.ipynb') else href))
    walk(yaml.safe_load((NBS/'sidebar.yml').read_text())['website']['sidebar']['contents'], 0)
    if not res: raise SystemExit("nbs/sidebar.yml lists no pages")
    return res

def nav_html(entries:list, page:str)->str:
    "The sidebar of `page`: the site's title, then every entry, the current page marked."
    from nbdev.config import get_config
    title = html.escape(str(get_config().title))
    items = ''.join(f'<li class="depth-{d}">' + (
        f'<a href="{html.escape(p)}"' + (' class="active" aria-current="page"' if p == page else '') +
        f'>{html.escape(t)}</a>' if p else f'<span class="section">{html.escape(t)}</span>') + '</li>\n'
        for d, t, p in entries)
    return f'<nav class="docs-sidebar" aria-label="Pages">\n<a class="site-title" href="index.html">{title}</a>\n<ul>\n{items}</ul>\n</nav>'

## What Quarto does to a processed notebook, done by hand

_re_opt = re.compile(r'^\s*#\|\s?(.*)$')
def cell_options(src:str)->tuple:
    "The leading `#|` lines of a code cell as {option: value} (values lowercased; a bare `#| hide` is 'true'), and the code after them."
    lines, opts = src.splitlines(), {}
    while lines and (m := _re_opt.match(lines[0])):
        k, _, v = m.group(1).partition(':')
        opts[k.strip()] = v.strip().strip('"\'').lower() or 'true'
        lines.pop(0)
    return opts, '\n'.join(lines)

_A = r'''(?:[.#][\w:.-]+|[\w:-]+=(?:"[^"]*"|'[^']*'|[^\s"'{}]+))'''   # one attribute: .class, #id or key=value
_ATTRS = rf'\{{[ \t]*{_A}(?:[ \t]+{_A})*[ \t]*\}}'
_re_link_attrs = re.compile(rf'(\]\([^)\n]*\)){_ATTRS}')               # [text](url){...}  -> [text](url)
_re_span_attrs = re.compile(rf'(?<!!)\[([^\]\n]*)\]{_ATTRS}')          # [text]{.class}    -> text
_re_head_attrs = re.compile(rf'^(#{{1,6}}[ \t].*?)[ \t]*{_ATTRS}[ \t]*$', re.M)   # ## Head {#id}  -> ## Head
_re_div_fence = re.compile(r'^[ \t]*:{3,}.*(?:\n|$)', re.M)            # ::: {.callout-note} ... :::  (lines dropped)

def quarto_md(md:str)->str:
    "Drop the markdown that only Quarto understands (attributes, div fences), keeping the text it applies to."
    md = _re_link_attrs.sub(r'\1', md)
    md = _re_span_attrs.sub(r'\1', md)
    md = _re_head_attrs.sub(r'\1', md)
    return _re_div_fence.sub('', md)

def quarto_cells(nb)->dict:
    "Apply Quarto's cell options and markdown to a processed notebook in place; return its front matter (removed)."
    from nbdev.frontmatter import _fm2dict
    fm = _fm2dict(nb.cells[0].source) if nb.cells and nb.cells[0].cell_type == 'raw' else {}
    cells = nb.cells[1:] if fm else nb.cells
    nb.cells = []
    for c in cells:
        if c.cell_type == 'code':
            opts, c.source = cell_options(c.source)
            if opts.get('include') == 'false' or 'hide' in opts: continue
            if opts.get('output') == 'false': c.outputs = []
            if opts.get('echo') == 'false' or not c.source.strip():
                if not c.outputs: continue
                c.metadata.setdefault('transient', {})['remove_source'] = True
        if c.cell_type == 'markdown': c.source = quarto_md(c.source)
        for o in c.get('outputs', []):
            md = o.get('data', {}).get('text/markdown')
            if md is not None: o.data['text/markdown'] = quarto_md(md if isinstance(md, str) else ''.join(md))
        nb.cells.append(c)
    return fm

def pandoc_id(s:str)->str:
    "The id pandoc (Quarto) gives a heading, from nbconvert's: lowercase, spaces to '-', punctuation but '_-.' dropped."
    s = re.sub(r'[^\w.-]', '', html.unescape(s).strip().lower().replace(' ', '-'))
    return re.sub(r'^[^a-z]+', '', s) or 'section'

def local_href(url:str, site:str)->str:
    "Where Quarto's link goes on the local site: notebooks -> their pages, the published site -> local pages."
    u = html.unescape(url)
    if site and (u == site or u.startswith(site + '/')): u = u[len(site):].lstrip('/') or 'index.html'
    if re.match(r'^([a-z][\w+.-]*:|//)', u, re.I): return url            # another site, mailto:, data: ...
    path, hash_, frag = u.partition('#')
    if path.endswith('.ipynb'): path = page_name(path)
    return html.escape(path + hash_ + (pandoc_id(frag) if frag else ''))

def copy_images(body:str, nb:Path):
    "Copy the local images a page shows (markdown `![](images/x.png)`, `<img src=...>`) next to it, as Quarto does."
    for src in re.findall(r'<img\b[^>]*?\bsrc="([^"]+)"', body):
        src = html.unescape(src).split('?')[0].split('#')[0]
        if re.match(r'^([a-z][\w+.-]*:|/)', src, re.I): continue
        f, dst = (nb.parent/src).resolve(), (OUT/src).resolve()
        if not (f.is_file() and f.is_relative_to(ROOT) and dst.is_relative_to(OUT)):
            raise RuntimeError(f"{nb.name}: image {src!r} is not a file inside the repository")
        dst.parent.mkdir(parents=True, exist_ok=True); shutil.copy2(f, dst)

TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{#- no require.js / mermaid from a CDN: no page here uses them, and nothing is fetched at run time -#}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style type="text/css">{{ resources.docs.css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}
<body class="jp-Notebook" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
{{ resources.docs.nav }}
<main>
<header id="title-block-header"><h1 class="title">{{ resources.docs.title | escape }}</h1>
{%- if resources.docs.description %}
<div class="description">{{ resources.docs.description | markdown2html }}</div>
{%- endif %}</header>
{%- endblock body_header -%}
"""

CSS = """
body.jp-Notebook { padding: 0; }
nav.docs-sidebar { position: fixed; top: 0; bottom: 0; left: 0; width: 15rem; overflow-y: auto; box-sizing: border-box;
  padding: 1.5rem 1rem; border-right: 1px solid #dee2e6; background: #f8f9fa; font-family: var(--jp-ui-font-family); }
nav.docs-sidebar .site-title { display: block; font-size: 1.3rem; font-weight: 600; margin-bottom: 1rem; color: #212529; }
nav.docs-sidebar ul { list-style: none; margin: 0; padding: 0; }
nav.docs-sidebar li { margin: 0.3rem 0; }
nav.docs-sidebar li.depth-1 { padding-left: 1rem; } nav.docs-sidebar li.depth-2 { padding-left: 2rem; }
nav.docs-sidebar a { color: #495057; text-decoration: none; } nav.docs-sidebar a:hover { color: #2780e3; }
nav.docs-sidebar a.active { color: #2780e3; font-weight: 600; }
nav.docs-sidebar .section { font-weight: 600; }
main { margin-left: 15rem; padding: 1.5rem 2rem; max-width: 60rem; }
#title-block-header { font-family: var(--jp-content-font-family); }
#title-block-header h1.title { font-size: 2.2rem; margin-bottom: 0.5rem; }
main a code { color: var(--jp-content-link-color); }
.jp-RenderedMarkdown pre { white-space: pre; overflow-x: auto; }
div.description { font-style: italic; font-size: 1.2rem; opacity: 0.7; margin-bottom: 1.5rem; }
@media (max-width: 50rem) { nav.docs-sidebar { position: static; width: auto; border-right: none; }
  main { margin-left: 0; } }
"""

def render(nb:Path, dst:Path, nav:list)->Path:
    "Render a processed notebook `dst` (of source `nb`) to its page in `_docs/`, as Quarto would publish it."
    import nbformat, jinja2
    from nbconvert import HTMLExporter
    from nbdev.config import get_config
    node = nbformat.read(dst, as_version=4)
    fm, page = quarto_cells(node), page_name(nb)
    title = str(fm.get('title') or nb_title(nb))
    node.metadata['title'] = title                                  # the <title>
    exp = HTMLExporter(template_name='lab', template_file='docs_check.html.j2', mathjax_url=MATHJAX_URL,
                       extra_loaders=[jinja2.DictLoader({'docs_check.html.j2': TEMPLATE})],
                       exclude_input_prompt=True, exclude_output_prompt=True)
    docs = dict(title=title, description=str(fm.get('description') or ''), nav=nav_html(nav, page), css=CSS)
    body, _ = exp.from_notebook_node(node, resources={'docs': docs})
    body = re.sub(r'(<h[1-6]\b[^>]*?\bid=")([^"]*)(")', lambda m: m[1] + pandoc_id(m[2]) + m[3], body)
    cfg = get_config()
    site = (str(cfg.doc_host).rstrip('/') + '/' + str(cfg.doc_baseurl).strip('/')).rstrip('/')   # the published site
    body = re.sub(r'(\bhref=")([^"]*)(")', lambda m: m[1] + local_href(m[2], site) + m[3], body)
    copy_images(body, nb)
    out = OUT/page
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body)
    return out

def check(nb:Path, nav:list=None)->Path:
    "Process one notebook for docs and render it to HTML; raise on any error."
    from nbdev.serve_drv import exec_nb
    from nbdev.processors import FilterDefaults
    from execnb.nbio import read_nb
    PROC.mkdir(exist_ok=True); OUT.mkdir(exist_ok=True)
    dst = PROC/nb.name
    cwd = os.getcwd(); os.chdir(nb.parent)
    os.environ['IN_TEST'] = '1'
    try: exec_nb(nb, dst, FilterDefaults)
    finally: os.chdir(cwd); os.environ.pop('IN_TEST', None)
    errs = [o for c in read_nb(dst).cells for o in c.get('outputs', []) if o.get('output_type') == 'error']
    if errs: raise RuntimeError(f"{nb.name}: error output after doc processing: {errs[0].get('ename')}: {errs[0].get('evalue')}")
    return render(nb, dst, nav if nav is not None else sidebar())

def main(args):
    "Check and render every notebook in `args` (default: all), in one process per core: each page is plain Python work."
    nbs = [Path(a).resolve() for a in args] or notebooks()
    if not nbs: raise SystemExit("no notebooks found in nbs/")
    prepare()
    nav = sidebar()
    from concurrent.futures import ProcessPoolExecutor
    import docs_check                                     # `check` by its module's name: a worker's `__main__` is not this file
    with ProcessPoolExecutor(min(len(nbs), os.cpu_count() or 1)) as pool:
        for nb, h in zip(nbs, pool.map(docs_check.check, nbs, [nav] * len(nbs))):   # an error raised in a worker is raised here
            print(f"ok  {nb.name} -> {h.relative_to(ROOT)} ({h.stat().st_size//1024} KiB)")
    print(f"docs check: {len(nbs)} notebooks rendered")

if __name__ == '__main__': main(sys.argv[1:])
