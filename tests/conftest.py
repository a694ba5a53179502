"""Shared fixtures for the harness's own tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnitest import netns

HERE = Path(__file__).parent
FAULTY = HERE / "plugins"
GO_PLUGINS = Path("/usr/lib/cni")


def pytest_configure(config: pytest.Config) -> None:
    if os.geteuid() != 0:  # rootless: namespaces of a user namespace of our own, as the plugin does it
        from cnitest.sandbox import enter_user_namespace

        enter_user_namespace()


def faulty(name: str) -> Path:
    """A small faulty plugin kept as a fixture next to these tests."""
    return FAULTY / name


@pytest.fixture
def sandbox() -> Iterator[netns.Namespace]:
    """A scratch host namespace for runner tests."""
    with netns.new("test-host") as ns:
        yield ns


def require_go(name: str) -> Path:
    path = GO_PLUGINS / name
    if not os.access(path, os.X_OK):
        pytest.skip(f"Debian's Go plugin {name} is not installed (.ci/run installs containernetworking-plugins)")
    return path


SUITES = HERE.parent / "suites"


class SuiteRun:
    """Outcome of running bundled suites against one plugin in a pytest subprocess."""

    def __init__(self, returncode: int, output: str, outcomes: dict[str, tuple[str, str]]) -> None:
        self.returncode = returncode
        self.output = output
        self.outcomes = outcomes  # test name (e.g. "test_add_check_del[1.0.0]") -> (outcome, message)

    def failed(self) -> dict[str, str]:
        return {name: msg for name, (outcome, msg) in self.outcomes.items() if outcome == "failed"}

    def warned(self) -> dict[str, str]:
        """SHOULD-level findings (reported as xfail-like warnings unless --cni-strict)."""
        return {name: msg for name, (outcome, msg) in self.outcomes.items() if outcome == "warning"}

    def passed(self) -> list[str]:
        return [name for name, (outcome, _) in self.outcomes.items() if outcome == "passed"]

    def __repr__(self) -> str:
        return f"<SuiteRun rc={self.returncode}>\n{self.output[-4000:]}"


def run_suite(plugin: Path | str, *args: str, cni_path: str = str(GO_PLUGINS), timeout: float = 600) -> SuiteRun:
    """Run `pytest --cni-plugin=plugin [args]` in a subprocess and read each test's outcome.

    Pass suite files (e.g. str(SUITES / "test_add.py")), `-k`, `--cni-version=1.0.0`...
    """
    import subprocess
    import sys
    import tempfile
    import xml.etree.ElementTree as ET

    with tempfile.TemporaryDirectory(prefix="cnitest-suite-") as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "pytest", f"--cni-plugin={plugin}", f"--cni-path={cni_path}", "-q", "-rA",
               "-p", "no:cacheprovider", f"--junitxml={junit}", f"--basetemp={tmp}/t", *args]
        # Faulty plugins start with `#!/usr/bin/env python3`: find this venv's
        # interpreter first, not a slow version-manager shim.
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
        done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=timeout, env=env)
        outcomes: dict[str, tuple[str, str]] = {}
        if junit.exists():
            for case in ET.parse(junit).iter("testcase"):
                name = case.get("name", "")
                outcome, msg = "passed", ""
                for child in case:
                    if child.tag in ("failure", "error"):
                        outcome, msg = "failed", (child.get("message") or "") + "\n" + (child.text or "")
                    elif child.tag == "skipped":
                        kind = child.get("type", "")
                        msg = child.get("message") or ""
                        outcome = "warning" if kind == "pytest.xfail" else "skipped"
                outcomes[name] = (outcome, msg)
        return SuiteRun(done.returncode, done.stdout + done.stderr, outcomes)
