"""ADD always names the container interface eth0."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def before(env, stdin):
    if lf.verb(env) in ("ADD", "CHECK", "DEL"):
        env["CNI_IFNAME"] = "eth0"
    return env, stdin
