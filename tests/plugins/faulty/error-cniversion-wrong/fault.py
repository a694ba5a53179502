"""bridge (Go): Error objects carry a cniVersion that is not the request's."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_errors.py", "1.0.0", "test_error_object_cniversion[1.0.0-no-name]", "not '0.0.9'"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    doc = faults.error_doc(out) if code else None
    if doc:
        return code, json.dumps({**doc, "cniVersion": "0.0.9"}).encode()
    return code, out
