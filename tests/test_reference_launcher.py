"""The reference plugins' launchers (reference_plugins.plugins_dir): the precompiled
bundle is used only while it matches the interpreter and every source, and the
plugin behaves the same whichever way it was loaded.

Each test works on a copy of the package in tmp_path, so editing a source there
never touches the checkout other tests run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import reference_plugins

PACKAGE = Path(reference_plugins.__file__).resolve().parent


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the package (sources only) under tmp_path, with its launchers written."""
    dest = tmp_path / "reference_plugins"
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns("bin", "__pycache__"))
    refresh(dest)
    return dest


def refresh(pkg: Path) -> None:
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(pkg.parent)!r}); "
                    "from reference_plugins import plugins_dir; plugins_dir()"], check=True)


def version(pkg: Path, *, importtime: bool = False) -> tuple[dict, bool]:
    """host-local VERSION's answer, and whether any module of the package was
    imported through the import system (not from the bundle)."""
    launcher = pkg / "bin" / "host-local"
    cmd = [sys.executable, "-I", "-S", "-X", "importtime", str(launcher)] if importtime else [str(launcher)]
    done = subprocess.run(cmd, input=b"{}", capture_output=True, env={"CNI_COMMAND": "VERSION"}, timeout=30)
    assert done.returncode == 0, done
    return json.loads(done.stdout), b"reference_plugins" in done.stderr


def test_bundle_is_used_when_fresh(copy):
    answer, imported = version(copy, importtime=True)
    assert answer["cniVersion"] == "1.1.0"
    assert not imported
    assert version(copy)[0] == answer  # through the shebang (-IS) too


def test_edited_source_is_run_not_the_stale_bundle(copy):
    skel = copy / "skel.py"
    skel.write_text(skel.read_text().replace('CURRENT_VERSION = "1.1.0"', 'CURRENT_VERSION = "9.9.9"'))
    answer, imported = version(copy, importtime=True)
    assert answer["cniVersion"] == "9.9.9" and imported
    refresh(copy)
    answer, imported = version(copy, importtime=True)
    assert answer["cniVersion"] == "9.9.9" and not imported


@pytest.mark.parametrize("damage", ["other-interpreter", "truncated", "missing"])
def test_unusable_bundle_falls_back_to_import(copy, damage):
    bundle = copy / "bin" / ".host-local.bundle"
    data = bundle.read_bytes()
    if damage == "other-interpreter":
        bundle.write_bytes((sys.hexversion + 1).to_bytes(4, "little") + data[4:])
    elif damage == "truncated":
        bundle.write_bytes(data[:len(data) // 2])
    else:
        bundle.unlink()
    answer, imported = version(copy, importtime=True)
    assert answer["cniVersion"] == "1.1.0" and imported
    refresh(copy)
    assert bundle.read_bytes() == data
