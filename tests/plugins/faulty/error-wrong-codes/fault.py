"""host-local (Go): Uses reserved code 42 for decode errors (not 6) and 100 for invalid configs (not 7)."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_errors.py", "1.0.0",
                  "test_decode_failure_code_6[1.0.0-truncated-json]", "got 42"),
    faults.caught("host-local", "test_errors.py", "1.0.0", "test_error_code_reserved_range[1.0.0-not-json]", "code 42"),
    faults.caught("host-local", "test_errors.py", "1.0.0", "test_invalid_config_code_7[1.0.0-missing]", "got 100"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    doc = faults.error_doc(out) if code else None
    if doc and doc.get("code") in (6, 7):
        return faults.error({6: 42, 7: 100}[doc["code"]], doc.get("msg", ""))
    return code, out
