"""ADD refuses a second attachment of the same container id."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_add.py", "1.0.0", "test_same_container_twice_with_another_ifname"),
]


def replace(env, stdin):
    if faults.verb(env) == "ADD":
        seen = faults.marker(stdin, {"CNI_CONTAINERID": env.get("CNI_CONTAINERID"), "CNI_IFNAME": "any"}, "added")
        if seen.exists():
            return faults.error(999, "container already attached")
        seen.touch()
    return faults.real(env, stdin)
