"""tests/warm.py must behave like `subprocess.run` of a fresh Python: a process per command, its own argv, directory,
environment, exit code and output, and nothing carried from one command to the next."""
import subprocess, sys
import pytest
import warm

PY = sys.executable

def test_exit_code_and_output():
    r = warm.run([PY, '-c', "import sys; print('to out'); print('to err', file=sys.stderr); sys.exit(3)"])
    assert (r.returncode, r.stdout, r.stderr) == (3, 'to out\n', 'to err\n')
    r = warm.run([PY, '-c', "raise KeyError('boom')"])
    assert r.returncode == 1 and "KeyError: 'boom'" in r.stderr
    r = warm.run([PY, '-c', "import sys; sys.exit('a message')"])
    assert r.returncode == 1 and r.stderr == 'a message\n'
    r = warm.run([PY, '-c', "import atexit; atexit.register(print, 'at exit'); print('main')"])
    assert (r.returncode, r.stdout) == (0, 'main\nat exit\n')                # exit handlers run, as in Python

def test_script_argv_cwd_env(tmp_path):
    (tmp_path/'helper.py').write_text("WHO = 'helper next to the script'\n")
    script = tmp_path/'s.py'
    script.write_text("import os, sys, helper\nprint(__name__, sys.argv[1:], os.getcwd(), os.environ.get('HJEPA_X'), helper.WHO)\n")
    r = warm.run([PY, script, 'a', '--b'], cwd=tmp_path, env={'HJEPA_X': '7', 'PATH': '/usr/bin'})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"__main__ ['a', '--b'] {tmp_path} 7 helper next to the script"

def test_nothing_carries_over():
    "What one command patches or sets (a class of hjepa, torch's threads, a seed) is gone in the next."
    r = warm.run([PY, '-c', "import torch, hjepa.model as m; m.HJEPA.forward = None; torch.set_num_threads(1); "
                            "torch.manual_seed(123); print(torch.get_num_threads())"])
    assert r.stdout.strip() == '1', r.stderr
    r = warm.run([PY, '-c', "import os, torch, hjepa.model as m; print(m.HJEPA.forward is None, torch.get_num_threads(), "
                            "torch.initial_seed() == 123, os.getpid() != int(os.environ['SERVER']))"],
                 env={'SERVER': str(warm.server().pid)})
    assert r.stdout.split() == ['False', str(subprocess.run([PY, '-c', 'import torch; print(torch.get_num_threads())'],
                                                            capture_output=True, text=True).stdout.strip()), 'False', 'True']

def test_timeout_and_bad_argv():
    with pytest.raises(subprocess.TimeoutExpired): warm.run([PY, '-c', "import time; time.sleep(30)"], timeout=1)
    assert warm.run([PY, '-c', "print('still serving')"]).stdout == 'still serving\n'
    with pytest.raises(ValueError, match=r"must be \[sys.executable"): warm.run(['python3', '-c', 'pass'])
