"""bridge (Go): Refuses a container id outside the charset with plain text instead of an error object."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    doc = pf.error_doc(out) if code else None
    if doc and "containerID" in doc.get("msg", ""):
        return 1, b"bad container id\n"
    return code, out
