"""bridge (Go): Code-4 errors do not say which variable is wrong."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0",
                  "test_code_4_names_the_variable[1.0.0-ADD-CNI_NETNS-unset]", "must name the offending variable (CNI_NETNS)"),
    faults.caught("bridge", "test_environment.py", "1.0.0",
                  "test_code_4_names_the_variable[1.0.0-DEL-CNI_IFNAME-unset]", "CNI_IFNAME"),
]


def replace(env, stdin):
    code, out = faults.real(env, stdin)
    doc = faults.error_doc(out) if code else None
    if doc and doc.get("code") == 4:
        return faults.error(4, "invalid interface name or network namespace")  # words, not variable names
    return code, out
