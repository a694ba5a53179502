"""bridge (Go): Accepts a CNI_IFNAME longer than 15 bytes by truncating it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if len(env.get("CNI_IFNAME", "")) > 15:
        env = {**env, "CNI_IFNAME": env["CNI_IFNAME"][:15]}
    return pf.real(env, stdin)
