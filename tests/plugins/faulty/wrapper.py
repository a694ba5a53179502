#!/usr/bin/env python3
"""A correct plugin with one fault injected: the executable of every faulty-plugin fixture.

Each fault directory tests/plugins/faulty/<fault>/ holds a `fault.py` and a symlink to
this file named after the real plugin it wraps (bridge, host-local, ptp...). This file
puts its own directory on sys.path (so fault.py just does `import faults`), loads
fault.py, points `faults.real()` at REAL_PLUGIN_DIR/<symlink name> (default
/usr/lib/cni), then runs before -> replace or the real plugin -> after.

The format (hooks, CAUGHT_BY) is documented in faults.py, next to this file; the README
there says how to add a fault.
"""

import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
import faults  # noqa: E402

link = Path(sys.argv[0])
spec = importlib.util.spec_from_file_location("fault", link.parent / "fault.py")
fault = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fault)
faults.real_plugin = Path(getattr(fault, "REAL_PLUGIN_DIR", faults.GO_PLUGINS)) / link.name

env = dict(os.environ)
stdin = sys.stdin.buffer.read()
if hasattr(fault, "before"):
    env, stdin = fault.before(env, stdin)
if hasattr(fault, "replace"):
    code, stdout = fault.replace(env, stdin)
else:
    code, stdout = faults.real(env, stdin)
    if hasattr(fault, "after"):
        code, stdout = fault.after(env, stdin, code, stdout)
sys.stdout.buffer.write(stdout)
sys.exit(code)
