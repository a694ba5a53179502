"""bridge (Go): refuses any configuration key of the runtime's cni.dev/ namespace it does not
know, with code 2 (config.cni-dev.ignored)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_config.py", "1.0.0", "test_cni_dev_keys_ignored", "should not fail on them"),
]


def replace(env, stdin):
    unknown = sorted(k for k in faults.config(stdin) if k.startswith("cni.dev/"))
    if faults.verb(env) in ("ADD", "CHECK", "DEL") and unknown:
        return faults.error(2, f"unsupported field {unknown[0]}", details=f"{unknown[0]}={faults.config(stdin)[unknown[0]]!r}")
    return faults.real(env, stdin)
