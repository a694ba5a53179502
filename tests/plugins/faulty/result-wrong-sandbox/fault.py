"""ADD result names another sandbox than CNI_NETNS."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    return lf.edit_result(code, stdout, lambda r: [i.update(sandbox="/var/run/netns/elsewhere") for i in r.get("interfaces") or [] if i.get("sandbox")] and None)
