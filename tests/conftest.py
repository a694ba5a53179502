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
