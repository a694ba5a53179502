"""The reference (1.1.0) host-local whose routes carry a negative priority and a named table,
and whose failing STATUS uses code 11 (route.result.extended-fields, error.code.status-unavailable)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402

REAL_PLUGIN_DIR = str(Path(__file__).resolve().parents[4] / "reference_plugins" / "bin")


def _spoil(result):
    for r in result.get("routes") or []:
        r.update(priority=-1, table="main")


def after(env, stdin, code, stdout):
    if lf.verb(env) == "ADD":
        return lf.edit_result(code, stdout, _spoil)
    if lf.verb(env) == "STATUS" and code != 0:
        return lf.error("no addresses left", code=11)
    return code, stdout
