"""reference_plugins.iputil parses and prints addresses exactly as glibc's
inet_pton/inet_ntop (through ``_socket``), which it replaced to save the
extension's load time on every plugin call."""

from __future__ import annotations

import _socket

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reference_plugins.iputil import BadIP, fmt_ip, parse_ip


def libc_parse(s: str) -> tuple[int, int] | None:
    """What iputil.parse_ip returned when it called inet_pton (None: BadIP)."""
    for bits, fam in ((32, _socket.AF_INET), (128, _socket.AF_INET6)):
        if (bits == 32) == (":" not in s):
            try:
                v = int.from_bytes(_socket.inet_pton(fam, s), "big")
            except (OSError, ValueError):
                return None
            if bits == 128 and v >> 32 == 0xFFFF:
                return 32, v & 0xFFFFFFFF
            return bits, v
    return None


def ours(s: str) -> tuple[int, int] | None:
    try:
        return parse_ip(s)
    except BadIP:
        return None


# Words of 16 bits biased to 0 and to small/odd widths, so zero runs, "::" and
# leading zeros all come up.
word = st.one_of(st.just(0), st.just(0xFFFF), st.integers(0, 0xFFFF), st.integers(0, 15))
address6 = st.lists(word, min_size=8, max_size=8).map(lambda ws: sum(w << (112 - 16 * i) for i, w in enumerate(ws)))
text = st.text(alphabet="0123456789abcdefABCDEF:.x ", max_size=45)


@settings(max_examples=3000, deadline=None)
@given(text)
@example("::")
@example("::1")
@example("1::")
@example(":1::2")
@example("1:::2")
@example("1:2:3:4:5:6:7::")
@example("1:2:3:4:5:6:7:8::")
@example("::1.2.3.4")
@example("1.2.3.4::")
@example("1:2:3:4:5:6:1.2.3.4")
@example("1:2:3:4:5:6::1.2.3.4")
@example("::ffff:10.0.0.1")
@example("01.2.3.4")
@example("0.0.0.0")
@example("00001::")
@example("1.2.3.4\x00")
@example("١.2.3.4")
def test_parse_is_inet_pton(s: str) -> None:
    assert ours(s) == libc_parse(s)


@settings(max_examples=1000, deadline=None)
@given(address6)
def test_parse_of_printed_addresses(v: int) -> None:
    for s in (_socket.inet_ntop(_socket.AF_INET6, v.to_bytes(16, "big")), ":".join("%04x" % (v >> (112 - 16 * i) & 0xFFFF) for i in range(8))):
        assert ours(s) == libc_parse(s)
        for cut in (s[:-1], s + ":", s + "::", s.replace(":", ".", 1), s.upper()):
            assert ours(cut) == libc_parse(cut), cut


@settings(max_examples=3000, deadline=None)
@given(address6)
@example(0)
@example(1)
@example(0xFFFF0A000001)
@example(0x10000)
@example(0x20010DB8 << 96)
def test_format_is_inet_ntop(v: int) -> None:
    assert fmt_ip(128, v) == _socket.inet_ntop(_socket.AF_INET6, v.to_bytes(16, "big"))


@pytest.mark.parametrize("v", [0, 1, 0x0A000001, 0xFFFFFFFF, 0x7F000001])
def test_format_v4(v: int) -> None:
    assert fmt_ip(32, v) == _socket.inet_ntop(_socket.AF_INET, v.to_bytes(4, "big"))


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 0xFFFFFFFF), st.sampled_from(["%d", "%02d", "%x", "%03d"]))
def test_parse_v4(v: int, fmt: str) -> None:
    s = ".".join(fmt % (v >> (24 - 8 * i) & 255) for i in range(4))
    assert ours(s) == libc_parse(s)
