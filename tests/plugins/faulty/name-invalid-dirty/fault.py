"""host-local (Go): Refuses a network name outside the charset with plain text instead of an error object."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    doc = pf.error_doc(out) if code else None
    if doc and doc.get("code") == 7 and "name" in doc.get("msg", ""):
        return 1, b"invalid network name\n"
    return code, out
