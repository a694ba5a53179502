"""pytest fixtures: sandbox namespaces, the plugin runner, test configs.

Plugin authors use these in their own tests; the bundled suites use nothing
else. Every namespace here is held by a file descriptor (cnitest.netns), so a
test that fails, a Ctrl-C or a SIGKILL leaves nothing behind.

The pytest11 entry point loads this module in every pytest run on the machine,
so it imports the library (runner, namespaces, sandbox, configs) only inside the
fixtures: a run that uses none of them pays nothing for them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from . import netns
    from .attachment import Attachment
    from .runner import Invocation, Runner
    from .sandbox import Sandbox
    from .target import Target

__all__ = [
    "attach", "attachment", "cni", "cni_container_id", "cni_ifname", "cni_target", "container_ns", "host_ns", "netconf",
    "netconf_factory", "netns_factory",
]

TARGET_KEY = pytest.StashKey["Target | None"]()


def get_target(pytestconfig: pytest.Config) -> Target:
    target = pytestconfig.stash.get(TARGET_KEY, None)
    if target is None:
        pytest.skip("no plugin under test: give --cni-plugin=PATH")
    return target


@pytest.fixture(scope="session")
def cni_target(pytestconfig: pytest.Config) -> Target:
    """The plugin under test (--cni-plugin), its profile and versions."""
    return get_target(pytestconfig)


@pytest.fixture
def netns_factory() -> Iterator[Callable[[str], netns.Namespace]]:
    """Make extra namespaces; all are destroyed at the end of the test."""
    from . import netns

    made: list[netns.Namespace] = []

    def make(label: str = "extra") -> netns.Namespace:
        ns = netns.new(label)
        made.append(ns)
        return ns

    yield make
    for ns in made:
        ns.release()


@pytest.fixture
def cni_sandbox(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """The files this test's plugin calls see: / read-only, private /run and /var/lib,
    the session's temporary root read-only and tmp_path writable.

    What the plugin wrote in its private directories is listed in the report
    (`cni_sandbox_files`), as information."""
    from . import sandbox

    box = sandbox.for_test(sandbox.test_state(tmp_path_factory.getbasetemp()), writable=[tmp_path], readable=[tmp_path_factory.getbasetemp()])
    yield box
    written = box.files_written()
    if written:
        request.node.user_properties.append(("cni_sandbox_files", written))
    shutil.rmtree(box.state, ignore_errors=True)


@pytest.fixture
def host_ns(request: pytest.FixtureRequest, cni_sandbox: Sandbox) -> Iterator[netns.Namespace]:
    """The sandbox 'host' namespace the plugin runs in (never the machine's own).

    IPv6 duplicate address detection is off in it (Namespace.no_dad): the
    addresses a plugin gives its bridge or host-side veth are usable at once."""
    from . import kernel, netns

    target = request.config.stash.get(TARGET_KEY, None)
    profile = target.profile if target else None
    if profile:
        for kind in profile.kernel:
            why = kernel.missing(kind)
            if why:
                pytest.skip(f"profile {profile.name} needs {kind}: {why}")
    ns = netns.new("host")
    try:
        ns.sandbox = cni_sandbox
        ns.no_dad()
        if profile and profile.parent_link:
            ns.iproute(_make_parent_link)
        yield ns
    finally:
        ns.release()  # destroyed later, with others: see netns._Released


def _make_parent_link(ipr: Any) -> None:
    from .profiles import PARENT_LINK

    ipr.link("add", ifname=PARENT_LINK, kind="veth", peer=PARENT_LINK + "p")
    for name in (PARENT_LINK, PARENT_LINK + "p"):
        ipr.link("set", index=ipr.link_lookup(ifname=name)[0], state="up")


@pytest.fixture
def container_ns() -> Iterator[netns.Namespace]:
    """A fresh, empty container namespace (lo up)."""
    from . import netns

    ns = netns.new("container")
    try:
        yield ns
    finally:
        ns.release()


RUNNERS_KEY = pytest.StashKey["list[Runner]"]()
"""The runners a test used (item.stash), so that reports can replay their history."""


@pytest.fixture
def cni(cni_target: Target, host_ns: netns.Namespace, request: pytest.FixtureRequest) -> Runner:
    """The runner for the plugin under test, bound to this test's host namespace."""
    runner = cni_target.runner(host_ns)
    request.node.stash.setdefault(RUNNERS_KEY, []).append(runner)
    return runner


@pytest.fixture
def cni_ifname(cni_target: Target) -> str:
    """The CNI_IFNAME the profile calls the plugin with (eth0, or lo for loopback)."""
    return cni_target.profile.ifname


@pytest.fixture
def cni_container_id(request: pytest.FixtureRequest) -> str:
    """A container ID unique to this test and worker."""
    from . import config

    return f"cnitest-{config.unique_suffix()}"


@pytest.fixture
def netconf_factory(
    cni_target: Target, host_ns: netns.Namespace, container_ns: netns.Namespace, tmp_path: Path,
    cni_container_id: str, cni_ifname: str, request: pytest.FixtureRequest,
) -> Callable[..., dict[str, Any]]:
    """Build a config for the plugin under test at a version.

    For a chained plugin this runs the base plugin's ADD first (in the same
    container namespace) and puts its result in prevResult.
    """
    from . import config
    from .attachment import with_prev_result
    from .profiles import PROFILES
    from .runner import Runner

    suffix = config.unique_suffix()
    name = f"cnitest-{suffix}"
    base_results: dict[str, Invocation] = {}

    def make(version: str, prev_result: bool = True) -> dict[str, Any]:
        conf = config.build(config.make_unique(cni_target.template.plugin, tmp_path, suffix), version, name)
        if cni_target.profile.kind == "chained" and prev_result:
            prev = base_results.get(version) or _run_base(version)
            base_results[version] = prev
            if not prev.succeeded or prev.result is None:
                pytest.fail(f"the base plugin of chained {cni_target.profile.name} failed, so nothing can be tested:\n{prev.describe()}")
            conf["prevResult"] = prev.result
        return conf

    def _run_base(version: str) -> Invocation:
        """ADD the base plugins in list order, each given the result before it (as libcni
        does); at the end of the test they are DELeted in reverse order, after the plugin
        under test, each with the base's final result."""
        chain = cni_target.template.chain or [PROFILES[cni_target.profile.base or "ptp"].config_template()]
        prev: dict[str, Any] | None = None
        inv: Invocation | None = None
        added: list[tuple[Runner, dict[str, Any]]] = []

        def delete_base() -> None:
            final = inv.result if inv is not None and inv.succeeded else None
            netns_now = None if container_ns.closed else container_ns  # the test may have removed it
            for runner, conf in reversed(added):
                runner.invoke("DEL", with_prev_result(conf, final, version), netns_now, cni_ifname, cni_container_id)

        request.addfinalizer(delete_base)
        for entry in chain:
            binary = cni_target.find_plugin(entry["type"])
            if binary is None:
                pytest.skip(f"chained plugin needs {entry['type']!r} in CNI_PATH ({':'.join(cni_target.cni_path)})")
            conf = config.build(config.make_unique(entry, tmp_path, suffix), version, name)
            if prev is not None:
                conf["prevResult"] = prev
            runner = Runner(binary, host_ns, cni_target.settings.cni_path, timeout=cni_target.settings.timeout)
            request.node.stash.setdefault(RUNNERS_KEY, []).append(runner)  # the base ADD belongs in reproducers
            inv = runner.invoke("ADD", conf, container_ns, cni_ifname, cni_container_id)
            added.append((runner, {k: v for k, v in conf.items() if k != "prevResult"}))
            prev = inv.result
        assert inv is not None
        return inv

    return make


@pytest.fixture
def netconf(netconf_factory: Callable[..., dict[str, Any]], cni_version: str) -> dict[str, Any]:
    """The config for the plugin under test at this test's spec version."""
    return netconf_factory(cni_version)


class Attacher:
    """`attach(conf)`: an Attachment of `conf` for this test (its runner, container
    namespace, ifname, container id and spec version unless given). Every attachment
    made here that was ADDed is DELeted at the end of the test."""

    def __init__(self, runner: Runner, container_ns: netns.Namespace, ifname: str, container_id: str, version: str | None) -> None:
        self.runner, self.container_ns, self.ifname = runner, container_ns, ifname
        self.container_id, self.version = container_id, version
        self.made: list[Attachment] = []

    def __call__(self, conf: dict[str, Any], container_ns: netns.Namespace | str | None = None, ifname: str | None = None,
                 container_id: str | None = None, cni_args: str | dict[str, str] | None = None,
                 runner: Runner | None = None) -> Attachment:
        """`runner` replaces the test's (e.g. one with more directories in CNI_PATH)."""
        from .attachment import Attachment

        att = Attachment(runner or self.runner, conf, self.container_ns if container_ns is None else container_ns,
                         ifname or self.ifname, container_id or self.container_id, self.version, cni_args)
        self.made.append(att)
        return att

    def close(self) -> None:
        for att in reversed(self.made):
            att.__exit__(None, None, None)


@pytest.fixture
def attach(cni: Runner, container_ns: netns.Namespace, cni_ifname: str, cni_container_id: str,
           request: pytest.FixtureRequest) -> Iterator[Attacher]:
    """Make attachments of the plugin under test: `with attach(netconf) as att:`."""
    version = request.getfixturevalue("cni_version") if "cni_version" in request.fixturenames else None
    attacher = Attacher(cni, container_ns, cni_ifname, cni_container_id, version)
    yield attacher
    attacher.close()


@pytest.fixture
def attachment(attach: Attacher, netconf: dict[str, Any]) -> Attachment:
    """This test's attachment of `netconf` (not yet added; DELeted at the end if it was)."""
    return attach(netconf)
