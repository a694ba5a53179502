"""ADD refuses a second attachment of the same container id."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def replace(env, stdin):
    import subprocess
    if lf.verb(env) == "ADD":
        seen = lf.marker(stdin, {"CNI_CONTAINERID": env.get("CNI_CONTAINERID"), "CNI_IFNAME": "any"}, "added")
        if seen.exists():
            return lf.error("container already attached")
        seen.touch()
    done = subprocess.run(["/usr/lib/cni/bridge"], input=stdin, env=env, stdout=subprocess.PIPE, check=False)
    return done.returncode, done.stdout
