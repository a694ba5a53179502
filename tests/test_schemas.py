"""Tests of cnitest.schemas: the schema files themselves, hand-written valid and
faulty documents for every spec version, and real output of the Go plugins
(tests/data/go_results, made by regenerate.sh there)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from cnitest import schemas, versions
from cnitest.versions import KNOWN, at_least

GO_RESULTS = Path(__file__).parent / "data" / "go_results"


# --- the schema files ----------------------------------------------------------


def _schema_files() -> dict[str, Any]:
    folder = resources.files("cnitest.schemas")
    return {e.name: json.loads(e.read_text()) for e in folder.iterdir() if e.name.endswith(".json")}


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


@pytest.mark.parametrize("name", sorted(_schema_files()))
def test_schema_file_is_valid_2020_12(name: str) -> None:
    schema = _schema_files()[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    resolver = schemas._registry().resolver(base_uri=schema["$id"])
    for ref in _refs(schema):  # every $ref resolves locally
        resolver.lookup(ref)


def test_every_kind_has_a_file_and_every_file_a_use() -> None:
    assert {f"{k}.json" for k in schemas.KINDS} | {"defs.json"} == set(_schema_files())


# --- valid documents -------------------------------------------------------------


def result(v: str) -> dict[str, Any]:
    """A full ADD result of version v, using every field v defines."""
    if versions.result_shape(v) == "legacy":
        return {
            "cniVersion": v,
            "ip4": {"ip": "10.1.0.5/16", "gateway": "10.1.0.1",
                    "routes": [{"dst": "0.0.0.0/0"}, {"dst": "192.168.0.0/16", "gw": "10.1.0.254"}]},
            "ip6": {"ip": "fd00::5/64", "gateway": "fd00::1", "routes": [{"dst": "::/0", "gw": "fd00::1"}]},
            "dns": {"nameservers": ["10.1.0.1", "fd00::1"], "domain": "example.com",
                    "search": ["example.com"], "options": ["ndots:2"]},
        }
    doc: dict[str, Any] = {
        "cniVersion": v,
        "interfaces": [
            {"name": "cni0", "mac": "00:11:22:33:44:55"},
            {"name": "veth3243", "mac": "55:44:33:22:11:11"},
            {"name": "eth0", "mac": "99:88:77:66:55:44", "sandbox": "/var/run/netns/blue"},
        ],
        "ips": [
            {"version": "4", "address": "10.1.0.5/16", "gateway": "10.1.0.1", "interface": 2},
            {"version": "6", "address": "fd00::5/64", "gateway": "fd00::1", "interface": 2},
        ],
        "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0", "gw": "fd00::1"}],
        "dns": {"nameservers": ["10.1.0.1"], "domain": "example.com", "search": ["a.example"], "options": []},
    }
    if versions.result_shape(v) == "current":
        for ip in doc["ips"]:
            del ip["version"]
    if at_least(v, "1.1.0"):
        doc["interfaces"][2].update(mtu=1500, socketPath="/run/vhost.sock", pciID="0000:00:1f.6")
        doc["routes"][0].update(mtu=1400, advmss=1360, priority=100, table=254, scope=0)
    return doc


def ipam_result(v: str) -> dict[str, Any]:
    doc = result(v)
    doc.pop("interfaces", None)
    for ip in doc.get("ips", []):
        ip.pop("interface")
    return doc


def config(v: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "cniVersion": v, "name": "dbnet", "type": "bridge", "bridge": "cni0", "ipMasq": True,
        "ipam": {"type": "host-local", "subnet": "10.1.0.0/16", "gateway": "10.1.0.1"},
        "dns": {"nameservers": ["10.1.0.1"]},
    }
    if not at_least(v, "0.3.0"):
        doc["ipam"]["routes"] = [{"dst": "10.0.0.0/8", "gw": "10.0.0.1"}]
    if at_least(v, "0.2.0"):
        doc["args"] = {"labels": {"appVersion": "1.0"}}
    if at_least(v, "0.3.0"):
        doc["runtimeConfig"] = {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]}
        prev = result(v)
        del prev["cniVersion"]  # the spec's own prevResult examples carry none
        doc["prevResult"] = prev
    if at_least(v, "1.1.0"):
        doc["cni.dev/valid-attachments"] = [{"containerID": "abc", "ifname": "eth0"}]
    return doc


def conflist(v: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "cniVersion": v, "name": "dbnet",
        "plugins": [
            {"type": "bridge", "bridge": "cni0", "args": {"labels": {"appVersion": "1.0"}},
             "ipam": {"type": "host-local", "subnet": "10.1.0.0/16"}, "dns": {"nameservers": ["10.1.0.1"]}},
            {"type": "tuning", "capabilities": {"mac": True}, "sysctl": {"net.core.somaxconn": "500"}},
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }
    if at_least(v, "0.4.0"):
        doc["disableCheck"] = False
    if at_least(v, "1.1.0"):
        doc.update(cniVersions=["0.3.1", "0.4.0", "1.0.0", "1.1.0"], disableGC=True, loadOnlyInlinedPlugins=True)
    return doc


def error(v: str) -> dict[str, Any]:
    return {"cniVersion": v, "code": 7, "msg": "Invalid Configuration", "details": "Network too small."}


def version(v: str) -> dict[str, Any]:
    return {"cniVersion": v, "supportedVersions": [k for k in KNOWN if at_least(v, k)]}


VALID: dict[str, Callable[[str], Any]] = {
    "config": config, "conflist": conflist, "result": result,
    "ipam-result": ipam_result, "error": error, "version": version,
}


def test_kinds_per_version() -> None:
    assert schemas.available("0.1.0") == ("config", "result", "ipam-result", "error")
    assert "version" in schemas.available("0.2.0") and "conflist" not in schemas.available("0.2.0")
    for v in KNOWN[2:]:
        assert schemas.available(v) == schemas.KINDS


@pytest.mark.parametrize("v", KNOWN)
def test_valid_samples(v: str) -> None:
    for kind in schemas.available(v):
        doc = VALID[kind](v)
        assert schemas.validate(doc, kind, v) == [], kind
        schemas.check(doc, kind, v)
        extra = dict(doc, **{"x-plugin-specific": {"anything": [1, 2]}})
        assert schemas.validate(extra, kind, v) == [], f"{kind}: unknown keys must be allowed"


# --- faulty documents ------------------------------------------------------------

Mutation = Callable[[Any], None]


def _case(kind: str, since: str, until: str | None, mutate: Mutation, expect: str) -> tuple:
    return (kind, since, until, mutate, expect)


def _set(path: str, value: Any) -> Mutation:
    """Set (or, with value DELETE, remove) the dotted/indexed path."""
    def mutate(doc: Any) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for p in parents:
            doc = doc[p]
        if value is DELETE:
            del doc[last]
        else:
            doc[last] = value
    return mutate


DELETE = object()

CASES = [
    # results, every shape
    _case("result", "0.2.0", None, _set("cniVersion", DELETE), "cniVersion: required field is missing"),
    _case("result", "0.1.0", None, _set("cniVersion", 1.0), "cniVersion: expected string"),
    _case("result", "0.1.0", None, _set("cniVersion", "0.0.9"), "cniVersion: '0.0.9' should be"),
    _case("result", "0.1.0", None, _set("dns.nameservers", ["ns1.example"]),
          "dns.nameservers[0]: 'ns1.example' is not an IP address"),
    _case("result", "0.1.0", None, _set("dns.search", "example.com"), "dns.search: expected array"),
    # legacy ip4/ip6
    _case("result", "0.1.0", "0.2.0", lambda d: (d.pop("ip4"), d.pop("ip6")), "needs at least one of 'ip4', 'ip6'"),
    _case("result", "0.1.0", "0.2.0", _set("ip4.ip", "10.1.0.5"), "ip4.ip: '10.1.0.5' is not an IPv4 CIDR"),
    _case("result", "0.1.0", "0.2.0", _set("ip4.ip", "fd00::5/64"), "ip4.ip: 'fd00::5/64' is not an IPv4 CIDR"),
    _case("result", "0.1.0", "0.2.0", _set("ip6.gateway", "10.1.0.1"), "ip6.gateway: '10.1.0.1' is not an IPv6"),
    _case("result", "0.1.0", "0.2.0", _set("ip4.routes.1.dst", "::/0"), "ip4.routes[1].dst"),
    _case("result", "0.1.0", "0.2.0", _set("ip4", "10.1.0.5/16"), "ip4: expected object"),
    _case("result", "0.1.0", "0.2.0", _set("ip4.ip", DELETE), "ip4.ip: required field is missing"),
    # ips / interfaces / routes from 0.3.0
    _case("result", "0.3.0", "0.4.0", _set("ips.0.version", DELETE), "ips[0].version: required field is missing"),
    _case("result", "0.3.0", "0.4.0", _set("ips.0.version", 4), "ips[0].version"),
    _case("result", "0.3.0", "0.4.0", _set("ips.1.version", "4"), "ips[1].address: 'fd00::5/64' is not an IPv4 CIDR"),
    _case("result", "0.3.0", None, _set("ips.0.address", "10.1.2.3"), "ips[0].address: '10.1.2.3' is not a CIDR"),
    _case("result", "0.3.0", None, _set("ips.0.address", "10.1.2.3/33"), "ips[0].address: '10.1.2.3/33' is not a"),
    _case("result", "0.3.0", None, _set("ips.0.address", DELETE), "ips[0].address: required field is missing"),
    _case("result", "0.3.0", None, _set("ips.0.gateway", "fd00::1"), "ips[0].gateway: 'fd00::1' is not an IPv4"),
    _case("result", "0.3.0", None, _set("ips.0.interface", -1), "ips[0].interface: -1 is less than the minimum"),
    _case("result", "0.3.0", None, _set("ips.0.interface", "2"), "ips[0].interface: expected integer"),
    _case("result", "0.3.0", None, _set("ips.0.interface", 3), "ips[0].interface: index 3 is out of range"),
    _case("result", "0.3.0", None, _set("ips", {}), "ips: expected array"),
    _case("result", "0.3.0", None, _set("interfaces.0.mac", "00:11:22:33:44"), "interfaces[0].mac: '00:11:22:33:44' is not a MAC"),
    _case("result", "0.3.0", None, _set("interfaces.0.mac", "00:11:22:33:44:gg"), "interfaces[0].mac"),
    _case("result", "0.3.0", None, _set("interfaces.0.mac", ""), "interfaces[0].mac"),
    _case("result", "0.3.0", None, _set("interfaces.1.name", DELETE), "interfaces[1].name: required field is missing"),
    _case("result", "0.3.0", None, _set("interfaces.2.sandbox", 7), "interfaces[2].sandbox: expected string"),
    _case("result", "0.3.0", None, _set("routes.0.dst", "0.0.0.0"), "routes[0].dst: '0.0.0.0' is not a CIDR"),
    _case("result", "0.3.0", None, _set("routes.1.gw", "10.0.0.1"), "routes[1].gw: '10.0.0.1' is not an IPv6"),
    _case("result", "0.3.0", None, _set("routes.0", {"gw": "10.0.0.1"}), "routes[0].dst: required field is missing"),
    # 1.1.0 additions
    _case("result", "1.1.0", None, _set("interfaces.2.mtu", -1), "interfaces[2].mtu"),
    _case("result", "1.1.0", None, _set("interfaces.2.pciID", 3), "interfaces[2].pciID: expected string"),
    _case("result", "1.1.0", None, _set("routes.0.table", "main"), "routes[0].table: expected integer"),
    _case("result", "1.1.0", None, _set("routes.0.scope", -253), "routes[0].scope"),
    _case("result", "1.1.0", None, _set("routes.0.advmss", 1.5), "routes[0].advmss: expected integer"),
    # IPAM results
    _case("ipam-result", "0.3.0", "0.4.0", _set("ips", DELETE), "ips: required field is missing"),
    _case("ipam-result", "1.0.0", None, _set("interfaces", [{"name": "eth0"}]), "interfaces: field is not allowed"),
    _case("ipam-result", "1.0.0", None, _set("ips.0.interface", 0), "ips[0].interface: field is not allowed"),
    _case("ipam-result", "0.3.0", None, _set("ips.0.address", "10.1.0.5/x"), "ips[0].address"),
    _case("ipam-result", "0.1.0", "0.2.0", _set("ip4.gateway", "10.1.0.256"), "ip4.gateway"),
    # errors
    _case("error", "0.1.0", None, _set("code", DELETE), "code: required field is missing"),
    _case("error", "0.1.0", None, _set("code", "7"), "code: expected integer"),
    _case("error", "0.1.0", None, _set("code", -1), "code: -1 is less than the minimum"),
    _case("error", "0.1.0", None, _set("msg", DELETE), "msg: required field is missing"),
    _case("error", "0.1.0", None, _set("details", ["x"]), "details: expected string"),
    _case("error", "0.1.0", None, _set("cniVersion", 1), "cniVersion: expected string"),
    # VERSION
    _case("version", "0.2.0", None, _set("supportedVersions", DELETE), "supportedVersions: required field is missing"),
    _case("version", "0.2.0", None, _set("supportedVersions", []), "supportedVersions"),
    _case("version", "0.2.0", None, _set("supportedVersions.0", "0.1"), "supportedVersions[0]: '0.1' is not a semantic"),
    _case("version", "0.2.0", None, _set("cniVersion", DELETE), "cniVersion: required field is missing"),
    # single configurations
    _case("config", "0.1.0", None, _set("name", DELETE), "name: required field is missing"),
    _case("config", "0.1.0", None, _set("type", DELETE), "type: required field is missing"),
    _case("config", "0.1.0", None, _set("type", 3), "type: expected string"),
    _case("config", "0.2.0", None, _set("cniVersion", DELETE), "cniVersion: required field is missing"),
    _case("config", "0.1.0", None, _set("cniVersion", "0.1"), "cniVersion: '0.1' is not a semantic version"),
    _case("config", "0.1.0", None, _set("ipMasq", "yes"), "ipMasq: expected boolean"),
    _case("config", "0.1.0", None, _set("ipam.type", DELETE), "ipam.type: required field is missing"),
    _case("config", "0.1.0", None, _set("dns.nameservers", "10.1.0.1"), "dns.nameservers: expected array"),
    _case("config", "0.1.0", "0.2.0", _set("ipam.routes.0.dst", "10.0.0.0"), "ipam.routes[0].dst"),
    _case("config", "0.2.0", None, _set("args", "K8S_POD_NAME=x"), "args: expected object"),
    _case("config", "0.3.0", None, _set("runtimeConfig", []), "runtimeConfig: expected object"),
    _case("config", "0.3.0", None, _set("prevResult.ips.0.address", "10.1.0.5"), "prevResult.ips[0].address"),
    _case("config", "0.3.0", None, _set("prevResult.ips.0.interface", 9), "prevResult.ips[0].interface: index 9"),
    _case("config", "0.3.0", "0.4.0", _set("prevResult.ips.0.version", DELETE), "prevResult.ips[0].version"),
    _case("config", "0.3.0", "0.4.0", _set("capabilities", {"mac": "yes"}), "capabilities.mac: expected boolean"),
    _case("config", "1.0.0", None, _set("capabilities", {"mac": True}), "capabilities: field is not allowed"),
    _case("config", "1.0.0", None, _set("name", "-db net"), "name: '-db net' does not match"),
    _case("config", "1.0.0", None, _set("type", "../bin/bridge"), "type: '../bin/bridge' does not match"),
    _case("config", "1.0.0", None, _set("ipam.type", "a\\b"), "ipam.type"),
    _case("config", "1.1.0", None, lambda d: d["cni.dev/valid-attachments"][0].pop("ifname"),
          "cni.dev/valid-attachments[0].ifname: required field is missing"),
    # network configuration lists
    _case("conflist", "0.3.0", "1.0.0", _set("plugins", DELETE), "plugins: required field is missing"),
    _case("conflist", "0.3.0", None, _set("plugins", []), "plugins"),
    _case("conflist", "0.3.0", None, _set("plugins.1.type", DELETE), "plugins[1].type: required field is missing"),
    _case("conflist", "0.3.0", None, _set("plugins.0.ipam.type", 1), "plugins[0].ipam.type: expected string"),
    _case("conflist", "0.3.0", None, _set("plugins.2.capabilities", ["portMappings"]), "plugins[2].capabilities"),
    _case("conflist", "0.3.0", None, _set("name", DELETE), "name: required field is missing"),
    _case("conflist", "0.3.0", None, _set("cniVersion", 4), "cniVersion: expected string"),
    _case("conflist", "0.4.0", "0.4.0", _set("disableCheck", "maybe"), "disableCheck"),
    _case("conflist", "1.0.0", None, _set("disableCheck", "true"), "disableCheck: expected boolean"),
    _case("conflist", "1.0.0", None, _set("name", "db/net"), "name: 'db/net' does not match"),
    _case("conflist", "1.1.0", None, _set("plugins", DELETE), "plugins: required field is missing"),
    _case("conflist", "1.1.0", None, _set("cniVersions", ["1.0"]), "cniVersions[0]: '1.0' is not a semantic"),
    _case("conflist", "1.1.0", None, _set("disableGC", "no"), "disableGC: expected boolean"),
    _case("conflist", "1.1.0", None, _set("loadOnlyInlinedPlugins", 1), "loadOnlyInlinedPlugins: expected boolean"),
]


def _faulty() -> list[Any]:
    out = []
    for kind, since, until, mutate, expect in CASES:
        for v in KNOWN:
            if at_least(v, since) and (until is None or at_least(until, v)):
                out.append(pytest.param(kind, v, mutate, expect, id=f"{v}-{kind}-{expect[:40]}"))
    return out


@pytest.mark.parametrize(("kind", "v", "mutate", "expect"), _faulty())
def test_faulty_samples(kind: str, v: str, mutate: Mutation, expect: str) -> None:
    doc = copy.deepcopy(VALID[kind](v))
    mutate(doc)
    errors = schemas.validate(doc, kind, v)
    assert any(expect in e for e in errors), errors
    with pytest.raises(schemas.SchemaError) as raised:
        schemas.check(doc, kind, v)
    assert raised.value.errors == errors


# --- deliberate leniency and version differences --------------------------------


@pytest.mark.parametrize("v", [v for v in KNOWN if at_least(v, "1.0.0")])
def test_ips_version_is_tolerated_from_1_0_0(v: str) -> None:
    doc = result(v)
    doc["ips"][0]["version"] = "4"
    assert schemas.validate(doc, "result", v) == []


@pytest.mark.parametrize("v", ["0.1.0", "0.2.0"])
def test_legacy_ipv6_only_and_0_1_0_without_cniversion(v: str) -> None:
    doc = result(v)
    del doc["ip4"]
    assert schemas.validate(doc, "result", v) == []
    del doc["cniVersion"]
    assert (schemas.validate(doc, "result", v) == []) == (v == "0.1.0")


@pytest.mark.parametrize("v", [v for v in KNOWN if at_least(v, "0.3.0")])
def test_result_may_lack_ips_and_interfaces(v: str) -> None:
    assert schemas.validate({"cniVersion": v, "dns": {}}, "result", v) == []


def test_other_leniencies() -> None:
    doc = conflist("0.4.0")
    doc["disableCheck"] = "true"  # 0.4.0 text: "disableCheck (string): Either `true` or `false`"
    assert schemas.validate(doc, "conflist", "0.4.0") == []
    doc = conflist("1.1.0")
    del doc["plugins"], doc["loadOnlyInlinedPlugins"]  # plugins may come from sibling files
    assert schemas.validate(doc, "conflist", "1.1.0") == []
    doc = error("1.0.0")
    del doc["cniVersion"], doc["details"]  # what the Go library prints
    assert schemas.validate(doc, "error", "1.0.0") == []
    doc = ipam_result("0.4.0")
    doc["interfaces"] = [{"name": "eth0"}]  # 0.4.0: IPAM "should" omit interfaces (dhcp may not)
    assert schemas.validate(doc, "ipam-result", "0.4.0") == []


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("cni-ip", ["10.0.0.1", "::1", "fd00::5", "::ffff:10.0.0.1"], ["10.0.0.256", "010.0.0.1", "fe80::1%eth0", "", "10.0.0.1/8"]),
        ("cni-cidr", ["10.0.0.1/8", "0.0.0.0/0", "::/0", "fd00::5/128"], ["10.0.0.1", "10.0.0.0/33", "::/129", "10.0.0.0/255.0.0.0", "10.0.0.0/-1", "10.0.0.0/ 8"]),
        ("cni-mac", ["aa:bb:cc:dd:ee:ff", "AA-BB-CC-DD-EE-FF", "0000.5e00.5301", "02:00:5e:10:00:00:00:01",
                     ":".join(["a0"] * 20)], ["aa:bb:cc:dd:ee", "aa:bb-cc:dd:ee:ff", "aabbccddeeff", "aa:bb:cc:dd:ee:f", ""]),
        ("cni-semver", ["0.1.0", "1.0.0", "1.1.0-rc.1+build.5"], ["0.1", "v1.0.0", "01.0.0", "1.0.0.0"]),
    ],
)
def test_formats(fmt: str, good: list[str], bad: list[str]) -> None:
    for value in good:
        assert schemas.FORMAT_CHECKER.conforms(value, fmt), value
    for value in bad:
        assert not schemas.FORMAT_CHECKER.conforms(value, fmt), value


# --- API --------------------------------------------------------------------------


def test_api_errors() -> None:
    with pytest.raises(ValueError, match="unknown document kind"):
        schemas.validate({}, "results", "1.0.0")
    with pytest.raises(ValueError, match="unknown CNI spec version"):
        schemas.validate({}, "result", "2.0.0")
    with pytest.raises(ValueError, match="defines no 'conflist'"):
        schemas.validate({}, "conflist", "0.2.0")
    with pytest.raises(ValueError, match="defines no 'version'"):
        schemas.check({}, "version", "0.1.0")
    assert issubclass(schemas.SchemaError, ValueError)
    assert schemas.validate([], "result", "1.0.0") == ["(root): expected object, got an array []"]


# --- real output of the Go reference plugins ---------------------------------------


def _go_cases() -> list[Any]:
    out = []
    for path in sorted(GO_RESULTS.glob("*.json")):
        name = path.stem
        if name.startswith("error-"):
            out += [pytest.param(path, "error", v, id=f"{name}@{v}") for v in KNOWN]
        elif name.startswith("version-"):
            out.append(pytest.param(path, "version", "1.0.0", id=name))
        else:
            v = name.rsplit("-", 1)[1]
            out.append(pytest.param(path, "result", v, id=name))
            if name.startswith(("host-local-", "static-")):
                out.append(pytest.param(path, "ipam-result", v, id=f"{name}-ipam"))
    return out


def test_go_fixtures_present() -> None:
    names = {p.stem for p in GO_RESULTS.glob("*.json")}
    for v in ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"):
        assert {f"host-local-add-{v}", f"static-add-{v}", f"version-{v}"} <= names
    assert any(n.startswith("error-") for n in names)


@pytest.mark.parametrize(("path", "kind", "v"), _go_cases())
def test_go_plugin_output_validates(path: Path, kind: str, v: str) -> None:
    doc = json.loads(path.read_text())
    assert schemas.validate(doc, kind, v) == []
    if kind in ("result", "ipam-result"):
        assert doc["cniVersion"] == v
        broken = copy.deepcopy(doc)
        broken["cniVersion"] = 1
        assert schemas.validate(broken, kind, v)
