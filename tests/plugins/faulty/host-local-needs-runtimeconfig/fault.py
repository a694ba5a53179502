"""host-local that refuses ADD when it declares capabilities but gets no runtimeConfig value
(cap.runtimeconfig.optional)."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_capabilities.py", "1.0.0", "test_declared_capability_without_value"),
]


def replace(env, stdin):
    conf = faults.config(stdin)
    if faults.verb(env) == "ADD" and conf.get("capabilities") and not conf.get("runtimeConfig"):
        return faults.error(7, "capabilities declared but the runtime sent no runtimeConfig")
    return faults.real(env, stdin)
