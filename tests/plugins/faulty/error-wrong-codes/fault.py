"""host-local (Go): Uses reserved code 42 for decode errors (not 6) and 100 for invalid configs (not 7)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    doc = pf.error_doc(out) if code else None
    if doc and doc.get("code") in (6, 7):
        return pf.error({6: 42, 7: 100}[doc["code"]], doc.get("msg", ""))
    return code, out
