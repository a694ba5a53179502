"""DEL fails when CNI_NETNS is empty or gone."""

import json  # noqa: F401
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) == "DEL" and not (env.get("CNI_NETNS") and os.path.exists(env["CNI_NETNS"])):
        return lf.error("no netns")
    return code, stdout
