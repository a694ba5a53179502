"""DEL succeeds without undoing anything."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def replace(env, stdin):
    import subprocess
    if lf.verb(env) == "DEL":
        return 0, b""
    real = Path("/usr/lib/cni") / Path(sys.argv[0]).name
    done = subprocess.run([str(real)], input=stdin, env=env, stdout=subprocess.PIPE, check=False)
    return done.returncode, done.stdout
