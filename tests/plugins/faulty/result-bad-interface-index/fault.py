"""ADD result points ips[].interface past the end of interfaces."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    return lf.edit_result(code, stdout, lambda r: [ip.update(interface=len(r.get("interfaces") or []) + 2) for ip in r.get("ips") or []] and None)
