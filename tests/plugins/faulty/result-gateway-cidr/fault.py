"""ADD result writes ips[].gateway with a prefix length."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_result_ips_shape"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout
    return faults.edit_result(code, stdout, lambda r: [ip.update(gateway=ip["gateway"] + "/24") for ip in r.get("ips") or [] if ip.get("gateway")] and None)
