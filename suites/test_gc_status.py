"""GC and STATUS (spec 1.1.0).

GC is judged by its effect, not by its exit code: two attachments are added,
GC is told only one of them is still valid, and afterwards the valid one's
resources (its IP reservation, and CHECK still passing) are untouched while the
stale one's reservation is gone. Reservations are read from a host-local style
dataDir when the config has one; otherwise CHECK of the stale attachment must
fail. The request carries both cni.dev/valid-attachments and the spec-v1.1.0
tag's cni.dev/attachments, as libcni does.

Go plugins 1.1.1 speak at most 1.0.0, so all of this runs only against 1.1.0 plugins.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cnitest import config, host_local
from cnitest.attachment import BlockedBy, require, with_prev_result
from cnitest.result import Result

pytestmark = pytest.mark.cni_versions(min="1.1.0")


HEAD_KEY = "cni.dev/valid-attachments"
TAG_KEY = "cni.dev/attachments"  # the key the spec-v1.1.0 tag names
BOTH_KEYS = (HEAD_KEY, TAG_KEY)


def _gc_conf(conf: dict[str, Any], valid: list[tuple[str, str]], keys: tuple[str, ...] = BOTH_KEYS) -> dict[str, Any]:
    out = copy.deepcopy(conf)
    out.pop("prevResult", None)
    attachments = [{"containerID": c, "ifname": i} for c, i in valid]
    for key in keys:
        out[key] = copy.deepcopy(attachments)
    return out


def _gc(cni, conf, valid, keys=BOTH_KEYS, env=None):
    return cni.invoke("GC", _gc_conf(conf, valid, keys), None, None, None, env=env)


class Two:
    """Two attachments of one network: a (stays valid) and b (goes stale)."""

    def __init__(self, cni, conf, ns_a, ns_b, ifname, cid):
        self.cni, self.conf, self.ifname = cni, conf, ifname
        self.a, self.b = (cid + "-a", ns_a), (cid + "-b", ns_b)
        self.results: dict[str, dict[str, Any]] = {}

    def add_both(self) -> None:
        """ADD a and b; a failed ADD blocks the test (by add.result.stdout)."""
        for cid_, ns in (self.a, self.b):
            add = require(self.cni.invoke("ADD", self.conf, ns, self.ifname, cid_), what=f"ADD of {cid_}, before GC")
            self.results[cid_] = add.result

    def ips(self, which) -> list[str]:
        return [str(ip) for ip in _plain_ips(self.results[which[0]])]

    def reserved(self) -> dict[str, str] | None:
        ipam = self.conf.get("ipam") or {}
        if "dataDir" not in ipam:
            return None
        return host_local.reservations(ipam["dataDir"], self.conf["name"])

    def check(self, which):
        cid, ns = which
        return self.cni.invoke("CHECK", with_prev_result(self.conf, self.results[cid], self.conf["cniVersion"]), ns, self.ifname, cid)

    def cleanup(self):
        for cid, ns in (self.a, self.b):
            self.cni.invoke("DEL", with_prev_result(self.conf, self.results.get(cid), self.conf["cniVersion"]), ns, self.ifname, cid)


def _plain_ips(result: dict[str, Any]) -> list[str]:
    return [str(a) for a in Result.read(result).addresses()]


@pytest.fixture
def two(cni, cni_target, netconf_factory, cni_version, container_ns, netns_factory, cni_ifname, cni_container_id):
    if cni_target.profile.kind == "chained":
        pytest.skip("not applicable: GC of attachments is judged on interface and IPAM plugins")
    conf = netconf_factory(cni_version)
    pair = Two(cni, conf, container_ns, netns_factory("container-b"), cni_ifname, cni_container_id)
    try:
        pair.add_both()
        yield pair
    finally:
        pair.cleanup()


@pytest.mark.cni_rule("gc.succeeds")
def test_gc_succeeds(cni, netconf_factory, cni_version, cni_container_id, cni_ifname):
    gc = _gc(cni, netconf_factory(cni_version, prev_result=False), [(cni_container_id, cni_ifname)])
    assert gc.exit_code == 0 and not gc.problems, f"GC with a list of valid attachments should complete with exit 0:\n{gc.describe()}"


@pytest.mark.cni_rule("gc.output.empty")
def test_gc_prints_nothing(cni, netconf_factory, cni_version, cni_container_id, cni_ifname):
    gc = _gc(cni, netconf_factory(cni_version, prev_result=False), [(cni_container_id, cni_ifname)])
    require(gc, "gc.succeeds", "GC", exit_code_only=True)  # stdout is judged here whatever it holds
    assert not gc.stdout.strip(), f"a successful GC must print nothing on stdout:\n{gc.describe()}"


@pytest.mark.cni_rule("gc.env.minimal")
def test_gc_minimal_environment(cni, netconf_factory, cni_version):
    gc = _gc(cni, netconf_factory(cni_version, prev_result=False), [], env={"CNI_ARGS": None})
    extra = sorted(k for k in gc.env if k.startswith("CNI_") and k not in ("CNI_COMMAND", "CNI_PATH"))
    assert not extra, f"harness error: GC sent with {extra}"
    assert gc.exit_code == 0 and not gc.problems, (
        f"GC needs only CNI_COMMAND and CNI_PATH (no container id, netns or ifname); with just those it failed:\n{gc.describe()}"
    )


@pytest.mark.cni_rule("gc.keeps-valid")
@pytest.mark.cni_many_attachments  # two live at once: not applicable to a one-device profile (host-device)
def test_gc_keeps_valid_attachments(two):
    problems = _kept(two, [two.a])
    assert not problems, "GC must leave the resources of every listed attachment in place:\n- " + "\n- ".join(problems)


@pytest.mark.cni_rule("gc.releases-stale")
@pytest.mark.cni_many_attachments  # two live at once: not applicable to a one-device profile (host-device)
def test_gc_releases_stale_attachments(two):
    left = _not_released(two, [two.a])
    assert not left, (
        f"GC was told only {two.a[0]}/{two.ifname} is valid; it should release the resources of the stale attachment "
        f"{two.b[0]}/{two.ifname} (an exit 0 alone proves nothing), but:\n- " + "\n- ".join(left)
    )


@pytest.mark.cni_rule("gc.input.valid-attachments")
@pytest.mark.cni_many_attachments  # two live at once: not applicable to a one-device profile (host-device)
def test_gc_reads_valid_attachments_key(two):
    """Only HEAD's renamed key is sent, listing both: a plugin that reads it keeps both (MAY:
    spec-v1.1.0 itself names cni.dev/attachments)."""
    problems = _kept(two, [two.a, two.b], keys=(HEAD_KEY,))
    assert not problems, (
        "both attachments were listed under cni.dev/valid-attachments (only that key was sent); a plugin that "
        "reads HEAD's renamed key keeps them:\n- " + "\n- ".join(problems)
    )


def _kept(two, listed, keys=BOTH_KEYS) -> list[str]:
    """What GC, sent `keys` listing `listed`, took from those attachments: released reservations, a failing CHECK."""
    before = two.reserved()
    require(_gc(two.cni, two.conf, [(w[0], two.ifname) for w in listed], keys=keys), what="GC")
    problems = []
    after = two.reserved()
    for which in listed:
        if before is not None and after is not None:
            gone = [ip for ip in two.ips(which) if ip in before and ip not in after]
            if gone:
                problems.append(f"{which[0]}: reservation(s) {gone} released")
        chk = two.check(which)
        if chk.exit_code != 0:
            problems.append(f"{which[0]}: CHECK fails after GC: {chk.error}")
    return problems


@pytest.mark.cni_rule("gc.input.attachments-key")
@pytest.mark.cni_many_attachments  # two live at once: not applicable to a one-device profile (host-device)
def test_gc_reads_the_spec_v1_1_0_key(two):
    """Only the spec-v1.1.0 tag's key is sent, listing both: the plugin must keep both."""
    problems = _kept(two, [two.a, two.b], keys=(TAG_KEY,))
    assert not problems, (
        f"both attachments were listed under {TAG_KEY}, the key spec-v1.1.0 names (only that key was sent); GC must "
        "leave listed attachments in place:\n- " + "\n- ".join(problems)
    )


@pytest.mark.cni_rule("gc.releases-stale")
@pytest.mark.cni_many_attachments  # two live at once: not applicable to a one-device profile (host-device)
def test_gc_with_an_empty_list_releases_everything(two):
    """An empty list of valid attachments makes every attachment stale (not 'no list, keep all')."""
    left = _not_released(two, [])
    assert not left, ("GC was given an empty list of valid attachments, so both are stale and it should release their "
                      "resources, but:\n- " + "\n- ".join(left))


def _not_released(two, valid) -> list[str]:
    """GC listing only `valid`: what is left of the other attachments, their addresses still reserved
    (read from the dataDir) or, where no dataDir can be read, the ones whose CHECK still succeeds."""
    before = two.reserved()
    require(_gc(two.cni, two.conf, [(w[0], two.ifname) for w in valid]), what="GC")
    stale = [w for w in (two.a, two.b) if w not in valid]
    after = two.reserved()
    if before is not None and after is not None:
        seen = [ip for w in stale for ip in two.ips(w) if ip in before]
        assert seen, f"harness error: the stale attachments' addresses were never seen reserved in {before}"
        return [f"{ip} is still reserved" for ip in seen if ip in after]
    return [f"CHECK of {w[0]} still succeeds, so its reservation survived" for w in stale if two.check(w).exit_code == 0]


@pytest.mark.cni_rule("status.ready-succeeds")
def test_status_succeeds_when_ready(cni, netconf_factory, cni_version):
    st = cni.invoke("STATUS", netconf_factory(cni_version, prev_result=False), None, None, None)
    assert st.exit_code == 0 and not st.problems, f"STATUS must exit 0 when the plugin can serve ADD (a fresh network):\n{st.describe()}"


@pytest.mark.cni_rule("status.env.minimal")
def test_status_minimal_environment(cni, netconf_factory, cni_version):
    st = cni.invoke("STATUS", netconf_factory(cni_version, prev_result=False), None, None, None, env={"CNI_ARGS": None})
    assert st.exit_code == 0 and not st.problems, (
        f"STATUS needs no CNI_CONTAINERID, CNI_NETNS or CNI_IFNAME; without them it failed:\n{st.describe()}"
    )


@pytest.mark.cni_rule("status.not-relied-upon")
def test_operations_without_status(cni, netconf, cni_target, container_ns, cni_ifname, cni_container_id):
    # No STATUS was called in this test: ADD failing here fails everywhere (add.result.stdout's finding).
    add = require(cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id), what="ADD without a prior STATUS")
    chk = cni.invoke("CHECK", with_prev_result(netconf, add.result, netconf["cniVersion"]), container_ns, cni_ifname, cni_container_id)
    rm = cni.invoke("DEL", with_prev_result(netconf, add.result, netconf["cniVersion"]), container_ns, cni_ifname, cni_container_id)
    assert chk.exit_code == 0, f"CHECK must work without a prior STATUS:\n{chk.describe()}"
    assert rm.exit_code == 0, f"DEL must work without a prior STATUS:\n{rm.describe()}"


@pytest.mark.cni_rule("status.exhausted-fails")
def test_status_fails_when_pool_exhausted(cni, cni_target, netconf_factory, cni_version, container_ns, cni_ifname, cni_container_id):
    conf = netconf_factory(cni_version, prev_result=False)
    ipam = conf.get("ipam")
    if not isinstance(ipam, dict) or not isinstance(ipam.get("ranges"), list) or cni_target.profile.kind == "chained":
        pytest.skip("the pool is made small through a host-local style 'ranges' section")
    ipam["ranges"] = [[{"subnet": "10.88.7.0/30"}]]  # one usable address: .1 is the gateway, .2 the last free one
    ipam["routes"] = []
    add = require(cni.invoke("ADD", conf, container_ns, cni_ifname, cni_container_id), what="ADD of the single address of a /30")
    try:
        st = cni.invoke("STATUS", conf, None, None, None)
        assert st.exit_code not in (0, None), (
            f"the only address of the pool 10.88.7.0/30 is taken, so the plugin cannot serve another ADD; STATUS should fail "
            f"(code 50), but:\n{st.describe()}"
        )
    finally:
        cni.invoke("DEL", with_prev_result(conf, add.result, cni_version), container_ns, cni_ifname, cni_container_id)


@pytest.mark.cni_rule("status.output.empty")
def test_status_prints_nothing(cni, netconf_factory, cni_version):
    st = cni.invoke("STATUS", netconf_factory(cni_version, prev_result=False), None, None, None)
    # stdout is judged here whatever it holds; only the exit code is a precondition
    require(st, "status.ready-succeeds", "STATUS on a fresh network", exit_code_only=True)
    assert not st.stdout.strip(), f"a successful STATUS prints nothing on stdout (STATUS has no result):\n{st.describe()}"


@pytest.mark.cni_rule("status.other-ops-after-error")
def test_del_and_add_after_a_failed_status(cni, cni_target, netconf_factory, cni_version, attach, netns_factory, cni_container_id):
    """STATUS is made to fail by taking the only address of the pool; DEL and ADD must still be served."""
    if cni_target.profile.kind == "chained":
        pytest.skip("not applicable: the pool is made small through an IPAM 'ranges' section")
    shrunk = config.with_one_address_pool(netconf_factory(cni_version, prev_result=False))
    if shrunk is None:
        pytest.skip("not applicable: the config has no ipam.ranges to shrink to one address")
    conf, pool = shrunk
    first = attach(conf)
    first.add_or_block(what="ADD of the only address of the pool")
    st = cni.invoke("STATUS", conf, None, None, None)
    if st.exit_code in (0, None):
        raise BlockedBy("status.exhausted-fails", f"STATUS did not fail with the pool {pool} exhausted:\n{st.describe()}")
    rm = first.delete()
    assert rm.succeeded, f"after STATUS failed ({st.error}) the plugin should still accept DEL; it failed:\n{rm.describe()}\n{st.describe()}"
    again = attach(conf, netns_factory("next-container"), container_id=cni_container_id + "-next").add()
    assert again.succeeded, (
        f"after STATUS failed ({st.error}) and DEL freed the pool's only address {pool}, the plugin should still accept ADD; "
        f"it failed:\n{again.describe()}\n{st.describe()}"
    )
