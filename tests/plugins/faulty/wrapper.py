#!/usr/bin/env python3
"""A correct plugin with one fault injected: the base of the faulty-plugin fixtures.

Each fault lives in a directory tests/plugins/faulty/<fault>/ holding a `fault.py`
and a symlink to this file named after the real plugin it wraps (bridge,
host-local, ptp...). The symlink's name picks the real plugin (Debian's Go one
in /usr/lib/cni, or REAL_PLUGIN_DIR from fault.py) and the built-in profile, so
the suites test the faulty plugin exactly as they test the real one.

fault.py may define any of:
  before(env: dict, stdin: bytes) -> (env, stdin)        change the input
  after(env, stdin, code: int, stdout: bytes) -> (code, stdout)   change the output
  replace(env, stdin) -> (code, stdout)                   answer without the real plugin
and REAL_PLUGIN_DIR (default /usr/lib/cni).
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

link = Path(sys.argv[0])
spec = importlib.util.spec_from_file_location("fault", link.parent / "fault.py")
fault = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fault)

env = dict(os.environ)
stdin = sys.stdin.buffer.read()
if hasattr(fault, "before"):
    env, stdin = fault.before(env, stdin)
if hasattr(fault, "replace"):
    code, stdout = fault.replace(env, stdin)
else:
    real = Path(getattr(fault, "REAL_PLUGIN_DIR", "/usr/lib/cni")) / link.name
    done = subprocess.run([str(real)], input=stdin, env=env, stdout=subprocess.PIPE)
    code, stdout = done.returncode, done.stdout
    if hasattr(fault, "after"):
        code, stdout = fault.after(env, stdin, code, stdout)
sys.stdout.buffer.write(stdout)
sys.exit(code)
