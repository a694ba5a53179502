"""bridge (Go): Error objects carry a cniVersion that is not the request's."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    doc = pf.error_doc(out) if code else None
    if doc:
        return code, json.dumps({**doc, "cniVersion": "0.0.9"}).encode()
    return code, out
