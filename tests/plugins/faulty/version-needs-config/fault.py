"""host-local (Go): VERSION demands a full network config (a name) on stdin."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if env.get("CNI_COMMAND") == "VERSION" and "name" not in (pf.config(stdin) or {}):
        return pf.error(7, "missing network name")
    return pf.real(env, stdin)
