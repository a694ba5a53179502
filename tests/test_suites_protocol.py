"""The protocol suites (version, environment, errors, config, io) pass on Debian's
Go bridge and host-local, and each faulty plugin fails the test of the rule it breaks.

Every run is narrow (one suite file, one or two spec versions, `-k` when it can be)
so that the whole file stays cheap under `-n 2`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import pytest

from .conftest import FAULTY, SUITES, require_go, run_suite

FAULTS = FAULTY / "faulty"


@pytest.fixture(autouse=True)
def _fast_python(monkeypatch):
    """The faulty plugins start with `#!/usr/bin/env python3`; through a pyenv shim that costs
    ~0.3 s per plugin call. Put this interpreter's directory first in PATH (inherited by the
    suite subprocess and, through the runner, by every plugin call)."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))


# --------------------------------------------------------------------------
# Correct plugins: no MUST failure (warnings are listed, not failed)
# --------------------------------------------------------------------------

GO_RUNS = {
    # suite file -> (versions, tests that must have passed on both plugins)
    "test_version.py": (("0.2.0", "1.0.0"), ["test_version_result_shape[1.0.0]", "test_listed_version_works[0.2.0]",
                                             "test_unsupported_version_add_refused[1.0.0-above-highest]",
                                             "test_version_echoes_requested_version[1.0.0]"]),
    "test_environment.py": (("1.0.0",), ["test_required_variable_missing_fails[1.0.0-DEL-CNI_IFNAME-empty]",
                                                 "test_code_4_names_the_variable[1.0.0-ADD-CNI_NETNS-unset]",
                                                 "test_container_id_charset_accepted[1.0.0-punctuated]",
                                                 "test_unknown_command_fails[1.0.0-BOGUS]"]),
    "test_errors.py": (("1.0.0",), ["test_failure_exits_nonzero[1.0.0-not-json]", "test_decode_failure_code_6[1.0.0-not-json]",
                                            "test_invalid_config_code_7[1.0.0-missing]", "test_exit_zero_never_with_error_object[1.0.0-success]"]),
    "test_config.py": (("0.4.0", "1.0.0"), ["test_name_required[0.4.0-ADD]", "test_name_charset_accepted[1.0.0-punctuated]",
                                            "test_args_not_understood_ignored[1.0.0-foreign]"]),
    "test_io.py": (("0.4.0", "1.0.0"), ["test_stdout_single_json_document[1.0.0-lifecycle]"]),
}
INTERFACE_ONLY = {"test_environment.py": ["test_ifname_too_long_refused[1.0.0-16-bytes]", "test_ifname_honored[1.0.0]"]}


@pytest.mark.parametrize("plugin", ["bridge", "host-local"])
@pytest.mark.parametrize("suite", list(GO_RUNS))
def test_protocol_suite_passes_on_go(plugin, suite):
    version_list, must_pass = GO_RUNS[suite]
    args = [f"--cni-version={v}" for v in version_list]
    run = run_suite(require_go(plugin), str(SUITES / suite), *args)
    assert not run.failed(), run
    assert run.returncode == 0, run
    expected = must_pass + (INTERFACE_ONLY.get(suite, []) if plugin == "bridge" else [])
    missing = [t for t in expected if t not in run.passed()]
    assert not missing, f"expected to pass on Go {plugin}: {missing}\n{run}"
    # Debian's Go plugins draw no SHOULD-level warning in these suites today; a new one is a finding to look at.
    assert not run.warned(), f"warnings on Go {plugin}: {sorted(run.warned())}"


# --------------------------------------------------------------------------
# Faulty plugins: each fails (MUST) or warns (SHOULD/MAY) on the test of its rule
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    name: str  # directory under tests/plugins/faulty/
    plugin: str  # the real plugin it wraps (the symlink's name)
    suite: str
    versions: tuple[str, ...]
    failed: dict[str, str] = field(default_factory=dict)  # MUST tests that must fail -> text in the message
    warned: dict[str, str] = field(default_factory=dict)  # SHOULD/MAY tests that must warn -> text in the message


FAULT_CASES = [
    # ---- VERSION
    Fault("version-lies-about-020", "bridge", "test_version.py", ("0.2.0",),
          failed={"test_listed_version_works[0.2.0]": "refused as incompatible (code 1)"}),
    Fault("version-empty-list", "host-local", "test_version.py", ("1.0.0",),
          failed={"test_version_lists_versions[1.0.0]": "non-empty list",
                  "test_version_result_shape[1.0.0]": "does not have the spec's shape"}),
    Fault("version-wrong-cniversion", "bridge", "test_version.py", ("1.0.0",),
          failed={"test_version_echoes_requested_version[1.0.0]": "answered '0.4.0'"}),
    Fault("version-needs-config", "host-local", "test_version.py", ("0.2.0", "1.0.0"),
          failed={"test_version_needs_no_network_config[1.0.0]": "only cniVersion"}),
    Fault("version-needs-containerid", "bridge", "test_version.py", ("1.0.0",),
          failed={"test_version_needs_only_cni_command[1.0.0]": "CNI_COMMAND as the only"}),
    Fault("version-refuses-unknown", "bridge", "test_version.py", ("1.0.0",),
          warned={"test_version_answers_an_unsupported_request[1.0.0]": "should still answer"}),
    Fault("wrong-code-bad-version", "bridge", "test_version.py", ("1.0.0",),
          warned={"test_unsupported_version_add_refused[1.0.0-9.9.9]": "refused with code 1",
                  "test_unsupported_version_add_refused[1.0.0-above-highest]": "got 7",
                  "test_unsupported_version_del_check_refused[1.0.0-9.9.9]": "refused with code 1"}),
    Fault("leaks-on-bad-version", "host-local", "test_version.py", ("1.0.0",),
          warned={"test_unsupported_version_add_refused[1.0.0-9.9.9]": "IPAM dataDir gained reservations"}),
    # ---- environment
    Fault("ignores-missing-containerid", "bridge", "test_environment.py", ("1.0.0",),
          failed={"test_required_variable_missing_fails[1.0.0-ADD-CNI_CONTAINERID-unset]": "must fail instead of guessing",
                  "test_required_variable_missing_fails[1.0.0-DEL-CNI_CONTAINERID-empty]": "must fail instead of guessing"}),
    Fault("ignores-missing-containerid", "bridge", "test_environment.py", ("0.4.0",),
          failed={"test_container_id_missing_fails_at_0_4_0[0.4.0-ADD-CNI_CONTAINERID-unset]": "requires a non-empty container id",
                  "test_container_id_missing_fails_at_0_4_0[0.4.0-DEL-CNI_CONTAINERID-empty]": "requires a non-empty container id"}),
    Fault("env-missing-bare-exit", "bridge", "test_environment.py", ("1.0.0",),
          warned={"test_required_variable_missing_error_object[1.0.0-ADD-CNI_NETNS-unset]": "",
                  "test_required_variable_missing_error_object[1.0.0-DEL-CNI_IFNAME-empty]": ""}),
    Fault("env-error-unnamed", "bridge", "test_environment.py", ("1.0.0",),
          failed={"test_code_4_names_the_variable[1.0.0-ADD-CNI_NETNS-unset]": "must name the offending variable (CNI_NETNS)",
                  "test_code_4_names_the_variable[1.0.0-DEL-CNI_IFNAME-unset]": "CNI_IFNAME"}),
    Fault("env-wrong-code", "host-local", "test_environment.py", ("1.0.0",),
          warned={"test_required_variable_missing_code_4[1.0.0-ADD-CNI_IFNAME-unset]": "got 7",
                  "test_unknown_command_code_4[1.0.0-BOGUS]": "code 4 expected, got 7"}),
    Fault("cid-charset-strict", "host-local", "test_environment.py", ("1.0.0",),
          warned={"test_container_id_charset_accepted[1.0.0-punctuated]": "should be accepted"}),
    Fault("cid-invalid-dirty", "bridge", "test_environment.py", ("1.0.0",),
          warned={"test_container_id_outside_charset_refused_cleanly[1.0.0-leading-dash]": "with an error object"}),
    Fault("ifname-truncated", "bridge", "test_environment.py", ("1.0.0",),
          failed={"test_ifname_too_long_refused[1.0.0-16-bytes]": "ADD must fail, but it succeeded",
                  "test_ifname_too_long_refused[1.0.0-23-bytes]": "ADD must fail"}),
    Fault("ifname-sanitized", "bridge", "test_environment.py", ("1.0.0",),
          failed={"test_ifname_slash_refused[1.0.0-slash]": "must fail",
                  "test_ifname_colon_refused[1.0.0-colon]": "must fail",
                  "test_ifname_whitespace_refused[1.0.0-tab]": "must fail",
                  "test_ifname_dot_refused[1.0.0-dotdot]": "must fail"}),
    Fault("leaks-on-bad-ifname", "bridge", "test_environment.py", ("1.0.0",),
          failed={"test_ifname_too_long_refused[1.0.0-16-bytes]": "container namespace gained links",
                  "test_ifname_colon_refused[1.0.0-colon]": "changed state"}),
    Fault("ifname-ignored", "bridge", "test_environment.py", ("1.0.0",),
          failed={"test_ifname_honored[1.0.0]": "must be named exactly CNI_IFNAME 'cninet7'"},
          warned={"test_ifname_15_bytes_accepted[1.0.0]": "named exactly"}),
    Fault("args-refuses-unknown", "bridge", "test_environment.py", ("0.4.0",),
          warned={"test_well_formed_cni_args_accepted[0.4.0-IgnoreUnknown=1;K8S_POD_NAMESPACE=cnitest;K8S_POD_NAME=pod0]": "should succeed",
                  "test_ignore_unknown_cni_args[0.4.0-IgnoreUnknown=true;CnitestUnknownKey=cnitest]": "should succeed"}),
    Fault("unknown-command-exit0", "host-local", "test_environment.py", ("0.4.0",),
          failed={"test_unknown_command_fails[0.4.0-BOGUS]": "it exited 0"}),
    Fault("path-crash", "bridge", "test_environment.py", ("1.0.0",),
          warned={"test_without_cni_path[1.0.0]": "must fail cleanly"}),
    # ---- errors
    Fault("error-no-json", "bridge", "test_errors.py", ("1.0.0",),
          warned={"test_failure_prints_error_object[1.0.0-not-json]": "expects an error object",
                  "test_failure_prints_error_object[1.0.0-no-containerid]": "expects an error object"}),
    Fault("error-exit-zero", "host-local", "test_errors.py", ("1.0.0",),
          failed={"test_failure_exits_nonzero[1.0.0-not-json]": "must exit non-zero",
                  "test_exit_zero_never_with_error_object[1.0.0-bad-version]": "printed an error object"}),
    Fault("error-bad-fields", "bridge", "test_errors.py", ("1.0.0",),
          warned={"test_error_object_has_code_and_msg[1.0.0-not-json]": "code must be an integer"}),
    Fault("error-wrong-codes", "host-local", "test_errors.py", ("1.0.0",),
          failed={"test_error_code_reserved_range[1.0.0-not-json]": "code 42",
                  "test_invalid_config_code_7[1.0.0-missing]": "got 100"},
          warned={"test_decode_failure_code_6[1.0.0-truncated-json]": "got 42"}),
    Fault("error-cniversion-wrong", "bridge", "test_errors.py", ("1.0.0",),
          warned={"test_error_object_cniversion[1.0.0-no-name]": "not '0.0.9'"}),
    Fault("unsupported-field-code2", "bridge", "test_errors.py", ("1.0.0",),
          failed={"test_unsupported_field_message[1.0.0]": "must name the field's key and value"}),
    # ---- stdout
    Fault("two-json", "bridge", "test_io.py", ("1.0.0",),
          failed={"test_stdout_single_json_document[1.0.0-lifecycle]": "more than one JSON document"}),
    # ---- config
    Fault("name-not-required", "host-local", "test_config.py", ("1.0.0",),
          warned={"test_name_required[1.0.0-ADD]": "should be refused"}),
    Fault("name-strict", "bridge", "test_config.py", ("1.0.0",),
          warned={"test_name_charset_accepted[1.0.0-punctuated]": "should be accepted"}),
    Fault("name-invalid-dirty", "host-local", "test_config.py", ("1.0.0",),
          warned={"test_name_outside_charset_refused_cleanly[1.0.0-space]": "with an error object"}),
    Fault("args-key-refused", "host-local", "test_config.py", ("0.4.0",),
          warned={"test_args_not_understood_ignored[0.4.0-labels]": "should be ignored"}),
]


def _run(fault: Fault, *extra: str):
    """Run exactly the tests the fault must trip (by node id), nothing else."""
    tests = [f"{SUITES / fault.suite}::{name}" for name in {**fault.failed, **fault.warned}]
    args = [f"--cni-version={v}" for v in fault.versions]
    return run_suite(FAULTS / fault.name / fault.plugin, *tests, *args, *extra)


def _expect(outcomes: dict[str, str], expected: dict[str, str], what: str, run, check_text: bool = True) -> None:
    for test, text in expected.items():
        assert test in outcomes, f"{test} did not {what}; outcomes: {run.outcomes}\n{run}"
        if check_text:
            assert text in outcomes[test], f"{test} did {what}, but its message lacks {text!r}:\n{outcomes[test][:3000]}"


@pytest.mark.parametrize("fault", FAULT_CASES, ids=[f.name for f in FAULT_CASES])
def test_faulty_plugin_caught(fault: Fault):
    require_go(fault.plugin)
    run = _run(fault)
    _expect(run.failed(), fault.failed, "fail", run)
    _expect(run.warned(), fault.warned, "warn", run, check_text=False)  # a warning's message is only the xfail reason
    assert run.returncode == (1 if fault.failed else 0), run
    if fault.warned:  # a SHOULD/MAY finding is a failure under --cni-strict, with the full message
        strict = _run(fault, "--cni-strict")
        _expect(strict.failed(), {**fault.failed, **fault.warned}, "fail under --cni-strict", strict)
        assert strict.returncode == 1, strict
