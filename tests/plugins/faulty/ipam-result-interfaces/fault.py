"""IPAM ADD result carries an interfaces list and ips[].interface."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout

    def with_interfaces(r):
        if "ips" in r:
            r["interfaces"] = [{"name": env.get("CNI_IFNAME", "eth0")}]
            for ip in r["ips"]:
                ip["interface"] = 0
    return lf.edit_result(code, stdout, with_interfaces)
