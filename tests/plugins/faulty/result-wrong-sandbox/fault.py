"""ADD result names another sandbox than CNI_NETNS."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_sandbox_is_cni_netns"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: [i.update(sandbox="/var/run/netns/elsewhere") for i in r.get("interfaces") or [] if i.get("sandbox")] and None)
