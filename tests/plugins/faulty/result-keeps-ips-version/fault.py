"""ADD result keeps ips[].version at 1.0.0."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout

    def add_version(r):
        for ip in r.get("ips") or []:
            ip["version"] = "6" if ":" in ip["address"] else "4"
    return lf.edit_result(code, stdout, add_version)
