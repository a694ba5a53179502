"""host-local (Go): Makes up a network name when the config has none."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_config.py", "1.0.0", "test_name_required[1.0.0-ADD]", "should be refused"),
]


def replace(env, stdin):
    conf = faults.config(stdin)
    if conf and not conf.get("name") and env.get("CNI_COMMAND") != "VERSION":
        stdin = faults.with_config(stdin, name="default")
    return faults.real(env, stdin)
