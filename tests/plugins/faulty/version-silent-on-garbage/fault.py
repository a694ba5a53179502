"""host-local (Go): VERSION with a stdin that is not a JSON object (empty, or not JSON) exits 0 and prints
nothing: an exit 0 is a VERSION answer, which must be a version object (version.input.malformed)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_version.py", "1.0.0", "test_version_malformed_input[1.0.0-empty]", "must print a version object"),
    faults.caught("host-local", "test_version.py", "1.0.0", "test_version_malformed_input[1.0.0-not-json]", "must print a version object"),
]


def replace(env, stdin):
    if faults.verb(env) == "VERSION":
        try:
            doc = json.loads(stdin)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            return 0, b""
    return faults.real(env, stdin)
