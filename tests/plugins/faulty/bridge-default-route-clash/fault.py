"""bridge whose ADD fails when the container already has a default route (route.default-skip)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_dns_routes.py", "0.4.0", "test_add_copes_with_an_existing_default_route"),
]


def replace(env, stdin):
    if faults.verb(env) == "ADD" and faults.in_netns(env, "ip", "-4", "route", "show", "default").stdout.strip():
        return faults.error(11, "failed to add route 0.0.0.0/0: file exists")
    return faults.real(env, stdin)
