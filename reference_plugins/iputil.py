"""Tiny IP helpers on top of the C ``_socket`` module (``ipaddress`` costs ~5 ms to import).

An address is a pair (bits, int) with bits 32 or 128."""

import _socket

_FAM = {32: _socket.AF_INET, 128: _socket.AF_INET6}


class BadIP(ValueError):
    pass


def parse_ip(s):
    """'10.0.0.1' -> (32, int). Raises BadIP."""
    if not isinstance(s, str):
        raise BadIP(f"not an IP address: {s!r}")
    for bits, fam in ((32, _socket.AF_INET), (128, _socket.AF_INET6)):
        if (bits == 32) == (":" not in s):
            try:
                b = _socket.inet_pton(fam, s)
            except OSError:
                break
            v = int.from_bytes(b, "big")
            if bits == 128 and v >> 32 == 0xFFFF:  # IPv4-mapped: Go treats it as IPv4
                return 32, v & 0xFFFFFFFF
            return bits, v
    raise BadIP(f"invalid IP address: {s!r}")


def fmt_ip(bits, v):
    return _socket.inet_ntop(_FAM[bits], v.to_bytes(bits // 8, "big"))


def parse_cidr(s, strict=False):
    """'10.0.0.5/24' -> (bits, int address, prefixlen).  With strict=True host bits
    must be zero."""
    if not isinstance(s, str) or "/" not in s:
        raise BadIP(f"invalid CIDR address: {s!r}")
    a, _, p = s.partition("/")
    bits, v = parse_ip(a)
    if ":" in a and bits == 32:
        raise BadIP(f"IPv4-mapped CIDR not supported: {s!r}")
    if not p.isdigit() or int(p) > bits:
        raise BadIP(f"invalid prefix length in {s!r}")
    plen = int(p)
    if strict and v & host_mask(bits, plen):
        raise BadIP("%s has host bits set; the network address is %s/%d"
                    % (s, fmt_ip(bits, v & ~host_mask(bits, plen)), plen))
    return bits, v, plen


def host_mask(bits, plen):
    return (1 << (bits - plen)) - 1


def network(bits, v, plen):
    return v & ~host_mask(bits, plen) & ((1 << bits) - 1)


def fmt_cidr(bits, v, plen):
    return "%s/%d" % (fmt_ip(bits, v), plen)
