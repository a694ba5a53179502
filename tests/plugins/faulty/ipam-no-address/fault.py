"""IPAM ADD succeeds with no address."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout

    def empty(r):
        r.pop("ip4", None)
        r.pop("ip6", None)
        if "ips" in r or lf.version_key(r.get("cniVersion")) >= (0, 3, 0):
            r["ips"] = []
    return lf.edit_result(code, stdout, empty)
