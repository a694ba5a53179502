"""ADD result writes a route dst without a prefix length."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_route_entries_shape"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: r.setdefault("routes", []).append({"dst": "198.51.100.0"}) if "ips" in r else None)
