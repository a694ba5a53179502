"""The second DEL of an attachment fails."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) == "DEL" and code == 0:
        done = lf.marker(stdin, env, "deleted")
        if done.exists():
            return lf.error("already deleted")
        done.touch()
    return code, stdout
