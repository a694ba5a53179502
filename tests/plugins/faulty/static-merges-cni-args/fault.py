"""static that honours CNI_ARGS IP= even when args.cni.ips asks for addresses too (args.precedence)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def before(env, stdin):
    conf = lf.conf_of(stdin)
    ips = ((conf.get("args") or {}).get("cni") or {}).get("ips")
    fields = dict(kv.split("=", 1) for kv in env.get("CNI_ARGS", "").split(";") if "=" in kv)
    if ips and fields.get("IP"):
        conf["args"]["cni"]["ips"] = list(ips) + [fields["IP"]]
        return env, json.dumps(conf).encode()
    return env, stdin
