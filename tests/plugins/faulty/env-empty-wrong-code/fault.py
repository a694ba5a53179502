"""An empty (not unset) CNI_CONTAINERID, CNI_NETNS or CNI_IFNAME is refused with code 999,
not 4: only a code check that tries empty variables sees it (error.code.invalid-env)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def after(env, stdin, code, stdout):
    for var in ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"):
        if var in env and env[var] == "":
            return lf.error(f"{var} is empty", code=999)
    return code, stdout
