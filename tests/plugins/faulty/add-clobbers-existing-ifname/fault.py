"""ADD fails when CNI_IFNAME exists, but first strips its addresses.

No rule forbids it: spec-v1.0.0 'If an interface of the requested name already exists in the
container, the CNI plugin MUST return with an error' asks for the failure only. Kept to prove that
test_add_fails_when_ifname_exists judges exactly the rule's text (it passes)."""

import faults

PROVEN_BY = "tests/test_rule_scope.py::test_ifname_exists_rule_judges_only_the_failure"


def before(env, stdin):
    if faults.verb(env) == "ADD" and env.get("CNI_NETNS"):
        faults.in_netns(env, "ip", "addr", "flush", "dev", env.get("CNI_IFNAME", "eth0"))
    return env, stdin
