"""CHECK never answers."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import lifecycle_faults as lf


def before(env, stdin):
    if lf.verb(env) == "CHECK":
        time.sleep(3600)
    return env, stdin
