"""ADD result has a route whose dst and gw are of different families."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    return lf.edit_result(code, stdout, lambda r: r.setdefault("routes", []).append({"dst": "198.51.100.0/24", "gw": "fd00::1"}) if "ips" in r else None)
