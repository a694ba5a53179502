"""CHECK below 0.4.0 dies with a bare exit code and no error object (a crash, not a refusal)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def after(env, stdin, code, stdout):
    if lf.verb(env) == "CHECK" and lf.version_key(lf.conf_of(stdin).get("cniVersion")) < (0, 4, 0):
        return 2, b"panic: runtime error\n"
    return code, stdout
