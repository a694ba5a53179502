"""ADD result reports an address the container interface does not have."""

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
            r.setdefault("ip6", {"ip": "fd00:99::99/64"})
            return
        extra = {"address": "10.88.0.250/24"}
        if lf.container_indexes(r):
            extra["interface"] = lf.container_indexes(r)[0]
        if any("version" in ip for ip in r.get("ips") or []):
            extra["version"] = "4"
        r.setdefault("ips", []).append(extra)
    return lf.edit_result(code, stdout, phantom)
