"""Run a Python command line in a fresh process that starts with torch, timm and hjepa already imported.

About 20 tests run a script or a console command as a user would (`python benchmarks/run.py --smoke`, `hjepa_train
...`). A fresh Python spends its first 6 to 9 seconds on 2 cores importing torch, torchvision and timm, so paying that
once per test made imports a large part of `make test`. `run` below still gives each command a process of its own, with
its own `sys.argv`, working directory, environment, exit code, stdout and stderr; only the imports are done once:

- one *server* process (this file, run as a script) imports the heavy modules, then waits for commands on stdin;
- for each command it forks a child, which runs the script as `__main__` (`runpy`), as `python script.py` would;
- what a command patches or sets (a class, torch's threads, a seed) dies with its child. The server runs no torch op,
  so no thread pool is forked half-built.

`run(argv)` takes what `subprocess.run` would (`[sys.executable, script, *args]` or `[sys.executable, '-c', code]`) and
returns a `subprocess.CompletedProcess` with text output. Commands that start processes of their own (`torchrun`) and
the notebooks (`nbdev_test`) still start a plain Python.
"""
import atexit, json, os, runpy, signal, subprocess, sys, tempfile, threading, traceback
from pathlib import Path

PRELOAD = ['torch', 'torchvision', 'timm', 'matplotlib.pyplot', 'hjepa.cli', 'hjepa.ablation', 'hjepa.analysis']

def _child(argv:list, cwd:str, env:dict, out:str, err:str):
    "In the forked child: fds 0/1/2 from /dev/null and to files, `cwd` and `env` taken on, `argv` run; exit with its code."
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0); sys.stdin = open(os.devnull)
    for fd, path in ((1, out), (2, err)):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(f, fd); os.close(f)
    code = 0
    try:
        os.chdir(cwd); os.environ.clear(); os.environ.update(env)
        if argv[1] == '-c':
            sys.argv = ['-c', *argv[3:]]; sys.path.insert(0, '')
            exec(compile(argv[2], '<string>', 'exec'), {'__name__': '__main__', '__builtins__': __builtins__})
        else:
            script = str(Path(argv[1]).resolve())
            sys.argv = [argv[1], *argv[2:]]; sys.path.insert(0, str(Path(script).parent))
            runpy.run_path(script, run_name='__main__')
    except SystemExit as e:
        if isinstance(e.code, int) or e.code is None: code = e.code or 0
        else: print(e.code, file=sys.stderr); code = 1                        # sys.exit('message'), as Python does
    except BaseException:
        traceback.print_exc(); code = 1
    finally:
        try: atexit._run_exitfuncs()                                     # what Python does at exit (logging, temp files)
        except BaseException: traceback.print_exc()
        for s in (sys.stdout, sys.stderr):
            try: s.flush()
            except Exception: pass
        os._exit(code)

def serve():
    "The server: import PRELOAD, then per JSON line on stdin fork a child, reply `{'pid'}` at once and `{'rc'}` when it ends."
    import importlib
    for m in PRELOAD: importlib.import_module(m)
    reply = os.fdopen(os.dup(1), 'w'); os.dup2(2, 1)             # replies on their own fd; stray prints go to stderr
    print(json.dumps({'ready': True}), file=reply, flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        sys.stdout.flush(); sys.stderr.flush()
        pid = os.fork()
        if pid == 0: _child(**req)
        print(json.dumps({'pid': pid}), file=reply, flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({'rc': os.waitstatus_to_exitcode(status)}), file=reply, flush=True)

_server, _lock = None, threading.Lock()

def server():
    "The server for this test session (started by the first command; it ends with the session, when its stdin closes)."
    global _server
    if _server is None or _server.poll() is not None:
        env = {**os.environ, 'MPLBACKEND': os.environ.get('MPLBACKEND', 'Agg')}   # what a headless script would get
        _server = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                   env=env, cwd=Path(__file__).parent)
        first = _server.stdout.readline()
        if not first: raise RuntimeError(f"the warm server did not start: {_server.wait()}")
    return _server

def run(argv:list, cwd=None, env:dict|None=None, timeout:float=600)->subprocess.CompletedProcess:
    "`subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)`, forked from the warm server."
    argv = list(map(str, argv))
    if argv[0] != sys.executable or len(argv) < 2: raise ValueError(f"argv={argv!r}: must be [sys.executable, script or -c, ...]")
    with _lock, tempfile.TemporaryDirectory() as d:
        s = server()
        out, err = f'{d}/stdout', f'{d}/stderr'
        s.stdin.write(json.dumps(dict(argv=argv, cwd=str(cwd or os.getcwd()), env=dict(os.environ if env is None else env),
                                      out=out, err=err)) + '\n'); s.stdin.flush()
        pid = json.loads(s.stdout.readline())['pid']
        fired = []                                                  # the timeout killed the child
        timer = threading.Timer(timeout, lambda: fired.append(os.kill(pid, signal.SIGKILL))); timer.start()
        rc = json.loads(s.stdout.readline())['rc']; timer.cancel()
        if fired: raise subprocess.TimeoutExpired(argv, timeout, Path(out).read_text(), Path(err).read_text())
        return subprocess.CompletedProcess(argv, rc, Path(out).read_text(), Path(err).read_text())

if __name__ == '__main__': serve()
