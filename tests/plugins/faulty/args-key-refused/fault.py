"""host-local (Go): Refuses any config carrying an 'args' object."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if "args" in (pf.config(stdin) or {}):
        return pf.error(7, "the args key is not supported")
    return pf.real(env, stdin)
