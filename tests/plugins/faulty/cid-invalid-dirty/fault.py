"""bridge (Go): Refuses a container id outside the charset with plain text instead of an error object."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0",
                  "test_container_id_outside_charset_refused_cleanly[1.0.0-leading-dash]", "with an error object"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    doc = faults.error_doc(out) if code else None
    if doc and "containerID" in doc.get("msg", ""):
        return 1, b"bad container id\n"
    return code, out
