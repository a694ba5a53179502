"""ADD result writes ips[].gateway with a prefix length."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    return lf.edit_result(code, stdout, lambda r: [ip.update(gateway=ip["gateway"] + "/24") for ip in r.get("ips") or [] if ip.get("gateway")] and None)
