"""bridge (Go): Refuses an invalid CNI_IFNAME with a proper error, but only after creating eth0 in the container."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    name = env.get("CNI_IFNAME", "")
    if env.get("CNI_COMMAND") == "ADD" and (len(name) > 15 or name in (".", "..") or any(c in name for c in "/: \t\n")):
        pf.real({**env, "CNI_IFNAME": "eth0"}, stdin)
        return pf.error(4, f"interface name {name!r} is invalid")
    return pf.real(env, stdin)
