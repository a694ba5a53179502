"""static that honours CNI_ARGS IP= even when args.cni.ips asks for addresses too (args.precedence)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("static", "test_capabilities.py", "1.0.0", "test_args_win_over_cni_args"),
]


def before(env, stdin):
    conf = faults.config(stdin)
    ips = ((conf.get("args") or {}).get("cni") or {}).get("ips")
    fields = dict(kv.split("=", 1) for kv in env.get("CNI_ARGS", "").split(";") if "=" in kv)
    if ips and fields.get("IP"):
        conf["args"]["cni"]["ips"] = list(ips) + [fields["IP"]]
        return env, json.dumps(conf).encode()
    return env, stdin
