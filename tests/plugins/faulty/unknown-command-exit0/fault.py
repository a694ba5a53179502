"""host-local (Go): Exits 0 with no output on an unknown CNI_COMMAND."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if env.get("CNI_COMMAND") not in ("ADD", "CHECK", "DEL", "VERSION", "GC", "STATUS"):
        return 0, b""
    return pf.real(env, stdin)
