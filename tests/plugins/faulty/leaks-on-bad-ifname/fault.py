"""bridge (Go): Refuses an invalid CNI_IFNAME with a proper error, but only after creating eth0 in the container.

No rule forbids it: the env.ifname.* rules ask only that ADD fails, and the spec has the runtime
run DEL after a failed ADD (spec-v1.0.0 Section 3: 'A delete must still be executed even if the
add fails'). Kept to prove that the ifname tests judge exactly their rules' text (they pass)."""

import faults

PROVEN_BY = "tests/test_rule_scope.py::test_ifname_rules_judge_only_the_failure"


def replace(env, stdin):
    name = env.get("CNI_IFNAME", "")
    if env.get("CNI_COMMAND") == "ADD" and (len(name) > 15 or name in (".", "..") or any(c in name for c in "/: \t\n")):
        faults.real({**env, "CNI_IFNAME": "eth0"}, stdin)
        return faults.error(4, f"interface name {name!r} is invalid")
    return faults.real(env, stdin)
