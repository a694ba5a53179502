"""bridge (Go): refuses unknown cnitest* config keys with code 7, naming neither key nor value:
no code-2 error, so error.code.unsupported-field-message has nothing to judge (not a pass)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if any(k.startswith("cnitest") for k in pf.config(stdin) or {}):
        return pf.error(7, "invalid network configuration")
    return pf.real(env, stdin)
