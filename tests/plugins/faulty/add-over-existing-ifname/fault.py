"""ADD 'succeeds' when CNI_IFNAME exists: it quietly uses eth1 instead (and the result lies)."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def before(env, stdin):
    if lf.verb(env) == "ADD" and env.get("CNI_IFNAME") == "eth0":
        env["CNI_IFNAME"] = "eth1"
    return env, stdin
