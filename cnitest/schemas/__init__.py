"""JSON Schemas of the CNI spec, one per document kind and spec version.

The CNI spec publishes no JSON Schema, so the files beside this module are
derived from SPEC.md at each spec tag and the Go types of the reference
library; README.md lists every decision taken where the text was ambiguous.
Each ``<kind>.json`` holds one ``$defs`` entry per spec version at which that
kind exists, and ``defs.json`` holds the shared building blocks.

Address-like strings are checked through custom ``cni-*`` formats registered
on a private FormatChecker, so they are always asserted (draft 2020-12 makes
"format" an annotation unless a checker is passed). References are resolved
from a local ``referencing.Registry`` only: nothing is ever fetched.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cnitest import versions

__all__ = ["KINDS", "SchemaError", "available", "check", "validate"]

KINDS: tuple[str, ...] = ("config", "conflist", "result", "ipam-result", "error", "version")
"""Document kinds with a schema. GC, STATUS, CHECK and DEL print nothing on
success, so they have no result kind; their failures are "error" documents."""

BASE_URI = "https://cnitest.invalid/schemas/"
"""Base of every schema $id; .invalid guarantees the names never resolve."""


class SchemaError(ValueError):
    """A document does not match its schema; ``errors`` lists readable messages."""

    def __init__(self, kind: str, version: str, errors: list[str]) -> None:
        self.kind = kind
        self.version = version
        self.errors = errors
        super().__init__(f"not a valid CNI {version} {kind}: " + "; ".join(errors))


# --- formats -----------------------------------------------------------------

FORMAT_CHECKER = FormatChecker(formats=())
"""Only the cni-* formats below, never jsonschema's own optional ones."""

_FORMAT_NAMES = {
    "cni-ip": "an IP address",
    "cni-ip4": "an IPv4 address",
    "cni-ip6": "an IPv6 address",
    "cni-cidr": "a CIDR",
    "cni-cidr4": "an IPv4 CIDR",
    "cni-cidr6": "an IPv6 CIDR",
    "cni-mac": "a MAC address",
    "cni-semver": "a semantic version",
}

_PREFIX = re.compile(r"[0-9]{1,3}")
_OCTET = re.compile(r"[0-9A-Fa-f]{2}")
_QUAD = re.compile(r"[0-9A-Fa-f]{4}")
_IDENT = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_SEMVER = re.compile(
    rf"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
    rf"(?:-{_IDENT}(?:\.{_IDENT})*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Parse like Go's net.ParseIP: plain IPv4/IPv6, no zone, no leading zeros."""
    if "%" in text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_ip(text: str, family: int | None) -> bool:
    addr = _address(text)
    return addr is not None and family in (None, addr.version)


def _is_cidr(text: str, family: int | None) -> bool:
    """Like Go's net.ParseCIDR: address '/' decimal prefix within the family's width."""
    addr_text, slash, prefix = text.partition("/")
    addr = _address(addr_text)
    if not slash or addr is None or not _PREFIX.fullmatch(prefix):
        return False
    return family in (None, addr.version) and int(prefix) <= addr.max_prefixlen


def _is_mac(text: str) -> bool:
    """Like Go's net.ParseMAC: 6, 8 or 20 (InfiniBand) octets separated by ':'
    or '-', or the same lengths as dot-separated groups of four hex digits."""
    for sep in ":-":
        parts = text.split(sep)
        if len(parts) in (6, 8, 20) and all(_OCTET.fullmatch(p) for p in parts):
            return True
    parts = text.split(".")
    return len(parts) in (3, 4, 10) and all(_QUAD.fullmatch(p) for p in parts)


def _register(name: str, test: Any) -> None:
    # Non-strings pass: the "type" keyword reports those.
    FORMAT_CHECKER.checks(name)(lambda value: not isinstance(value, str) or bool(test(value)))


_register("cni-ip", lambda s: _is_ip(s, None))
_register("cni-ip4", lambda s: _is_ip(s, 4))
_register("cni-ip6", lambda s: _is_ip(s, 6))
_register("cni-cidr", lambda s: _is_cidr(s, None))
_register("cni-cidr4", lambda s: _is_cidr(s, 4))
_register("cni-cidr6", lambda s: _is_cidr(s, 6))
_register("cni-mac", _is_mac)
_register("cni-semver", _SEMVER.fullmatch)


# --- loading -----------------------------------------------------------------


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    """Every schema file shipped beside this module, by file name."""
    folder = resources.files(__name__)
    return {
        entry.name: json.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


@cache
def _registry() -> Registry:
    """All shipped schemas under their $id; no retrieval, so no network."""
    return Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
        for schema in _schemas().values()
    )


def available(version: str) -> tuple[str, ...]:
    """The kinds that exist at `version` (e.g. no "version" at 0.1.0, no
    "conflist" before 0.3.0); raises ValueError for an unknown version."""
    if not versions.is_known(version):
        raise ValueError(f"unknown CNI spec version {version!r}; known: {', '.join(versions.KNOWN)}")
    return tuple(k for k in KINDS if version in _schemas()[f"{k}.json"]["$defs"])


@cache
def _validator(kind: str, version: str) -> Draft202012Validator:
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; known: {', '.join(KINDS)}")
    if kind not in available(version):
        raise ValueError(f"CNI spec {version} defines no {kind!r} document")
    root = {"$ref": f"{BASE_URI}{kind}.json#/$defs/{version}"}
    return Draft202012Validator(root, registry=_registry(), format_checker=FORMAT_CHECKER)


# --- messages ----------------------------------------------------------------

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


def _where(path: Iterable[str | int]) -> str:
    """A JSON path such as ``ips[0].address``; ``(root)`` for the document."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list, str)):
        return _JSON_TYPES[type(value)]
    return "a number"


def _messages(error: ValidationError) -> list[str]:
    """Readable messages for one jsonschema error, each prefixed with its path."""
    path = list(error.absolute_path)
    kw, expected, value = error.validator, error.validator_value, error.instance
    if kw == "required":
        missing = [name for name in expected if isinstance(value, dict) and name not in value]
        return [f"{_where([*path, name])}: required field is missing" for name in missing]
    if kw == "format":
        return [f"{_where(path)}: {_short(value)} is not {_FORMAT_NAMES.get(expected, expected)}"]
    if kw == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return [f"{_where(path)}: expected {wanted}, got {_type_name(value)} {_short(value)}"]
    if kw == "const":
        return [f"{_where(path)}: {_short(value)} should be {expected!r}"]
    if kw == "not" and expected == {}:  # the schemas' spelling of "this key is forbidden"
        return [f"{_where(path)}: field is not allowed here"]
    if kw == "pattern":
        return [f"{_where(path)}: {_short(value)} does not match {expected}"]
    if kw == "anyOf" and all(set(branch) == {"required"} for branch in expected):
        names = ", ".join(repr(n) for branch in expected for n in branch["required"])
        return [f"{_where(path)}: needs at least one of {names}"]
    return [f"{_where(path)}: {error.message if len(error.message) <= 120 else error.message[:117] + '...'}"]


def _index_errors(result: Any, prefix: Sequence[str | int], need_interfaces: bool) -> list[str]:
    """ips[].interface must index into interfaces[]; JSON Schema cannot say so.
    With need_interfaces False an absent interfaces list is not checked (IPAM
    results before 1.0.0 may carry an index without the list)."""
    if not isinstance(result, dict) or not isinstance(result.get("ips"), list):
        return []
    interfaces = result.get("interfaces")
    if not isinstance(interfaces, list) and not need_interfaces:
        return []
    count = len(interfaces) if isinstance(interfaces, list) else 0
    out = []
    for i, entry in enumerate(result["ips"]):
        index = entry.get("interface") if isinstance(entry, dict) else None
        if isinstance(index, int) and not isinstance(index, bool) and count <= index:
            out.append(
                f"{_where([*prefix, 'ips', i, 'interface'])}: index {index} is out of range "
                f"(interfaces has {count} entries)"
            )
    return out


# --- API ---------------------------------------------------------------------


def validate(document: object, kind: str, version: str) -> list[str]:
    """Check `document` (parsed JSON) as a `kind` of spec `version`.

    Returns [] when valid, else readable messages naming the JSON path of each
    fault. Raises ValueError for an unknown kind or version, or a kind the
    version does not define (see `available`).
    """
    validator = _validator(kind, version)
    errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    out: list[str] = []
    for error in errors:
        out += _messages(error)
    if kind in ("result", "ipam-result"):
        out += _index_errors(document, [], need_interfaces=kind == "result")
    elif kind == "config" and isinstance(document, dict) and versions.has_prev_result(version):
        out += _index_errors(document.get("prevResult"), ["prevResult"], need_interfaces=True)
    return list(dict.fromkeys(out))


def check(document: object, kind: str, version: str) -> None:
    """Like `validate`, but raises SchemaError listing the faults."""
    errors = validate(document, kind, version)
    if errors:
        raise SchemaError(kind, version, errors)
