"""The reference (1.1.0) bridge whose ADD always fails with an error object: every test
that needs an ADD is blocked by add.result.stdout, and only ADD's own rules fail."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402

REAL_PLUGIN_DIR = str(Path(__file__).resolve().parents[4] / "reference_plugins" / "bin")


def after(env, stdin, code, stdout):
    if lf.verb(env) == "ADD":
        return lf.error("cnitest fault: ADD always fails", code=11)
    return code, stdout
