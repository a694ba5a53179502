"""bridge (Go): Refuses CNI_ARGS keys it does not know even with IgnoreUnknown set."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_environment.py", "0.4.0",
                  "test_ignore_unknown_cni_args[0.4.0-IgnoreUnknown=true;CnitestUnknownKey=cnitest]", "should succeed"),
    faults.caught("bridge", "test_environment.py", "0.4.0",
                  "test_well_formed_cni_args_accepted[0.4.0-IgnoreUnknown=1;K8S_POD_NAMESPACE=cnitest;K8S_POD_NAME=pod0]", "should succeed"),
]


def replace(env, stdin):
    keys = [kv.split("=", 1)[0] for kv in env.get("CNI_ARGS", "").split(";") if kv]
    unknown = [k for k in keys if k != "IgnoreUnknown"]
    if env.get("CNI_COMMAND") != "VERSION" and unknown:
        return faults.error(100, f"unknown CNI_ARGS keys {unknown}")
    return faults.real(env, stdin)
