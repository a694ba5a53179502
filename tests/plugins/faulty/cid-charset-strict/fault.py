"""host-local (Go): Refuses container ids holding '.' or '_', which the spec allows."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    cid = env.get("CNI_CONTAINERID", "")
    if env.get("CNI_COMMAND") in ("ADD", "CHECK", "DEL") and ("." in cid or "_" in cid):
        return pf.error(4, f"invalid characters in CNI_CONTAINERID ({cid})")
    return pf.real(env, stdin)
