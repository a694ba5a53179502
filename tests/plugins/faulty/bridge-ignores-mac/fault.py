"""bridge that drops runtimeConfig.mac (cap.mac)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def before(env, stdin):
    conf = lf.conf_of(stdin)
    if isinstance(conf.get("runtimeConfig"), dict) and conf["runtimeConfig"].pop("mac", None):
        return env, json.dumps(conf).encode()
    return env, stdin
