"""ADD leaves the container interface down: no spec rule asks for it up, the bridge profile does."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_profile_expectations.py", None, "test_effect_after_add[interface.up]", "is down"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) == "ADD" and code == 0:
        faults.in_netns(env, "ip", "link", "set", "dev", env["CNI_IFNAME"], "down")
    return code, stdout
