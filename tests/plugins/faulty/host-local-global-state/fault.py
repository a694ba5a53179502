"""host-local whose DEL releases the container id / ifname in every network under dataDir,
not just the named one (lifecycle.state-key)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def after(env, stdin, code, stdout):
    if lf.verb(env) != "DEL":
        return code, stdout
    data_dir = (lf.conf_of(stdin).get("ipam") or {}).get("dataDir")
    if data_dir and Path(data_dir).is_dir():
        for path in Path(data_dir).glob("*/*"):
            try:
                lines = path.read_text().split()
            except (OSError, UnicodeDecodeError):
                continue
            if lines[:2] == [env.get("CNI_CONTAINERID"), env.get("CNI_IFNAME")]:
                path.unlink()
    return code, stdout
