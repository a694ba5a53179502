"""ADD result points ips[].interface past the end of interfaces."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_ips_interface_indexes_point_into_interfaces"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: [ip.update(interface=len(r.get("interfaces") or []) + 2) for ip in r.get("ips") or []] and None)
