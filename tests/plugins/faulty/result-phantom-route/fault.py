"""ADD result reports a route that is not installed."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_reported_routes_are_installed"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout

    def phantom(r):
        if "ip4" in r:
            r["ip4"].setdefault("routes", []).append({"dst": "198.51.100.0/24"})
        else:
            r.setdefault("routes", []).append({"dst": "198.51.100.0/24"})
    return faults.edit_result(code, stdout, phantom)
