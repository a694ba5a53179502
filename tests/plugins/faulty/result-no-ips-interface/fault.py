"""ADD result leaves ips[].interface out."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_container_addresses_name_their_interface"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: [ip.pop("interface", None) for ip in r.get("ips") or []] and None)
