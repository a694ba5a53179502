"""ADD result gives interfaces as an object."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout

    def as_object(r):
        if "interfaces" in r:
            r["interfaces"] = {str(i): x for i, x in enumerate(r["interfaces"])}
            for ip in r.get("ips") or []:
                ip.pop("interface", None)
    return lf.edit_result(code, stdout, as_object)
