"""The reference (1.1.0) bridge whose result leaves out every interface's mtu
(add.result.interface-mtu-present)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402

REAL_PLUGIN_DIR = str(Path(__file__).resolve().parents[4] / "reference_plugins" / "bin")


def _drop(result):
    for iface in result.get("interfaces") or []:
        iface.pop("mtu", None)


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD":
        return code, stdout
    return lf.edit_result(code, stdout, _drop)
