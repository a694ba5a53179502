"""ADD result lists only the container interface."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_interfaces_cover_what_add_created"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout

    def only_container(r):
        keep = faults.container_indexes(r)
        if not keep:
            return
        r["interfaces"] = [r["interfaces"][i] for i in keep]
        for ip in r.get("ips") or []:
            if ip.get("interface") in keep:
                ip["interface"] = keep.index(ip["interface"])
    return faults.edit_result(code, stdout, only_container)
