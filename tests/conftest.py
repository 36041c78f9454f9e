"""Where the test time goes: pytest's `--durations` (in `make test`) names the slowest tests, and this summary splits
the one `nbdev_test` run that every notebook test shares into its notebooks, slowest first."""
import sys

def pytest_terminal_summary(terminalreporter):
    seconds = getattr(sys.modules.get('test_notebooks'), 'SECONDS', None)
    if not seconds: return
    tr = terminalreporter
    tr.write_sep('=', f"notebooks under nbdev_test: {sum(seconds.values())} s in all")
    for name, s in sorted(seconds.items(), key=lambda kv: -kv[1]): tr.write_line(f"{s:>5} s  {name}")
