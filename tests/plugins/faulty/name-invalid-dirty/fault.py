"""host-local (Go): Refuses a network name outside the charset with plain text instead of an error object."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_config.py", "1.0.0",
                  "test_name_outside_charset_refused_cleanly[1.0.0-space]", "with an error object"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    doc = faults.error_doc(out) if code else None
    if doc and doc.get("code") == 7 and "name" in doc.get("msg", ""):
        return 1, b"invalid network name\n"
    return code, out
