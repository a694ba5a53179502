"""bridge (Go): a configuration whose cniVersion is missing or not a version string is served
as 1.0.0 instead of refused (config.cniversion.required)."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_config.py", "1.0.0", "test_cni_version_required[1.0.0-not-semver]", "should fail"),
    faults.caught("bridge", "test_config.py", "1.0.0", "test_cni_version_required[1.0.0-number]", "should fail"),
]

KNOWN = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0")


def before(env, stdin):
    conf = faults.config(stdin)
    if faults.verb(env) in ("ADD", "CHECK", "DEL") and conf and conf.get("cniVersion") not in KNOWN:
        stdin = faults.with_config(stdin, cniVersion="1.0.0")
    return env, stdin
