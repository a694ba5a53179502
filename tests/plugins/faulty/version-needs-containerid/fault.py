"""bridge (Go): VERSION demands CNI_CONTAINERID."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if env.get("CNI_COMMAND") == "VERSION" and not env.get("CNI_CONTAINERID"):
        return pf.error(4, "required env variables [CNI_CONTAINERID] missing")
    return pf.real(env, stdin)
