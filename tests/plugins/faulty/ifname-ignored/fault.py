"""bridge (Go): Always names the container interface eth0, whatever CNI_IFNAME says."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if env.get("CNI_IFNAME"):
        env = {**env, "CNI_IFNAME": "eth0"}
    return pf.real(env, stdin)
