"""ADD result reports a MAC the container interface does not have."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    return lf.edit_result(code, stdout, lambda r: [i.update(mac="02:00:00:00:00:01") for i in r.get("interfaces") or [] if i.get("sandbox")] and None)
