"""The reference (1.1.0) bridge whose container interface reports a wrong mtu and a relative
socketPath (add.result.interface-mtu, add.result.interface-optional-fields)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402

REAL_PLUGIN_DIR = str(Path(__file__).resolve().parents[4] / "reference_plugins" / "bin")


def _spoil(result):
    for i in lf.container_indexes(result):
        result["interfaces"][i].update(mtu=1234, socketPath="run/cnitest.sock")


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    return lf.edit_result(code, stdout, _spoil)
