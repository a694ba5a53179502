"""netns.new: a fresh namespace has `lo` up (with its addresses) unless asked otherwise."""

from __future__ import annotations

from cnitest import netns


def test_new_namespace_has_lo_up():
    with netns.new("lo-up") as ns:
        lo = ns.snapshot().link("lo")
        assert lo is not None and lo.up
        addresses = ns.iproute(lambda ipr: {a.get_attr("IFA_ADDRESS") for a in ipr.get_addr(index=1)})
        assert {"127.0.0.1", "::1"} <= addresses, addresses


def test_new_namespace_can_leave_lo_down():
    with netns.new("lo-down", lo_up=False) as ns:
        lo = ns.snapshot().link("lo")
        assert lo is not None and not lo.up
