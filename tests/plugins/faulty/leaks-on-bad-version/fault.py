"""host-local (Go): Refuses an unsupported cniVersion with code 1, but only after reserving an address."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf

SUPPORTED = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0")


def replace(env, stdin):
    wanted = (pf.config(stdin) or {}).get("cniVersion")
    if env.get("CNI_COMMAND") == "ADD" and wanted not in SUPPORTED:
        pf.real(env, pf.with_config(stdin, cniVersion="1.0.0"))
        return pf.error(1, f"incompatible CNI versions (config is {wanted!r})")
    return pf.real(env, stdin)
