"""bridge (Go): Crashes without an error object when CNI_PATH is unset."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    if env.get("CNI_COMMAND") != "VERSION" and "CNI_PATH" not in env:
        return 2, b""
    return pf.real(env, stdin)
