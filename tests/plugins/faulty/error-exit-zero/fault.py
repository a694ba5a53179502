"""host-local (Go): Prints its error object but exits 0."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    _, out = pf.real(env, stdin)
    return 0, out
