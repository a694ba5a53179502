"""host-local (Go): VERSION answers an empty supportedVersions list."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if env.get("CNI_COMMAND") == "VERSION":
        return 0, json.dumps({"cniVersion": (pf.config(stdin) or {}).get("cniVersion", "1.0.0"), "supportedVersions": []}).encode()
    return pf.real(env, stdin)
