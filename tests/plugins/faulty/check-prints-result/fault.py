"""A successful CHECK prints prevResult on stdout."""

import json
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) == "CHECK" and code == 0:
        return 0, json.dumps(lf.conf_of(stdin).get("prevResult") or {}).encode()
    return code, stdout
