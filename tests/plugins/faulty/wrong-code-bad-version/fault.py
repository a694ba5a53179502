"""bridge (Go): Refuses an unsupported cniVersion with code 7 instead of 1."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    doc = pf.error_doc(out) if code else None
    if doc and doc.get("code") == 1:
        return pf.error(7, doc.get("msg", ""))
    return code, out
