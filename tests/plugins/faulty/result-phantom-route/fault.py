"""ADD result reports a route that is not installed."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout

    def phantom(r):
        if "ip4" in r:
            r["ip4"].setdefault("routes", []).append({"dst": "198.51.100.0/24"})
        else:
            r.setdefault("routes", []).append({"dst": "198.51.100.0/24"})
    return lf.edit_result(code, stdout, phantom)
