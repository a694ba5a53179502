"""ADD result gives no mac for the container interface, although it is an Ethernet link (add.result.mac-present)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    return lf.edit_result(code, stdout, lambda r: [i.pop("mac", None) for i in r.get("interfaces") or [] if i.get("sandbox")] and None)
