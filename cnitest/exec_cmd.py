"""State that lets separate `cnitest exec` calls act as one runtime for one network.

- A named, persistent sandbox host namespace (`--host-netns NAME`): a bind mount under
  /run/netns made by `ip netns add`, so what the plugin made there (a bridge, a veth
  end) outlives the call; with it a sandbox whose private /run and /var/lib persist
  too (tuning's saved state, a default IPAM dataDir). Both are removed by `cnitest exec
  --cleanup NAME`, or by the DEL of the last attachment cached in that namespace.
- A result cache like libcni's: the final ADD result of an attachment is kept, with its
  parameters (libcni's cniCacheV1 keeps the same), under
  /var/lib/cnitest/results/<host-netns>/<network>-<container id>-<ifname>.json; it is
  sent as prevResult to a later CHECK or DEL (spec 0.4.0 on), dropped after DEL, and
  lists the attachments a conflist GC may find stale.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from . import versions
from .conflist import AttachmentParams, CachedAttachment
from .sandbox import Sandbox, for_test

__all__ = [
    "CACHE_DIR", "NETNS_DIR", "BadName", "HostNetnsError", "apply_cached", "check_name", "attachments", "cache_file", "cached_result", "cleanup", "forget",
    "host_netns_path", "host_sandbox", "record", "record_add", "remove_if_unused", "runtime_config",
]

NETNS_DIR = Path("/run/netns")
CACHE_DIR = Path(os.environ.get("CNITEST_RESULTS_DIR", "/var/lib/cnitest/results"))
CACHE_KIND = "cnitest-cache/1"
SANDBOX_SUBDIR = "sandbox"


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class HostNetnsError(RuntimeError):
    """The named host namespace could not be made (not root, no iproute2): the message says why."""


class BadName(ValueError):
    """A host namespace name that is not one plain file name (it would reach outside /run/netns and the cache)."""


def check_name(name: str) -> str:
    """`name` when it is a plain name (letters, digits, _ . -; 64 at most), else BadName."""
    if not _NAME.fullmatch(name):
        raise BadName(f"{name!r} is not a namespace name (letters, digits, _ . - ; starting with a letter or digit)")
    return name


def host_netns_path(name: str) -> str:
    """The path of the named host namespace, made (with lo up) when missing."""
    path = NETNS_DIR / check_name(name)
    if not path.exists():
        for argv in (["ip", "netns", "add", name], ["ip", "-n", name, "link", "set", "lo", "up"]):
            try:
                subprocess.run(argv, check=True, capture_output=True, text=True)
            except (OSError, subprocess.CalledProcessError) as exc:
                why = (getattr(exc, "stderr", None) or str(exc)).strip()
                raise HostNetnsError(f"could not make the host namespace {name}: `{' '.join(argv)}`: {why}") from exc
    return str(path)


def host_sandbox(name: str) -> Sandbox:
    """The sandbox of the host namespace NAME: its /run and /var/lib last as long as the namespace."""
    return for_test(CACHE_DIR / name / SANDBOX_SUBDIR, writable=[tempfile.gettempdir()])


def cleanup(name: str) -> list[str]:
    """Remove the named host namespace, its cached results and its sandbox state; what was removed."""
    check_name(name)
    removed = []
    if (NETNS_DIR / name).exists():
        subprocess.run(["ip", "netns", "delete", name], check=True, capture_output=True, text=True)
        removed.append(str(NETNS_DIR / name))
    cache = CACHE_DIR / name
    if cache.exists():
        shutil.rmtree(cache)
        removed.append(str(cache))
    return removed


def remove_if_unused(name: str) -> list[str]:
    """After a DEL: when no attachment is cached in NAME any more, remove it (as --cleanup NAME); what was removed."""
    if any((CACHE_DIR / name).glob("*.json")):
        return []
    return cleanup(name)


def cache_file(host: str, conf: dict[str, Any], container_id: str, ifname: str) -> Path:
    """Where the attachment (network `conf["name"]`, container id, ifname) is cached (libcni's key)."""
    return CACHE_DIR / host / f"{conf.get('name', 'unnamed')}-{container_id}-{ifname}.json"


def cached_result(path: Path) -> dict[str, Any] | None:
    """The final ADD result cached at `path`, if any (an entry of this module's, or a bare result)."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if isinstance(doc, dict) and doc.get("kind") == CACHE_KIND:
        doc = doc.get("result")
    return doc if isinstance(doc, dict) else None


def attachments(host: str, network: str) -> list[CachedAttachment]:
    """The attachments of `network` cached in the host namespace `host` (for a conflist GC)."""
    out = []
    for path in sorted((CACHE_DIR / host).glob("*.json")):
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or doc.get("kind") != CACHE_KIND or doc.get("networkName") != network:
            continue
        params = AttachmentParams(str(doc.get("containerId")), str(doc.get("ifName")), doc.get("netns"), doc.get("cniArgs"),
                                  doc.get("capabilityArgs") or {}, doc.get("runtimeConfig") or {})
        result = doc.get("result")
        out.append(CachedAttachment(params, result if isinstance(result, dict) else None))
    return out


def record_add(path: Path, network: str, params: AttachmentParams, config: Any, result: dict[str, Any]) -> None:
    """Keep a successful ADD: its final result, with the parameters a later DEL (or GC) repeats."""
    entry = {
        "kind": CACHE_KIND, "networkName": network, "containerId": params.container_id, "ifName": params.ifname,
        "netns": params.netns, "cniArgs": params.cni_args, "capabilityArgs": dict(params.capability_args),
        "runtimeConfig": dict(params.runtime_config), "config": config, "result": result,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entry, indent=2))


def forget(path: Path) -> None:
    """Drop a cached attachment (after its successful DEL)."""
    path.unlink(missing_ok=True)


def apply_cached(path: Path, verb: str, conf: dict[str, Any]) -> bool:
    """Put the cached ADD result in conf's prevResult for CHECK/DEL; True when it did."""
    version = conf.get("cniVersion")
    if verb not in ("CHECK", "DEL") or "prevResult" in conf:
        return False
    if not (isinstance(version, str) and versions.is_known(version) and versions.at_least(version, "0.4.0")):
        return False
    result = cached_result(path)
    if result is None:
        return False
    conf["prevResult"] = result
    return True


def record(path: Path, verb: str, succeeded: bool, result: Any, params: AttachmentParams | None = None, config: Any = None) -> None:
    """Keep a successful ADD's result; forget it after a successful DEL."""
    if verb == "ADD" and succeeded and isinstance(result, dict):
        network = config.get("name") if isinstance(config, dict) else None
        record_add(path, str(network or "unnamed"), params or AttachmentParams("", "", None), config, result)
    elif verb == "DEL" and succeeded:
        forget(path)


def runtime_config(conf: dict[str, Any], cap_args: dict[str, Any] | None, extra: dict[str, Any] | None) -> None:
    """cnitool's CAP_ARGS: capabilities the config declares go into runtimeConfig; --runtime-config as given."""
    declared = conf.get("capabilities")
    caps: dict[str, Any] = declared if isinstance(declared, dict) else {}
    merged = dict(conf.get("runtimeConfig") or {})
    merged.update({k: v for k, v in (cap_args or {}).items() if caps.get(k)})
    merged.update(extra or {})
    if merged:
        conf["runtimeConfig"] = merged
