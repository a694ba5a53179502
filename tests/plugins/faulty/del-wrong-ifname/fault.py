"""DEL always removes eth0, whatever CNI_IFNAME says."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def before(env, stdin):
    if lf.verb(env) == "DEL":
        env["CNI_IFNAME"] = "eth0"
    return env, stdin
