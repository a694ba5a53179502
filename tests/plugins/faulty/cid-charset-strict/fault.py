"""host-local (Go): Refuses container ids holding '.' or '_', which the spec allows."""

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_environment.py", "1.0.0",
                  "test_container_id_charset_accepted[1.0.0-punctuated]", "should be accepted"),
]


def replace(env, stdin):
    cid = env.get("CNI_CONTAINERID", "")
    if env.get("CNI_COMMAND") in ("ADD", "CHECK", "DEL") and ("." in cid or "_" in cid):
        return faults.error(4, f"invalid characters in CNI_CONTAINERID ({cid})")
    return faults.real(env, stdin)
