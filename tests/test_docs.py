"""The offline docs (tests/docs_check.py), rendered once for this module: nbdev's doc processing + HTML in _docs/.

Then each page is read (no front matter, no Quarto-only markup, the sidebar, local links that land, nothing loaded
from the internet) and opened in headless Chromium once MathJax ran (maths typeset without errors, no raw `$`
maths, no `#|` line, no broken image).
"""
import html, json, os, re, shutil, subprocess, sys, warnings
from pathlib import Path
import pytest
from docs_check import notebooks, page_name, sidebar, OUT, ROOT

@pytest.fixture(scope='module')
def pages():
    "Run the docs check once (about a minute on 2 cores): {notebook: its page}."
    r = subprocess.run([sys.executable, str(ROOT/'tests'/'docs_check.py')], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]
    nbs = notebooks()
    assert nbs, "no notebooks"
    return {nb: OUT/page_name(nb) for nb in nbs}

def _strip_scripts(h:str)->str: return re.sub(r'<(script|style)\b.*?</\1>', '', h, flags=re.S)
def _text(h:str)->str: return html.unescape(re.sub(r'<[^>]+>', '', _strip_scripts(h)))
def _ids(h:str)->set: return set(re.findall(r'\bid="([^"]*)"', h))
def _headings(h:str)->set:
    "The text of each heading (without nbconvert's '¶' anchor link)."
    return {html.unescape(re.sub(r'<[^>]+>', '', t)).replace('¶', '').strip()
            for _, t in re.findall(r'<h([1-6])\b[^>]*>(.*?)</h\1>', h, re.S)}
def _local_links(h:str)->list:
    "(url, inner html) of each link to this site (not another site, mailto:, data: ...)."
    return [(html.unescape(u), t) for u, t in re.findall(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', h, re.S)
            if not re.match(r'^([a-z][\w+.-]*:|//)', u, re.I)]

def test_docs_render(pages):
    for nb, p in pages.items():
        h = p.read_text()
        assert len(h) > 1000 and '<main>' in h, f"{p.name} ({nb.name}) is empty or not a page"
        text = _strip_scripts(h)
        assert 'output-file:' not in text, f"{p.name}: raw YAML front matter (nbdev's, with output-file) on the page"
        assert re.search(r'<h1 class="title">[^<]+</h1>', h), f"{p.name}: no title heading"
        left = re.findall(r'[\])]\{(?:[.#][\w-]|[\w-]+=)[^}]*\}', text)
        assert not left, f"{p.name}: Quarto attributes printed as text: {left[:5]}"
        assert not re.search(r'^\s*#\|', _text(h), re.M), f"{p.name}: a `#|` line shows"
        remote = re.findall(r'<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)="((?:https?:)?//[^"]*)"', h)
        assert not remote, f"{p.name} loads from the internet: {remote}"
        assert 'src="mathjax/MathJax.js' in h and (OUT/'mathjax'/'MathJax.js').exists(), f"{p.name}: no local MathJax"

def test_docs_show_doc_code_hidden(pages):
    "`show_doc` cells are `#| echo: false`: their output (the API doc) shows, their `show_doc(...)` code does not."
    calls = sum(c['cell_type'] == 'code' and bool(re.match(r'(#\|.*\n)*show_doc\(', ''.join(c['source'])))
                for nb in pages for c in json.loads(nb.read_text())['cells'])
    assert calls > 0, "no show_doc cell in any notebook: nothing to check"
    shown = [p.name for p in pages.values() if 'show_doc(' in _text(p.read_text())]
    assert not shown, f"show_doc(...) code shows on {shown}"

def test_docs_linked(pages):
    """Every page has the sidebar (sidebar.yml's order, itself marked); every local link lands on a page, and on its
    anchor. A link nbdev made to a symbol that no page documents (a private function, an undocumented method) has
    no anchor to land on, with Quarto too: it is listed as a warning, for the notebooks to fix."""
    order = [p for _, _, p in sidebar() if p]   # nbs/sidebar.yml, as docs_check reads it
    assert sorted(order) == sorted(p.name for p in pages.values()), (order, [p.name for p in pages.values()])
    ids = {p.name: _ids(p.read_text()) for p in pages.values()}
    heads = {p.name: _headings(p.read_text()) for p in pages.values()}
    broken, undocumented, landed = [], [], 0
    for p in pages.values():
        h = p.read_text()
        nav = re.search(r'<nav\b[^>]*class="docs-sidebar"[^>]*>(.*?)</nav>', h, re.S)
        assert nav, f"{p.name}: no sidebar"
        links = re.findall(r'href="([^"]*)"', nav[1])
        assert links[1:] == order, f"{p.name}: sidebar {links[1:]} != sidebar.yml {order}"
        assert re.findall(r'href="([^"]*)"[^>]*aria-current="page"|aria-current="page"[^>]*href="([^"]*)"', nav[1]) \
            in ([(p.name, '')], [('', p.name)]), f"{p.name}: the sidebar does not mark this page"
        for u, inner in _local_links(h):
            path, _, frag = u.partition('#')
            target = (p.parent/path).resolve() if path else p
            if not target.is_file(): broken.append(f"{p.name}: {u} (no such file)")
            elif not frag or target.name not in ids: continue
            elif frag in ids[target.name]: landed += target != p
            elif (m := re.fullmatch(r'<code>([^<]+)</code>', inner.strip())) and html.unescape(m[1]) not in heads[target.name]:
                undocumented.append(f"{p.name}: {u} ({html.unescape(m[1])} has no section there)")
            else: broken.append(f"{p.name}: {u} (no such anchor)")
    assert not broken, "broken links:\n" + '\n'.join(broken[:30])
    assert landed > 0, "no link to an anchor on another page was checked"
    if undocumented: warnings.warn("links to undocumented symbols:\n" + '\n'.join(undocumented))

# In the page, once it loaded and MathJax typeset it: what a reader would see.
PROBE = r"""<script>
window.addEventListener('load', function () {
  function report() {
    var body = document.body.cloneNode(true);
    body.querySelectorAll('script, style, pre, code, .MathJax_Preview, .mjx-chtml').forEach(function (e) { e.remove(); });
    var res = {
      mathjax: !!(window.MathJax && MathJax.Hub),
      typeset: document.querySelectorAll('.mjx-chtml').length,
      math_errors: Array.prototype.map.call(document.querySelectorAll('.mjx-noError, .mjx-merror, .mjx-mtext[style*="color: red"]'),
                                            function (e) { return e.textContent.slice(0, 80); }),
      raw_math: body.textContent.match(/\$\$?[^$]+\$\$?/g) || [],
      processing_errors: (document.body.innerText.match(/Math Processing Error/g) || []).length,
      directives: document.body.innerText.split('\n').filter(function (l) { return /^\s*#\|/.test(l); }),
      images: document.images.length,
      broken_images: Array.prototype.filter.call(document.images, function (i) { return !(i.complete && i.naturalWidth > 0); })
                          .map(function (i) { return i.src.slice(0, 100); })
    };
    parent.postMessage(JSON.stringify(res), '*');
  }
  if (window.MathJax && MathJax.Hub) MathJax.Hub.Queue(report); else report();
});
</script>"""

def chromium():
    "Debian's chromium (`make docs-deps` installs it); skip where it is missing, except on CI where that is a failure."
    exe = shutil.which('chromium') or shutil.which('chromium-browser')
    if exe: return exe
    if os.environ.get('CI'): pytest.fail("chromium is not installed: .ci/run installs it (make docs-deps)")
    pytest.skip("chromium is not installed (Debian: `make docs-deps`, or `apt-get install chromium`)")

# The pages open one after another in frames of ONE page, in one Chromium: a browser start per page took most of a minute.
# Each page's PROBE posts its report here; a page that sends none within 30 s (of Chromium's virtual time) is marked.
HARNESS = r"""<!DOCTYPE html><html><body><pre id="docs-probe">{}</pre><script>
var pages = %s, out = {}, i = -1, frame = null, timer = null;
function next() {
  if (frame) frame.remove();
  document.getElementById('docs-probe').textContent = JSON.stringify(out);
  if (++i == pages.length) return;
  frame = document.createElement('iframe'); frame.width = 1280; frame.height = 900; frame.src = pages[i];
  timer = setTimeout(function () { out[pages[i]] = null; next(); }, 30000);
  document.body.appendChild(frame);
}
window.addEventListener('message', function (e) {
  if (frame && e.source === frame.contentWindow) { clearTimeout(timer); out[pages[i]] = JSON.parse(e.data); next(); }
});
next();
</script></body></html>"""

def in_browser(exe:str, pages:list, profile:Path)->dict:
    "Open copies of `pages` with PROBE added (next to each, so relative paths hold) in headless Chromium: {page name: report}."
    probes = [p.with_name('.probe-' + p.name) for p in pages]
    for p, q in zip(pages, probes): q.write_text(p.read_text().replace('</body>', PROBE + '\n</body>', 1))
    harness = OUT/'.probe-harness.html'
    harness.write_text(HARNESS % json.dumps([q.name for q in probes]))
    try:
        r = subprocess.run([exe, '--headless', '--disable-gpu', '--no-sandbox', f'--user-data-dir={profile}',
                            f'--virtual-time-budget={40000 * len(pages)}', '--dump-dom', harness.as_uri()],
                           capture_output=True, text=True, timeout=60 + 30 * len(pages))
    finally:
        for q in probes + [harness]: q.unlink()
    m = re.search(r'<pre id="docs-probe">(.*?)</pre>', r.stdout, re.S)
    assert m, f"no report from the harness page (Chromium failed?): {r.stderr[-2000:]}"
    got = json.loads(html.unescape(m[1]))
    return {p.name: got.get(q.name) for p, q in zip(pages, probes)}

def has_math(nb:Path)->bool:
    "Whether a notebook's markdown has `$` maths (then its page must show typeset maths)."
    return any(c['cell_type'] == 'markdown' and re.search(r'\$[^$\s][^$]*\$', ''.join(c['source']))
               for c in json.loads(nb.read_text())['cells'])

def test_docs_in_browser(pages, tmp_path):
    exe = chromium()
    bad, typeset, images = {}, 0, 0
    reports = in_browser(exe, list(pages.values()), tmp_path/'profile')
    for nb, p in pages.items():
        r = reports[p.name]
        if r is None: bad[p.name] = 'no report from the page (it did not load, or MathJax never finished)'; continue
        typeset += r['typeset']; images += r['images']
        problems = {k: r[k] for k in ('math_errors', 'raw_math', 'processing_errors', 'directives', 'broken_images') if r[k]}
        if not r['mathjax']: problems['mathjax'] = 'MathJax did not load'
        if has_math(nb) and not r['typeset']: problems['typeset'] = 'its maths was not typeset'
        if problems: bad[p.name] = problems
    assert not bad, json.dumps(bad, indent=1)[:6000]
    assert typeset > 0 and images > 0, (typeset, images)   # the checks above saw maths and images
