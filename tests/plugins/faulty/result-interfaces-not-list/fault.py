"""ADD result gives interfaces as an object."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_result_interfaces_shape"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout

    def as_object(r):
        if "interfaces" in r:
            r["interfaces"] = {str(i): x for i, x in enumerate(r["interfaces"])}
            for ip in r.get("ips") or []:
                ip.pop("interface", None)
    return faults.edit_result(code, stdout, as_object)
