"""bridge (Go): refuses unknown cnitest* config keys with code 7, naming neither key nor value:
no code-2 error, so error.code.unsupported-field-message has nothing to judge (not a pass)."""

import faults

PROVEN_BY = "tests/test_loose_assertions.py::test_unsupported_field_refused_with_another_code_is_not_a_pass"


def replace(env, stdin):
    if any(k.startswith("cnitest") for k in faults.config(stdin)):
        return faults.error(7, "invalid network configuration")
    return faults.real(env, stdin)
