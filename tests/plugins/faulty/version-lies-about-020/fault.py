"""bridge (Go): VERSION lists 0.2.0 (the real list) but refuses every 0.2.0 request as incompatible."""

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_version.py", "0.2.0",
                  "test_listed_version_works", "refused as incompatible (code 1)"),
]


def replace(env, stdin):
    conf = faults.config(stdin)
    if env.get("CNI_COMMAND") != "VERSION" and conf.get("cniVersion") == "0.2.0":
        return faults.error(1, 'incompatible CNI versions (config is "0.2.0")')
    return faults.real(env, stdin)
