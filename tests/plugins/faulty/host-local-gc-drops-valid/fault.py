"""The reference (1.1.0) host-local whose GC ignores the valid list and releases every attachment (gc.keeps-valid)."""

import json
from pathlib import Path

REAL_PLUGIN_DIR = str(Path(__file__).resolve().parents[4] / "reference_plugins" / "bin")


def before(env, stdin):
    if env.get("CNI_COMMAND") == "GC":
        conf = json.loads(stdin)
        conf["cni.dev/valid-attachments"] = []
        conf["cni.dev/attachments"] = []
        stdin = json.dumps(conf).encode()
    return env, stdin
