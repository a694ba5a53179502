"""What host-local keeps in its dataDir, read from outside the plugin.

host-local reserves an address by writing one file named after it (holding the
container id and ifname) under dataDir/<network name>/, next to last_reserved_ip
and a lock file. Tests read these files to see whether an ADD reserved, and a
DEL released, an address; other IPAM plugins given a dataDir are read the same
way, as a best effort (files named after an address or naming the container).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

__all__ = ["for_config", "reservations", "state_files", "text"]


def _named_after_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    return True


def text(path: Path) -> str:
    """A state file's content ("" when it cannot be read)."""
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def reservations(data_dir: str | Path, network: str) -> dict[str, str]:
    """The addresses host-local holds for `network`: {address: file content}."""
    folder = Path(data_dir) / network
    if not folder.is_dir():
        return {}
    return {entry.name: text(entry) for entry in folder.iterdir() if entry.is_file() and _named_after_address(entry.name)}


def for_config(conf: dict[str, Any]) -> dict[str, str] | None:
    """`reservations` of the network `conf` configures; None when the config does not
    use host-local with a dataDir (the harness always sets one for host-local)."""
    ipam = conf.get("ipam")
    if not isinstance(ipam, dict) or ipam.get("type") != "host-local" or not isinstance(ipam.get("dataDir"), str):
        return None
    return reservations(ipam["dataDir"], str(conf.get("name")))


def state_files(data_dir: str | Path, container_id: str | None = None) -> list[Path]:
    """Every file below `data_dir` (any network, any IPAM plugin's layout) named after
    an address or, given `container_id`, holding it; sorted. Empty when there is no such folder."""
    root = Path(data_dir)
    if not root.is_dir():
        return []
    return [path for path in sorted(root.rglob("*"))
            if path.is_file() and (_named_after_address(path.name) or (container_id and container_id in text(path)))]
