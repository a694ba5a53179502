"""bridge (Go): an ADD whose CNI_NETNS does not exist reserves an address under a key of its
own before failing, and no DEL ever releases it (add.netns.nonexistent-no-residue)."""

import os
import subprocess

import faults

CAUGHT_BY = [
    faults.caught("bridge", "test_add.py", "1.0.0", "test_failed_add_into_a_missing_netns_leaves_nothing", "left behind"),
]


def replace(env, stdin):
    if faults.verb(env) == "ADD" and env.get("CNI_NETNS") and not os.path.exists(env["CNI_NETNS"]):
        leak = {**env, "CNI_CONTAINERID": f"{env.get('CNI_CONTAINERID')}-leak"}
        subprocess.run([f"{faults.GO_PLUGINS}/host-local"], input=stdin, env=leak, capture_output=True, check=False)
    return faults.real(env, stdin)
