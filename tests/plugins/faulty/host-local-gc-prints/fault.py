"""The reference (1.1.0) host-local whose successful GC prints a JSON object on stdout (gc.output.empty)."""

import json
import subprocess
from pathlib import Path

REAL_PLUGIN_DIR = str(Path(__file__).resolve().parents[4] / "reference_plugins" / "bin")


def replace(env, stdin):
    done = subprocess.run([str(Path(REAL_PLUGIN_DIR) / "host-local")], input=stdin, env=env, stdout=subprocess.PIPE)
    if env.get("CNI_COMMAND") == "GC" and done.returncode == 0 and not done.stdout.strip():
        return 0, json.dumps({"cniVersion": "1.1.0", "gc": "done"}).encode()
    return done.returncode, done.stdout
