"""ADD at 0.1.0/0.2.0 answers in the 1.0.0 layout (interfaces/ips), labelled with the old version."""

import json
import os  # noqa: F401
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def before(env, stdin):
    conf = lf.conf_of(stdin)
    if lf.verb(env) == "ADD" and lf.version_key(conf.get("cniVersion")) < (0, 3, 0):
        env["FAULTY_ASKED"] = conf["cniVersion"]
        conf["cniVersion"] = "1.0.0"
        stdin = json.dumps(conf).encode()
    return env, stdin


def after(env, stdin, code, stdout):
    if "FAULTY_ASKED" not in env:
        return code, stdout
    return lf.edit_result(code, stdout, lambda r: r.update(cniVersion=env["FAULTY_ASKED"]))
