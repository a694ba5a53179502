"""ADD result keeps ips[].version at 1.0.0."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_ips_carry_no_version"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout

    def add_version(r):
        for ip in r.get("ips") or []:
            ip["version"] = "6" if ":" in ip["address"] else "4"
    return faults.edit_result(code, stdout, add_version)
