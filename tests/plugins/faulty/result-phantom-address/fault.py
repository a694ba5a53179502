"""ADD result reports an address the container interface does not have."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_results.py", "1.0.0", "test_reported_addresses_are_configured"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD":
        return code, stdout

    def phantom(r):
        if "ip4" in r:
            r.setdefault("ip6", {"ip": "fd00:99::99/64"})
            return
        extra = {"address": "10.88.0.250/24"}
        if faults.container_indexes(r):
            extra["interface"] = faults.container_indexes(r)[0]
        if any("version" in ip for ip in r.get("ips") or []):
            extra["version"] = "4"
        r.setdefault("ips", []).append(extra)
    return faults.edit_result(code, stdout, phantom)
