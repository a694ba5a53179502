"""IPAM delegation: an interface plugin with an ipam section runs its IPAM plugin the spec's way.

The harness's recording IPAM plugin (cnitest.recording_ipam, executable
`cnitest-recorder`) sits between the plugin under test and the real IPAM
plugin: the config's ipam.type names the recorder, the real type stays in
ipam["cnitest-delegate"]. The recorder's directory comes after the plugin's own
directory in CNI_PATH, so finding it already needs a search past the first
entry. Every call the IPAM plugin receives is logged with its verb,
environment and stdin, and faults can be injected into it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cnitest import Attachment, Invocation, Result, Runner, host_local, recording_ipam
from cnitest.attachment import BlockedBy
from cnitest.fixtures import RUNNERS_KEY, Attacher

pytestmark = pytest.mark.cni_kinds("interface")

ENV_KEYS = ("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH")
UNREACHABLE_ROUTE = {"dst": "198.51.100.0/24", "gw": "203.0.113.77"}  # gw on no link: installing it fails


@pytest.fixture(scope="session")
def recorder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return recording_ipam.install(tmp_path_factory.mktemp("recorder"))


class Recorded:
    """The plugin under test, wired to the recording IPAM plugin: attachments of
    the test's config whose IPAM calls go through the recorder, and the log of them."""

    def __init__(self, attach: Attacher, runner: Runner, conf: dict[str, Any], log: Path, ifname: str, cid: str) -> None:
        self._attach, self.runner, self.conf, self.log = attach, runner, conf, log
        self.ifname, self.cid = ifname, cid

    def config(self, **faults: Any) -> dict[str, Any]:
        return recording_ipam.wrap(self.conf, self.log, **faults)

    def attach(self, cni_args: str | None = None, **faults: Any) -> Attachment:
        """An attachment of the recorded config (with `faults` injected into the recorder)."""
        return self._attach(self.config(**faults), cni_args=cni_args, runner=self.runner)

    def calls(self, verb: str | None = None) -> list[dict[str, Any]]:
        return [c for c in recording_ipam.read_log(self.log) if verb is None or c["verb"] == verb]

    def seen(self) -> str:
        calls = self.calls()
        return "IPAM calls recorded: " + (", ".join(f"{c['verb']} (exit {c.get('exit')})" for c in calls) or "none")


@pytest.fixture
def recorded(cni_target, host_ns, netconf, attach, cni_ifname, cni_container_id, recorder_dir, tmp_path, request) -> Recorded:
    ipam = netconf.get("ipam")
    if not isinstance(ipam, dict) or not ipam.get("type"):
        pytest.skip(f"not applicable: profile {cni_target.profile.name} configures no IPAM plugin to delegate to")
    runner = cni_target.runner(host_ns, extra_path=[str(recorder_dir)])
    request.node.stash.setdefault(RUNNERS_KEY, []).append(runner)
    return Recorded(attach, runner, netconf, tmp_path / "ipam-calls.jsonl", cni_ifname, cni_container_id)


def _must_add(rec: Recorded, att: Attachment) -> Invocation:
    """ADD `att`: the step every test here starts from."""
    add = att.add()
    assert add.succeeded, f"ADD through the recording IPAM plugin must succeed:\n{add.describe()}\n{rec.seen()}"
    return add


def _one(rec: Recorded, verb: str, why: str) -> dict[str, Any]:
    calls = rec.calls(verb)
    assert calls, f"{why}; the IPAM plugin never received {verb}. {rec.seen()}"
    return calls[-1]


@pytest.mark.cni_rule("delegate.add.invoked")
def test_ipam_add_invoked(recorded):
    _must_add(recorded, recorded.attach())
    _one(recorded, "ADD", "a plugin configured with an ipam section must run that IPAM plugin on ADD")


@pytest.mark.cni_rule("delegate.lookup.cni-path")
def test_ipam_found_past_first_cni_path_dir(recorded):
    add = recorded.attach().add()
    path = add.env["CNI_PATH"].split(":")
    where = next((i + 1 for i, d in enumerate(path) if (Path(d) / recording_ipam.NAME).exists()), None)
    assert add.succeeded and recorded.calls("ADD"), (
        f"the IPAM plugin {recording_ipam.NAME} lies in CNI_PATH entry #{where} of {path}; "
        f"every directory of CNI_PATH must be searched, not only the first:\n{add.describe()}\n{recorded.seen()}"
    )


def _env_diff(plugin_env: dict[str, str], ipam_env: dict[str, str], verb: str) -> list[str]:
    out = []
    for key in ENV_KEYS:
        want, got = plugin_env.get(key), ipam_env.get(key)
        if key == "CNI_ARGS" and not want and not got:
            continue  # unset and empty are the same request
        if want != got:
            out.append(f"{key}: the plugin got {want!r}, the IPAM plugin got {got!r}")
    return out


@pytest.mark.cni_rule("delegate.env.same")
def test_ipam_gets_same_environment(recorded):
    att = recorded.attach(cni_args="IgnoreUnknown=1")
    add = _must_add(recorded, att)
    rm = att.delete()
    problems = []
    for inv in (add, rm):
        calls = recorded.calls(inv.verb)
        if not calls:
            continue  # whether DEL is delegated is delegate.del.invoked's business
        problems += [f"{inv.verb}: {d}" for d in _env_diff(inv.env, calls[-1]["env"], inv.verb)]
    assert recorded.calls("ADD"), f"the IPAM plugin never ran. {recorded.seen()}"
    assert not problems, "the delegated plugin must receive the same CNI_* environment as the calling plugin:\n- " + "\n- ".join(problems)


@pytest.mark.cni_rule("delegate.config.same")
def test_ipam_gets_complete_config(recorded):
    att = recorded.attach()
    _must_add(recorded, att)
    call = _one(recorded, "ADD", "the IPAM plugin must run to be given the configuration")
    try:
        got = json.loads(call["stdin"])
    except ValueError:
        got = call["stdin"]
    assert got == att.config, (
        "the delegated plugin must receive the complete network configuration the calling plugin got, not only the "
        f"ipam section;\nthe plugin got:     {json.dumps(att.config, sort_keys=True)}\nthe IPAM plugin got: {json.dumps(got, sort_keys=True) if isinstance(got, dict) else got!r}"
    )


@pytest.mark.cni_versions(min="1.0.0")
@pytest.mark.cni_rule("delegate.stderr.forwarded")
def test_ipam_stderr_forwarded(recorded):
    add = _must_add(recorded, recorded.attach())
    marker = f"{recording_ipam.STDERR_MARKER} ADD".encode()
    assert marker in add.stderr, (
        f"the IPAM plugin wrote {marker.decode()!r} to its stderr; the calling plugin should pass it on to its own stderr, "
        f"which holds: {add.stderr[:500]!r}"
    )


@pytest.mark.cni_rule("delegate.result.reflected")
def test_ipam_result_reflected(recorded):
    add = _must_add(recorded, recorded.attach())
    call = _one(recorded, "ADD", "the IPAM plugin must run for its result to be used")
    ipam_result = json.loads(call["stdout"])
    ipam_view, out = Result.read(ipam_result), Result.read(add.result)
    missing = [f"address {ip.address}" for ip in ipam_view.ips if ip.address not in {o.address for o in out.ips}]
    have_routes = {(r.dst, r.gw) for r in out.routes}
    missing += [f"route {r.dst} via {r.gw or '-'}" for r in ipam_view.routes if (r.dst, r.gw) not in have_routes]
    for key in ("nameservers", "search"):
        missing += [f"dns.{key} {v}" for v in getattr(ipam_view.dns, key) if v not in getattr(out.dns, key)]
    assert not missing, (
        "the ips, routes and dns the IPAM plugin returned should appear in the plugin's result; missing:\n- "
        + "\n- ".join(missing) + f"\nIPAM result: {call['stdout']}\n{add.describe()}"
    )


@pytest.mark.cni_rule("delegate.del.invoked")
def test_ipam_del_invoked(recorded, cni_version):
    att = recorded.attach()
    _must_add(recorded, att)
    rm = att.delete()
    assert rm.exit_code == 0, f"DEL must succeed:\n{rm.describe()}"
    call = _one(recorded, "DEL", f"on DEL a plugin must also run DEL on its IPAM plugin (spec {cni_version})")
    assert call["env"].get("CNI_CONTAINERID") == recorded.cid and call["env"].get("CNI_IFNAME") == recorded.ifname, (
        f"the IPAM DEL must be for the same attachment ({recorded.cid}, {recorded.ifname}); it got {call['env']}"
    )


@pytest.mark.cni_rule("delegate.check.invoked")
def test_ipam_check_invoked(recorded):
    att = recorded.attach()
    _must_add(recorded, att)
    chk = att.check()
    assert chk.exit_code == 0, f"CHECK right after ADD must succeed:\n{chk.describe()}\n{recorded.seen()}"
    _one(recorded, "CHECK", "on CHECK a plugin should also run CHECK on its IPAM plugin")


@pytest.mark.cni_rule("delegate.error.propagated")
def test_ipam_check_error_propagated(recorded):
    att = recorded.attach()
    _must_add(recorded, att)
    chk = att.check(config=recorded.config(fail={"CHECK": 101}))
    if not recorded.calls("CHECK"):
        # that it runs the IPAM plugin's CHECK at all is delegate.check.invoked's to judge
        raise BlockedBy("delegate.check.invoked", "the plugin ran no CHECK on its IPAM plugin, so whether it passes on "
                        f"that plugin's error cannot be judged\n{recorded.seen()}")
    assert chk.exit_code not in (0, None), (
        f"the IPAM plugin failed CHECK (code 101); the calling plugin should then fail too, but:\n{chk.describe()}"
    )


@pytest.mark.cni_rule("delegate.gc.invoked")
def test_ipam_gc_invoked(recorded):
    att = recorded.attach()
    _must_add(recorded, att)
    attachments = [{"containerID": recorded.cid, "ifname": recorded.ifname}]
    gc = recorded.runner.invoke("GC", {**att.config, "cni.dev/valid-attachments": attachments, "cni.dev/attachments": attachments},
                                None, None, None)
    assert gc.exit_code == 0, f"GC with a valid-attachments list should succeed:\n{gc.describe()}"
    call = _one(recorded, "GC", "plugins must forward GC to the delegated plugins they are configured with")
    assert json.loads(call["stdin"]).get("cni.dev/valid-attachments") == attachments, (
        f"the forwarded GC must carry the same valid-attachments list {attachments}; the IPAM plugin got {call['stdin']}"
    )


@pytest.mark.cni_rule("delegate.status.invoked")
def test_ipam_status_invoked(recorded):
    st = recorded.runner.invoke("STATUS", recorded.config(), None, None, None)
    assert st.exit_code == 0, f"STATUS should succeed when the plugin can serve ADD:\n{st.describe()}"
    _one(recorded, "STATUS", "a plugin relying on IPAM for ADD must run STATUS on it when asked for STATUS")


@pytest.mark.cni_rule("delegate.status.error-propagated")
def test_ipam_status_error_propagated(recorded):
    st = recorded.runner.invoke("STATUS", recorded.config(fail={"STATUS": 50}), None, None, None)
    if not recorded.calls("STATUS"):
        # that it runs the IPAM plugin's STATUS at all is delegate.status.invoked's to judge
        raise BlockedBy("delegate.status.invoked", "the plugin ran no STATUS on its IPAM plugin, so whether it passes on "
                        f"that plugin's error cannot be judged\n{recorded.seen()}")
    assert st.exit_code not in (0, None), f"the IPAM plugin failed STATUS (code 50); the plugin's STATUS should fail too:\n{st.describe()}"


@pytest.mark.cni_rule("delegate.add.failure-cleanup")
def test_failed_ipam_add_is_deleted(recorded):
    att = recorded.attach(fail={"ADD": 100})
    add = att.add()
    try:
        assert add.exit_code not in (0, None), f"the IPAM plugin failed ADD, so the plugin's ADD must fail:\n{add.describe()}"
        assert recorded.calls("DEL"), (
            "when the delegated plugin's ADD fails, the calling plugin should run DEL on it before reporting the failure "
            f"(known Go departure: Go plugins return at once). {recorded.seen()}"
        )
    finally:
        att.delete(config=recorded.config())  # the runtime's clean-up, without the injected fault


@pytest.mark.cni_rule("delegate.add.failure-cleanup")
def test_add_failing_after_ipam_releases_address(recorded):
    """IPAM succeeds, then the plugin cannot install a route IPAM returned: the address must be released."""
    att = recorded.attach(add_routes=[UNREACHABLE_ROUTE])
    conf = att.config
    add = att.add()
    try:
        if add.succeeded:
            pytest.skip(f"not applicable: the plugin accepted a route via an unreachable gateway ({UNREACHABLE_ROUTE}); "
                        "no failure to clean up after")
        ipam_add = [c for c in recorded.calls("ADD") if c.get("exit") == 0]
        assert ipam_add, f"the IPAM plugin must have handed out an address first. {recorded.seen()}\n{add.describe()}"
        problems = []
        if not recorded.calls("DEL"):
            problems.append("the IPAM plugin never received DEL after its successful ADD")
        ipam = conf["ipam"]
        if ipam.get("cnitest-delegate") == "host-local" and ipam.get("dataDir"):
            held = host_local.reservations(ipam["dataDir"], conf["name"])
            if held:
                problems.append(f"host-local still holds {sorted(held)} in {ipam['dataDir']}")
        assert not problems, (
            "the plugin's ADD failed after IPAM succeeded (the IPAM result holds a route it cannot install); the address "
            "should be released before the failure is reported:\n- " + "\n- ".join(problems) + f"\n{recorded.seen()}\n{add.describe()}"
        )
    finally:
        att.delete(config=recorded.config())  # the runtime's clean-up, without the injected fault
