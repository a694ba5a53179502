"""bridge whose ADD fails when the container already has a default route (route.default-skip)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def replace(env, stdin):
    if lf.verb(env) == "ADD" and lf.in_netns(env, "ip", "-4", "route", "show", "default").stdout.strip():
        return lf.error("failed to add route 0.0.0.0/0: file exists", code=11)
    import subprocess

    done = subprocess.run(["/usr/lib/cni/bridge"], input=stdin, env=env, stdout=subprocess.PIPE)
    return done.returncode, done.stdout
