"""host-local that refuses ADD when it declares capabilities but gets no runtimeConfig value
(cap.runtimeconfig.optional)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def replace(env, stdin):
    conf = lf.conf_of(stdin)
    if lf.verb(env) == "ADD" and conf.get("capabilities") and not conf.get("runtimeConfig"):
        return lf.error("capabilities declared but the runtime sent no runtimeConfig", code=7)
    import subprocess

    done = subprocess.run(["/usr/lib/cni/host-local"], input=stdin, env=env, stdout=subprocess.PIPE)
    return done.returncode, done.stdout
