"""bridge that installs the container's IPv4 default route with metric 77 at 0.1.0-0.4.0 (route.metric-zero)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_dns_routes.py", "0.4.0", "test_routes_installed_with_metric_zero"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "ADD" or code != 0 or faults.version_key(faults.config(stdin).get("cniVersion")) >= (1, 0, 0):
        return code, stdout
    shown = faults.in_netns(env, "ip", "-4", "route", "show", "default").stdout.decode().split()
    if shown:
        faults.in_netns(env, "ip", "-4", "route", "del", "default")
        faults.in_netns(env, "ip", "-4", "route", "add", *shown, "metric", "77")
    return code, stdout
