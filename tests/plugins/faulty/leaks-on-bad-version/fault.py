"""host-local (Go): Refuses an unsupported cniVersion with code 1, but only after reserving an address."""

import faults

SUPPORTED = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0")

CAUGHT_BY = [
    faults.caught("host-local", "test_version.py", "1.0.0",
                  "test_unsupported_version_add_refused[1.0.0-9.9.9]", "IPAM dataDir gained reservations"),
]


def replace(env, stdin):
    wanted = faults.config(stdin).get("cniVersion")
    if env.get("CNI_COMMAND") == "ADD" and wanted not in SUPPORTED:
        faults.real(env, faults.with_config(stdin, cniVersion="1.0.0"))
        return faults.error(1, f"incompatible CNI versions (config is {wanted!r})")
    return faults.real(env, stdin)
