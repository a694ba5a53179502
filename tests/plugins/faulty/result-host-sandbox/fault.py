"""ADD result gives host-side interfaces a sandbox."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_host_interfaces_have_no_sandbox"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: [i.update(sandbox=env["CNI_NETNS"]) for i in r.get("interfaces") or []] and None)
