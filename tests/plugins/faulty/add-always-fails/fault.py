"""The reference (1.1.0) bridge whose ADD always fails with an error object: every test
that needs an ADD is blocked by add.result.stdout, and only ADD's own rules fail."""

import faults

REAL_PLUGIN_DIR = faults.REFERENCE_PLUGINS
PROVEN_BY = "tests/test_blocked.py::test_failed_add_blocks_check_del_and_gc"


def after(env, stdin, code, stdout):
    if faults.verb(env) == "ADD":
        return faults.error(11, "cnitest fault: ADD always fails")
    return code, stdout
