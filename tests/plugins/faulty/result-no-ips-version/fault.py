"""ADD result drops ips[].version (wrong at 0.3.x-0.4.0)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "0.4.0", "test_ips_carry_version"),
    faults.caught("host-local", "test_results.py", "0.4.0", "test_ips_carry_version"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: [ip.pop("version", None) for ip in r.get("ips") or []] and None)
