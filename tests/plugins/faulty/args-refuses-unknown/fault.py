"""bridge (Go): Refuses CNI_ARGS keys it does not know even with IgnoreUnknown set."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    keys = [kv.split("=", 1)[0] for kv in env.get("CNI_ARGS", "").split(";") if kv]
    unknown = [k for k in keys if k != "IgnoreUnknown"]
    if env.get("CNI_COMMAND") != "VERSION" and unknown:
        return pf.error(100, f"unknown CNI_ARGS keys {unknown}")
    return pf.real(env, stdin)
