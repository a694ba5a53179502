"""ADD result has a route whose dst and gw are of different families."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "0.4.0", "test_route_dst_and_gw_share_a_family"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: r.setdefault("routes", []).append({"dst": "198.51.100.0/24", "gw": "fd00::1"}) if "ips" in r else None)
