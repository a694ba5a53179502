"""bridge (Go): Fails with an empty stdout: no error object."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_errors.py", "1.0.0",
                  "test_failure_prints_error_object[1.0.0-no-containerid]", "expects an error object"),
    faults.caught("bridge", "test_errors.py", "1.0.0",
                  "test_failure_prints_error_object[1.0.0-not-json]", "expects an error object"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    return (code, b"") if code else (code, out)
