"""ADD result leaves sandbox out of the container interface."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_container_interfaces_carry_sandbox"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: [i.pop("sandbox", None) for i in r.get("interfaces") or []] and None)
