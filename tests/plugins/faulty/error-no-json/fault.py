"""bridge (Go): Fails with an empty stdout: no error object."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    code, out = pf.real(env, stdin)
    return (code, b"") if code else (code, out)
