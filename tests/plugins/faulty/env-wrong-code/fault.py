"""host-local (Go): Reports missing or invalid CNI_* variables with code 7 instead of 4."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    doc = pf.error_doc(out) if code else None
    if doc and doc.get("code") == 4:
        return pf.error(7, doc.get("msg", ""))
    return code, out
