"""bridge (Go): Refuses an unsupported cniVersion with code 7 instead of 1."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_version.py", "1.0.0",
                  "test_unsupported_version_add_refused[1.0.0-9.9.9]", "refused with code 1"),
    faults.caught("bridge", "test_version.py", "1.0.0",
                  "test_unsupported_version_add_refused[1.0.0-above-highest]", "got 7"),
    faults.caught("bridge", "test_version.py", "1.0.0",
                  "test_unsupported_version_del_check_refused[1.0.0-9.9.9]", "refused with code 1"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    doc = faults.error_doc(out) if code else None
    if doc and doc.get("code") == 1:
        return faults.error(7, doc.get("msg", ""))
    return code, out
