"""bridge (Go): Accepts CNI_IFNAMEs with '/', ':', whitespace or '.'/'..' by rewriting them."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    name = env.get("CNI_IFNAME")
    if name is not None:
        fixed = {".": "dot", "..": "dotdot"}.get(name) or re.sub(r"[/:\s]", "-", name)
        env = {**env, "CNI_IFNAME": fixed}
    return pf.real(env, stdin)
