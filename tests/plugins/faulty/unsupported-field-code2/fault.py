"""bridge (Go): Refuses unknown cnitest* config keys with code 2 and a message naming neither key nor value."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if any(k.startswith("cnitest") for k in pf.config(stdin) or {}):
        return pf.error(2, "unsupported field in network configuration")
    return pf.real(env, stdin)
