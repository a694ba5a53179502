"""ADD 'succeeds' when CNI_NETNS does not exist."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def after(env, stdin, code, stdout):
    if lf.verb(env) == "ADD" and env.get("CNI_NETNS") and not os.path.exists(env["CNI_NETNS"]):
        return 0, json.dumps({"cniVersion": lf.conf_of(stdin).get("cniVersion"), "interfaces": [], "ips": []}).encode()
    return code, stdout
