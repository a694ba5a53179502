"""ADD below 0.4.0 always fails: a CHECK refused then proves nothing about CHECK."""

import faults

PROVEN_BY = "tests/test_loose_assertions.py::test_check_refusal_needs_a_working_add"


def after(env, stdin, code, stdout):
    if faults.verb(env) in ("ADD", "CHECK") and faults.version_key(faults.config(stdin).get("cniVersion")) < (0, 4, 0):
        return faults.error(999, "cnitest fault: nothing works below 0.4.0")
    return code, stdout
