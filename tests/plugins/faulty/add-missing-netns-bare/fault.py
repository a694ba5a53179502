"""bridge (Go): ADD into a CNI_NETNS that does not exist fails with a bare exit 1 and nothing on stdout:
it fails as add.netns.nonexistent-fails asks (tests/test_rule_scope.py proves it passes), without the
error object it should print (error.json.on-stdout)."""

import os

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_add.py", "1.0.0", "test_add_missing_netns_error_object", "expects an error object"),
]


def replace(env, stdin):
    if faults.verb(env) == "ADD" and env.get("CNI_NETNS") and not os.path.exists(env["CNI_NETNS"]):
        return 1, b""
    return faults.real(env, stdin)
