"""ADD leaves the container interface down."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) == "ADD" and code == 0:
        lf.in_netns(env, "ip", "link", "set", "dev", env["CNI_IFNAME"], "down")
    return code, stdout
