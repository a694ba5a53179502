"""ADD result lists only the container interface."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout

    def only_container(r):
        keep = lf.container_indexes(r)
        if not keep:
            return
        r["interfaces"] = [r["interfaces"][i] for i in keep]
        for ip in r.get("ips") or []:
            if ip.get("interface") in keep:
                ip["interface"] = keep.index(ip["interface"])
    return lf.edit_result(code, stdout, only_container)
