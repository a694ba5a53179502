"""host-local (Go): Reports missing or invalid CNI_* variables with code 7 instead of 4."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_environment.py", "1.0.0",
                  "test_required_variable_missing_code_4[1.0.0-ADD-CNI_IFNAME-unset]", "got 7"),
    faults.caught("host-local", "test_environment.py", "1.0.0",
                  "test_unknown_command_code_4[1.0.0-BOGUS]", "code 4 expected, got 7"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    doc = faults.error_doc(out) if code else None
    if doc and doc.get("code") == 4:
        return faults.error(7, doc.get("msg", ""))
    return code, out
