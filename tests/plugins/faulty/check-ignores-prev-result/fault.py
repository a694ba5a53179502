"""CHECK checks its own idea of the attachment, not prevResult (it drops prevResult's addresses)."""

import json
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def before(env, stdin):
    conf = lf.conf_of(stdin)
    prev = conf.get("prevResult")
    if lf.verb(env) == "CHECK" and isinstance(prev, dict):
        prev["ips"] = []
        stdin = json.dumps(conf).encode()
    return env, stdin
