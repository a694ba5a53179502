"""tuning whose DEL restores nothing (profile check tuning.mtu after DEL)."""

import faults

CAUGHT_BY = [
    faults.caught("tuning", "test_profile_expectations.py", None, "test_effect_after_del[tuning.mtu]", "mtu"),
]


def replace(env, stdin):
    if env.get("CNI_COMMAND") == "DEL":
        return 0, b""
    return faults.real(env, stdin)
