"""bridge (Go): an invalid CNI_IFNAME fails with a bare exit 1 and nothing on stdout: the ADD fails as
the env.ifname.* rules ask (tests/test_rule_scope.py proves they pass), without the error object it
should print (error.json.on-stdout)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_bad_ifname_error_object[1.0.0-colon]", "expects an error object"),
    faults.caught("bridge", "test_environment.py", "1.0.0", "test_bad_ifname_error_object[1.0.0-16-bytes]", "expects an error object"),
]


def replace(env, stdin):
    name = env.get("CNI_IFNAME", "")
    if faults.verb(env) == "ADD" and (len(name) > 15 or name in (".", "..") or any(c in name for c in "/: \t\n")):
        return 1, b""
    return faults.real(env, stdin)
