"""bridge (Go): Code-4 errors do not say which variable is wrong."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    doc = pf.error_doc(out) if code else None
    if doc and doc.get("code") == 4:
        return pf.error(4, "invalid environment")
    return code, out
