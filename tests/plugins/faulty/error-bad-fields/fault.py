"""bridge (Go): Error objects carry code as a string and the text under "message" instead of msg."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    doc = pf.error_doc(out) if code else None
    if doc:
        return code, json.dumps({"code": str(doc["code"]), "message": doc.get("msg", "")}).encode()
    return code, out
