"""bridge (Go): VERSION answers cniVersion 0.4.0 whatever the request asked."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    if env.get("CNI_COMMAND") == "VERSION" and code == 0:
        doc = json.loads(out)
        doc["cniVersion"] = "0.4.0"
        out = json.dumps(doc).encode()
    return code, out
