"""bridge (Go): VERSION lists 0.2.0 (the real list) but refuses every 0.2.0 request as incompatible."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    conf = pf.config(stdin) or {}
    if env.get("CNI_COMMAND") != "VERSION" and conf.get("cniVersion") == "0.2.0":
        return pf.error(1, 'incompatible CNI versions (config is "0.2.0")')
    return pf.real(env, stdin)
