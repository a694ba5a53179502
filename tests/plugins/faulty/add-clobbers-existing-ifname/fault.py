"""ADD fails when CNI_IFNAME exists, but first strips its addresses."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def before(env, stdin):
    if lf.verb(env) == "ADD" and env.get("CNI_NETNS"):
        lf.in_netns(env, "ip", "addr", "flush", "dev", env.get("CNI_IFNAME", "eth0"))
    return env, stdin
