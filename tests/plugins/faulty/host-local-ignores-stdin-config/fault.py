"""host-local that allocates from a built-in 10.88.0.0/24 whatever ranges stdin names (io.stdin.config)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def before(env, stdin):
    conf = lf.conf_of(stdin)
    ipam = conf.get("ipam")
    if isinstance(ipam, dict) and ipam.get("ranges"):
        ipam["ranges"] = [[{"subnet": "10.88.0.0/24"}]]
        return env, json.dumps(conf).encode()
    return env, stdin
