"""ADD result gives no mac for the container interface, although it is an Ethernet link (add.result.mac-present)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "0.4.0", "test_container_interface_gives_its_mac"),
    faults.caught("bridge", "test_results.py", "1.0.0", "test_container_interface_gives_its_mac"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: [i.pop("mac", None) for i in r.get("interfaces") or [] if i.get("sandbox")] and None)
