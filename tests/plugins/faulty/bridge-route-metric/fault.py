"""bridge that installs the container's IPv4 default route with metric 77 at 0.1.0-0.4.0 (route.metric-zero)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def after(env, stdin, code, stdout):
    if lf.verb(env) != "ADD" or code != 0 or lf.version_key(lf.conf_of(stdin).get("cniVersion")) >= (1, 0, 0):
        return code, stdout
    shown = lf.in_netns(env, "ip", "-4", "route", "show", "default").stdout.decode().split()
    if shown:
        lf.in_netns(env, "ip", "-4", "route", "del", "default")
        lf.in_netns(env, "ip", "-4", "route", "add", *shown, "metric", "77")
    return code, stdout
