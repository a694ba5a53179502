"""ADD below 0.4.0 always fails: a CHECK refused then proves nothing about CHECK."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def after(env, stdin, code, stdout):
    if lf.verb(env) in ("ADD", "CHECK") and lf.version_key(lf.conf_of(stdin).get("cniVersion")) < (0, 4, 0):
        return lf.error("cnitest fault: nothing works below 0.4.0", code=999)
    return code, stdout
