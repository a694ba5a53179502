"""host-local that ignores every way of requesting addresses: runtimeConfig (ips, ipRanges),
args.cni.ips and CNI_ARGS IP= (cap.ips, cap.ip-ranges, args.cni.ips, args.cni-args.ip)."""

import json

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_capabilities.py", "1.0.0", "test_args_cni_ips"),
    faults.caught("host-local", "test_capabilities.py", "1.0.0", "test_cni_args_ip"),
    faults.caught("host-local", "test_capabilities.py", "1.0.0", "test_runtime_config_ip_ranges"),
    faults.caught("host-local", "test_capabilities.py", "1.0.0", "test_runtime_config_ips"),
]


def before(env, stdin):
    conf = faults.config(stdin)
    if not conf:
        return env, stdin
    conf.pop("runtimeConfig", None)
    conf.pop("args", None)
    env = {k: v for k, v in env.items() if k != "CNI_ARGS"}
    return env, json.dumps(conf).encode()
