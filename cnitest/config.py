"""Network configurations for one test: a profile's template made concrete.

The builder keeps everything the template says and fills in only what must be
unique or local to a test: cniVersion, the network name, bridge names and every
IPAM dataDir (so no state lands in /var/lib/cni). Config files given with
--cni-config (a config or a conflist) go through the same builder.
"""

from __future__ import annotations

import copy
import ipaddress
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import conflist, versions
from .profiles import Profile

__all__ = [
    "Template", "build", "from_file", "from_profile", "ipam_section", "make_unique", "unique_suffix",
    "with_one_address_pool",
]

_counter = itertools.count()


def unique_suffix() -> str:
    """A short suffix unique to this process and call (xdist workers are separate processes)."""
    return f"{os.getpid() % 10000:04d}{next(_counter):04d}"


@dataclass
class Template:
    """What a test config is made from: the plugin's entry, and plugins to run before it.

    From a conflist it also keeps what the list itself says to the runtime:
    `disable_check` and `disable_gc` (the runtime must not call CHECK / GC for
    it: those tests are not applicable), and `cni_versions` (the versions the
    list supports, cniVersion and 1.1.0's cniVersions: only those are tested)."""

    plugin: dict[str, Any]
    chain: list[dict[str, Any]]  # earlier entries of a conflist (the base of a chained plugin)
    source: str
    disable_check: bool = False
    disable_gc: bool = False
    cni_versions: tuple[str, ...] = ()  # empty: the template does not restrict the versions


def from_profile(profile: Profile) -> Template:
    return Template(plugin=profile.config_template(), chain=[], source=f"profile {profile.name}")


def from_file(path: str | Path, plugin_type: str) -> Template:
    """Read a config or conflist; in a conflist, the entry of `plugin_type` is under test."""
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read network config {path}: {exc}") from exc
    if not isinstance(doc, dict):
        raise ValueError(f"network config {path} is not a JSON object")
    if "plugins" not in doc:
        return Template(plugin=doc, chain=[], source=str(path))
    netlist = _read_conflist(doc, path)
    plugins = list(netlist.plugins)
    index = next((i for i, p in enumerate(plugins) if p.get("type") == plugin_type), len(plugins) - 1)
    listed = [doc.get("cniVersion"), *(doc.get("cniVersions") or [])]
    return Template(plugin=plugins[index], chain=plugins[:index], source=str(path),
                    disable_check=netlist.disable_check, disable_gc=netlist.disable_gc,
                    cni_versions=tuple(dict.fromkeys(v for v in listed if v in versions.KNOWN)))


def _read_conflist(doc: dict[str, Any], path: str | Path) -> conflist.NetworkList:
    """The conflist as cnitest.conflist reads it, valid at the version it selects: else a one-line ValueError."""
    try:
        netlist = conflist.NetworkList.from_doc(doc)
    except conflist.ConflistError as exc:
        raise ValueError(f"conflist {path}: {exc}") from None
    version = netlist.cni_version  # the highest known of cniVersion and cniVersions
    from . import schemas

    if "conflist" not in schemas.available(version):
        raise ValueError(f"conflist {path}: conflists exist from spec 0.3.0 on, its cniVersion is {version}")
    errors = schemas.validate(doc, "conflist", version)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValueError(f"conflist {path} is not a valid {version} conflist: {errors[0]}{more}")
    return netlist


def make_unique(conf: dict[str, Any], data_dir: Path, suffix: str) -> dict[str, Any]:
    """A copy of `conf` with bridge names and IPAM dataDirs made local to one test."""
    conf = copy.deepcopy(conf)
    if isinstance(conf.get("bridge"), str):
        conf["bridge"] = f"cbr{suffix}"[:15]
    ipam = conf.get("ipam")
    if isinstance(ipam, dict) and (ipam.get("type") == "host-local" or "dataDir" in ipam):
        ipam["dataDir"] = str(data_dir / "ipam")
    if conf.get("type") == "tuning":
        conf["dataDir"] = str(data_dir / "tuning")
    return conf


def build(plugin_conf: dict[str, Any], version: str, name: str) -> dict[str, Any]:
    """A single network config at `version` for one plugin entry."""
    conf = copy.deepcopy(plugin_conf)
    conf.pop("name", None)
    conf.pop("cniVersion", None)  # a config file's own cniVersion names what to test when VERSION fails (Target.config_versions)
    return {"cniVersion": version, "name": name, **conf}


# --- transforms of a built config (the suites shrink or read its ipam section) ---


def ipam_section(conf: dict[str, Any]) -> dict[str, Any] | None:
    ipam = conf.get("ipam")
    return ipam if isinstance(ipam, dict) else None


def single_address_pool(conf: dict[str, Any]) -> list[str] | None:
    """Shrink every range set of a host-local style `ipam.ranges` to one address.

    Changes `conf` in place and returns the addresses the pool still holds (one
    per range set), or None when the config has no `ipam.ranges` to shrink."""
    ipam = ipam_section(conf)
    ranges = ipam.get("ranges") if ipam else None
    if not isinstance(ranges, list) or not ranges:
        return None
    left = []
    for n, range_set in enumerate(ranges):
        if not isinstance(range_set, list) or not range_set or not isinstance(range_set[0], dict):
            return None
        first = dict(range_set[0])
        try:
            net = ipaddress.ip_network(first["subnet"], strict=False)
        except (KeyError, ValueError):
            return None
        if net.num_addresses < 8:
            return None
        address = str(net.network_address + 5)
        first["rangeStart"] = first["rangeEnd"] = address
        ranges[n] = [first]
        left.append(address)
    return left


def with_one_address_pool(conf: dict[str, Any]) -> tuple[dict[str, Any], list[str]] | None:
    """A copy of `conf` whose pool single_address_pool shrank, and the addresses it still
    holds; None when there is no `ipam.ranges` to shrink. `conf` itself is left alone,
    so the test's own config keeps its full pool."""
    out = copy.deepcopy(conf)
    pool = single_address_pool(out)
    return None if pool is None else (out, pool)
