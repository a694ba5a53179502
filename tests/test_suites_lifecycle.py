"""The add, check, delete and results suites pass on Debian's Go plugins.

The faulty plugins that prove these suites catch each rule's break declare their
catching tests in their own fault.py; tests/test_faulty_plugins.py runs them.
"""

from __future__ import annotations

import pytest

from .conftest import SUITES, require_go, run_suite

SUITE_FILES = ("test_add.py", "test_check.py", "test_delete.py", "test_results.py")

# The Go runs stay at the versions where the suites' rules change: 0.4.0 and 1.0.0
# everywhere, plus a legacy one where a suite has rules only for it.
GO_VERSIONS = {
    "test_add.py": ("0.4.0", "1.0.0"),
    "test_check.py": ("0.3.1", "0.4.0", "1.0.0"),
    "test_delete.py": ("0.4.0", "1.0.0"),
    "test_results.py": ("0.2.0", "0.4.0", "1.0.0"),
}

# SHOULD-level findings on the Go plugins, checked so a new one is noticed.
# ptp: a second attachment of the same container to the same ptp network fails
# ("failed to add route ... 10.88.0.1/32 ...: file exists"): ptp adds a host route
# to the gateway via each interface, and the one via eth0 is already there.
GO_WARNINGS = {
    ("ptp", "test_add.py"): {"test_same_container_twice_with_another_ifname[0.4.0]", "test_same_container_twice_with_another_ifname[1.0.0]"},
}


@pytest.mark.parametrize("suite", SUITE_FILES)
@pytest.mark.parametrize("plugin", ["bridge", "ptp", "host-local"])
def test_suite_passes_on_go_plugin(plugin, suite):
    run = run_suite(require_go(plugin), str(SUITES / suite), *(f"--cni-version={v}" for v in GO_VERSIONS[suite]))
    assert not run.failed(), run
    assert run.passed(), run
    assert set(run.warned()) == GO_WARNINGS.get((plugin, suite), set()), run.warned()
