"""host-local whose DEL releases the container id / ifname in every network under dataDir,
not just the named one (lifecycle.state-key)."""

from pathlib import Path

import faults

CAUGHT_BY = [
    faults.caught("host-local", "test_misc.py", "1.0.0", "test_state_keyed_by_network"),
]


def after(env, stdin, code, stdout):
    if faults.verb(env) != "DEL":
        return code, stdout
    data_dir = (faults.config(stdin).get("ipam") or {}).get("dataDir")
    if data_dir and Path(data_dir).is_dir():
        for path in Path(data_dir).glob("*/*"):
            try:
                lines = path.read_text().split()
            except (OSError, UnicodeDecodeError):
                continue
            if lines[:2] == [env.get("CNI_CONTAINERID"), env.get("CNI_IFNAME")]:
                path.unlink()
    return code, stdout
