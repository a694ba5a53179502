"""bridge (Go): a missing or empty required variable fails with a bare exit 1 and nothing on
stdout: the call fails as it must (env.required.missing-fails), without the error object it
should print (error.json.on-stdout)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf

REQUIRED = {"ADD": ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"), "CHECK": ("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"),
            "DEL": ("CNI_CONTAINERID", "CNI_IFNAME")}


def replace(env, stdin):
    if any(not env.get(v) for v in REQUIRED.get(env.get("CNI_COMMAND"), ())):
        return 1, b""
    return pf.real(env, stdin)
