"""bridge (Go): Error objects carry code as a string and the text under "message" instead of msg."""

import json

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_errors.py", "1.0.0",
                  "test_error_object_has_code_and_msg[1.0.0-not-json]", "code must be an integer"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    doc = faults.error_doc(out) if code else None
    if doc:
        return code, json.dumps({"code": str(doc["code"]), "message": doc.get("msg", "")}).encode()
    return code, out
