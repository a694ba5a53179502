"""bridge (Go): Prints a second JSON document (a log record) after its ADD result."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    if env.get("CNI_COMMAND") == "ADD" and code == 0:
        out = out + b'\n{"log": "interface added"}\n'
    return code, out
