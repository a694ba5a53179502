"""ADD result carries another cniVersion than the request."""

import json  # noqa: F401
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    want = lf.conf_of(stdin).get("cniVersion")
    return lf.edit_result(code, stdout, lambda r: r.update(cniVersion="0.3.1" if want != "0.3.1" else "0.4.0"))
