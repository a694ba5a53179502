"""host-local that ignores every way of requesting addresses: runtimeConfig (ips, ipRanges),
args.cni.ips and CNI_ARGS IP= (cap.ips, cap.ip-ranges, args.cni.ips, args.cni-args.ip)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def before(env, stdin):
    conf = lf.conf_of(stdin)
    if not conf:
        return env, stdin
    conf.pop("runtimeConfig", None)
    conf.pop("args", None)
    env = {k: v for k, v in env.items() if k != "CNI_ARGS"}
    return env, json.dumps(conf).encode()
