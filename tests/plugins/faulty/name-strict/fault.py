"""bridge (Go): Refuses network names holding '.' or '_', which the spec allows."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    name = (pf.config(stdin) or {}).get("name", "")
    if isinstance(name, str) and ("." in name or "_" in name):
        return pf.error(7, f"invalid network name {name!r}")
    return pf.real(env, stdin)
