"""host-local (Go): Makes up a network name when the config has none."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import _protocol_faults as pf


def replace(env, stdin):
    conf = pf.config(stdin)
    if conf is not None and not conf.get("name") and env.get("CNI_COMMAND") != "VERSION":
        stdin = pf.with_config(stdin, name="default")
    return pf.real(env, stdin)
