"""host-local (Go): VERSION refuses a stdin that is not JSON (code 6), which 1.0.0 allows but 0.2.0-0.4.0,
whose VERSION takes no parameters, do not expect (version.input.none-legacy)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_version.py", "0.4.0", "test_version_ignores_stdin_before_1_0_0", "should not stop it answering"),
]


def replace(env, stdin):
    if faults.verb(env) == "VERSION" and stdin.strip():
        try:
            json.loads(stdin)
        except ValueError:
            return faults.error(6, "failed to decode the VERSION request")
    return faults.real(env, stdin)
