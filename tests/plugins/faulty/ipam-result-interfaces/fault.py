"""IPAM ADD result carries an interfaces list and ips[].interface."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_results.py", "0.4.0", "test_ipam_result_leaves_out_interfaces"),
    faults.caught("host-local", "test_results.py", "1.0.0", "test_ipam_result_is_abbreviated"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout

    def with_interfaces(r):
        if "ips" in r:
            r["interfaces"] = [{"name": env.get("CNI_IFNAME", "eth0")}]
            for ip in r["ips"]:
                ip["interface"] = 0
    return faults.edit_result(code, stdout, with_interfaces)
