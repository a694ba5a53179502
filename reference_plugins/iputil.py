"""Tiny IP helpers in pure Python (``ipaddress`` costs ~5 ms to import, and the
``_socket`` extension ~0.3 ms to load, a tenth of host-local's own share of a run).

An address is a pair (bits, int) with bits 32 or 128.  Parsing accepts exactly
what glibc's ``inet_pton`` accepts and formatting prints what its ``inet_ntop``
prints, which is what this module used before (tests/test_reference_iputil.py
compares the two on generated input)."""

_DEC = frozenset("0123456789")
_HEX = {c: int(c, 16) for c in "0123456789abcdefABCDEF"}


class BadIP(ValueError):
    pass


def _v4(s):
    """inet_pton(AF_INET): four dot-separated decimal octets 0-255, no leading
    zero, nothing else.  The int, or None."""
    parts = s.split(".")
    if len(parts) != 4:
        return None
    v = 0
    for p in parts:
        if not p or len(p) > 3 or not _DEC.issuperset(p) or (p[0] == "0" and len(p) > 1):
            return None
        n = int(p)
        if n > 255:
            return None
        v = v << 8 | n
    return v


def _v6(s):
    """inet_pton(AF_INET6): up to eight groups of 1-4 hex digits, at most one
    "::" standing for at least one zero group, optionally ending in a dotted IPv4
    address for the last two groups.  The int, or None."""
    head, sep, tail = s.partition("::")
    if sep and "::" in tail:
        return None
    words = []
    for side, part in ((0, head), (1, tail)) if sep else ((0, head),):
        groups = part.split(":") if part else []
        out = []
        for i, g in enumerate(groups):
            if "." in g and i == len(groups) - 1 and (side == 1 or not sep):
                v4 = _v4(g)
                if v4 is None:
                    return None
                out += [v4 >> 16, v4 & 0xFFFF]
                continue
            if not 1 <= len(g) <= 4 or any(c not in _HEX for c in g):
                return None
            out.append(int(g, 16))
        words.append(out)
    if not sep:
        return _pack(words[0]) if len(words[0]) == 8 else None
    n = len(words[0]) + len(words[1])
    if n > 7:
        return None
    return _pack(words[0] + [0] * (8 - n) + words[1])


def _pack(words):
    v = 0
    for w in words:
        v = v << 16 | w
    return v


def parse_ip(s):
    """'10.0.0.1' -> (32, int). Raises BadIP."""
    if not isinstance(s, str):
        raise BadIP(f"not an IP address: {s!r}")
    if ":" not in s:
        v = _v4(s)
        if v is not None:
            return 32, v
    else:
        v = _v6(s)
        if v is not None:
            if v >> 32 == 0xFFFF:  # IPv4-mapped: Go treats it as IPv4
                return 32, v & 0xFFFFFFFF
            return 128, v
    raise BadIP(f"invalid IP address: {s!r}")


def _fmt_v4(v):
    return "%d.%d.%d.%d" % (v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255)


def fmt_ip(bits, v):
    """inet_ntop: dotted quad; IPv6 in lowercase hex groups with the first longest
    run of two or more zero groups as "::", and "::a.b.c.d" / "::ffff:a.b.c.d" for
    IPv4-compatible and IPv4-mapped addresses, as glibc prints them."""
    if bits == 32:
        return _fmt_v4(v)
    words = [v >> (112 - 16 * i) & 0xFFFF for i in range(8)]
    best, best_len, i = -1, 0, 0
    while i < 8:
        if words[i] == 0:
            j = i
            while j < 8 and words[j] == 0:
                j += 1
            if j - i > best_len:
                best, best_len = i, j - i
            i = j
        else:
            i += 1
    if best_len < 2:
        best = -1
    if best == 0 and (best_len == 6 or (best_len == 5 and words[5] == 0xFFFF)):
        return ("::" if best_len == 6 else "::ffff:") + _fmt_v4(v & 0xFFFFFFFF)
    if best < 0:
        return ":".join("%x" % w for w in words)
    left = ":".join("%x" % w for w in words[:best])
    right = ":".join("%x" % w for w in words[best + best_len:])
    return left + "::" + right


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
