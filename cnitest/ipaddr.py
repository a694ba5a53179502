"""Predicates on the address strings a plugin prints.

A result is read tolerantly (a plugin may print anything); these say whether a
string is an address with a prefix length (CIDR, as in ips[].address), a plain
address (gateway, nameserver), and of which family.
"""

from __future__ import annotations

import ipaddress
from typing import Any

__all__ = ["family", "is_cidr", "is_ip"]


def is_cidr(value: Any) -> bool:
    """An address with a prefix length, e.g. 10.0.0.2/24 or fd00::2/64."""
    if not isinstance(value, str) or "/" not in value:
        return False
    try:
        ipaddress.ip_interface(value)
    except ValueError:
        return False
    return True


def is_ip(value: Any) -> bool:
    """A plain address without a prefix length."""
    if not isinstance(value, str) or "/" in value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def family(value: str) -> int:
    """4 or 6 for an address with or without a prefix length (ValueError for anything else)."""
    return ipaddress.ip_interface(value).version
