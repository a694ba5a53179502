"""bridge (Go): VERSION refuses a request at a cniVersion it does not support (code 1) instead of answering."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    wanted = (pf.config(stdin) or {}).get("cniVersion")
    if env.get("CNI_COMMAND") == "VERSION" and wanted not in ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", None):
        return pf.error(1, f"incompatible CNI versions (config is {wanted!r})")
    return pf.real(env, stdin)
