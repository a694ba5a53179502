"""DEL fails when given a prevResult."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) == "DEL" and lf.conf_of(stdin).get("prevResult"):
        return lf.error("unexpected prevResult")
    return code, stdout
