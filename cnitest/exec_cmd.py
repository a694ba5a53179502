"""State that lets separate `cnitest exec` calls act as one runtime for one network.

- A named, persistent sandbox host namespace (`--host-netns NAME`): a bind mount under
  /run/netns made by `ip netns add`, so what the plugin made there (a bridge, a veth
  end) outlives the call; removed by `cnitest exec --cleanup NAME`.
- A result cache like libcni's: the ADD result is kept under
  /var/lib/cnitest/results/<host-netns>/<network>-<container id>-<ifname>.json and is
  sent as prevResult to a later CHECK or DEL (spec 0.4.0 on), then dropped after DEL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from . import versions

NETNS_DIR = Path("/run/netns")
CACHE_DIR = Path(os.environ.get("CNITEST_RESULTS_DIR", "/var/lib/cnitest/results"))


def host_netns_path(name: str) -> str:
    """The path of the named host namespace, made (with lo up) when missing."""
    path = NETNS_DIR / name
    if not path.exists():
        subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, text=True)
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True, capture_output=True, text=True)
    return str(path)


def cleanup(name: str) -> list[str]:
    """Remove the named host namespace and its cached results; what was removed."""
    removed = []
    if (NETNS_DIR / name).exists():
        subprocess.run(["ip", "netns", "delete", name], check=True, capture_output=True, text=True)
        removed.append(str(NETNS_DIR / name))
    cache = CACHE_DIR / name
    if cache.exists():
        shutil.rmtree(cache)
        removed.append(str(cache))
    return removed


def cache_file(host: str, conf: dict[str, Any], container_id: str, ifname: str) -> Path:
    return CACHE_DIR / host / f"{conf.get('name', 'unnamed')}-{container_id}-{ifname}.json"


def apply_cached(path: Path, verb: str, conf: dict[str, Any]) -> bool:
    """Put the cached ADD result in conf's prevResult for CHECK/DEL; True when it did."""
    version = conf.get("cniVersion")
    if verb not in ("CHECK", "DEL") or "prevResult" in conf or not path.is_file():
        return False
    if not (isinstance(version, str) and versions.is_known(version) and versions.at_least(version, "0.4.0")):
        return False
    conf["prevResult"] = json.loads(path.read_text())
    return True


def record(path: Path, verb: str, succeeded: bool, result: Any) -> None:
    """Keep a successful ADD's result; forget it after a successful DEL."""
    if verb == "ADD" and succeeded and isinstance(result, dict):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2))
    elif verb == "DEL" and succeeded:
        path.unlink(missing_ok=True)


def runtime_config(conf: dict[str, Any], cap_args: dict[str, Any] | None, extra: dict[str, Any] | None) -> None:
    """cnitool's CAP_ARGS: capabilities the config declares go into runtimeConfig; --runtime-config as given."""
    declared = conf.get("capabilities")
    caps: dict[str, Any] = declared if isinstance(declared, dict) else {}
    merged = dict(conf.get("runtimeConfig") or {})
    merged.update({k: v for k, v in (cap_args or {}).items() if caps.get(k)})
    merged.update(extra or {})
    if merged:
        conf["runtimeConfig"] = merged
