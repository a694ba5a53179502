"""host-local that answers GC and STATUS with success at every cniVersion, also below 1.1.0
(gc.old-version-rejected, status.old-version-rejected)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf  # noqa: E402


def replace(env, stdin):
    if lf.verb(env) in ("GC", "STATUS"):
        return 0, b""
    import subprocess

    done = subprocess.run(["/usr/lib/cni/host-local"], input=stdin, env=env, stdout=subprocess.PIPE)
    return done.returncode, done.stdout
