"""Read-only rtnetlink dumps of the calling thread's network namespace, cheaply.

A snapshot (cnitest.netns, cnitest.machine) reads links, addresses and routes
after most plugin calls. pyroute2's IPRoute costs ~0.7 ms to open and ~1 ms of
asyncio request machinery per dump on top of the kernel's answer (~0.02 ms),
which made a snapshot of an almost empty namespace cost 3-7 ms, the largest
share of the harness's own time in a suite run after the sandbox. Here a dump
is one request on a plain NETLINK_ROUTE socket, and the answer is decoded by
pyroute2's own message classes (its marshal), so callers get the very objects
IPRoute returns (`msg.get("ifname")`, `msg.get_nested(...)`).

Only dumps are done here; anything that changes a namespace goes through IPRoute.
"""

from __future__ import annotations

import errno
import socket
import struct
from typing import Any

__all__ = ["Dumper"]

RTM_NEWLINK, RTM_GETLINK = 16, 18
RTM_NEWADDR, RTM_GETADDR = 20, 22
RTM_NEWROUTE, RTM_GETROUTE = 24, 26
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP, NLM_F_DUMP_INTR = 0x1, 0x300, 0x10
_HEADER = struct.Struct("=LHHLL")  # nlmsghdr: length, type, flags, seq, pid
_RETRIES = 5  # a dump the kernel marks interrupted (the table changed meanwhile) is asked again


class Dumper:
    """One NETLINK_ROUTE socket in the namespace of the thread that makes it; use it on that thread.

    A context manager; each `links()`, `addresses()`, `routes(family)` is one dump."""

    def __init__(self) -> None:
        from pyroute2.netlink.rtnl.marshal import MarshalRtnl

        self._sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self._sock.bind((0, 0))
        self._marshal = MarshalRtnl()
        self._seq = 0

    def links(self) -> list[Any]:
        # struct ifinfomsg: family, pad, type, index, flags, change
        return self._dump(RTM_GETLINK, RTM_NEWLINK, struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0))

    def addresses(self) -> list[Any]:
        # struct ifaddrmsg: family, prefixlen, flags, scope, index
        return self._dump(RTM_GETADDR, RTM_NEWADDR, struct.pack("=BBBBI", socket.AF_UNSPEC, 0, 0, 0, 0))

    def routes(self, family: int) -> list[Any]:
        # struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
        return self._dump(RTM_GETROUTE, RTM_NEWROUTE, struct.pack("=BBBBBBBBI", family, 0, 0, 0, 0, 0, 0, 0, 0))

    def _dump(self, request: int, answer: int, body: bytes) -> list[Any]:
        for _ in range(_RETRIES):
            messages, interrupted = self._dump_once(request, answer, body)
            if not interrupted:
                return messages
        return messages

    def _dump_once(self, request: int, answer: int, body: bytes) -> tuple[list[Any], bool]:
        self._seq += 1
        seq = self._seq
        self._sock.send(_HEADER.pack(_HEADER.size + len(body), request, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body)
        out: list[Any] = []
        interrupted = False
        while True:
            data = self._sock.recv(1 << 20)
            offset, done = 0, False
            while offset + _HEADER.size <= len(data):  # find the end, and errors, before decoding
                length, kind, flags, got_seq, _pid = _HEADER.unpack_from(data, offset)
                if length < _HEADER.size:
                    raise OSError(errno.EPROTO, "rtnetlink: a message shorter than its header")
                if got_seq == seq:
                    interrupted |= bool(flags & NLM_F_DUMP_INTR)
                    if kind == NLMSG_ERROR:
                        (code,) = struct.unpack_from("=i", data, offset + _HEADER.size)
                        if code:
                            raise OSError(-code, f"rtnetlink dump: {errno.errorcode.get(-code, -code)}")
                    done |= kind in (NLMSG_DONE, NLMSG_ERROR)
                offset += (length + 3) & ~3
            out += [m for m in self._marshal.parse(data) if m["header"]["type"] == answer and m["header"]["sequence_number"] == seq]
            if done:
                return out, interrupted

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> Dumper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

