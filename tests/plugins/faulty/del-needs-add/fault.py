"""DEL fails for an attachment it never added."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    added = lf.marker(stdin, env, "added")
    if lf.verb(env) == "ADD" and code == 0:
        added.touch()
    if lf.verb(env) == "DEL" and not added.exists():
        return lf.error("no such attachment")
    return code, stdout
