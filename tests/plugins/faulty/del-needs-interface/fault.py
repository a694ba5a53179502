"""DEL fails when the container interface is already gone."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) == "DEL" and env.get("CNI_NETNS") and lf.in_netns(env, "ip", "link", "show", "dev", env.get("CNI_IFNAME", "eth0")).returncode != 0:
        return lf.error("interface not found")
    return code, stdout
