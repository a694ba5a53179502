"""IPAM ADD succeeds with no address."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_results.py", "1.0.0", "test_ipam_hands_out_an_address"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout

    def empty(r):
        r.pop("ip4", None)
        r.pop("ip6", None)
        if "ips" in r or faults.version_key(r.get("cniVersion")) >= (0, 3, 0):
            r["ips"] = []
    return faults.edit_result(code, stdout, empty)
