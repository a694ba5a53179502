"""The README's marked examples work as written.

A ```sh block right after `<!-- test: names=a,b,c -->` is run in one `bash -euo
pipefail`, in a scratch directory, with `cnitest` on PATH and its results cache in
the scratch directory. The names listed (namespaces, container ids, a network) are
made unique to this run, as whole words, so that the example can use short names and
still not meet another run's. A ```text block right after it is its whole stdout. Whatever happens, the namespaces are removed afterwards, and the
example must leave none of them, and no cached attachment, behind.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .conftest import require_go

README = Path(__file__).resolve().parent.parent / "README.md"
VENV_BIN = Path(sys.executable).parent
EXAMPLE = re.compile(r"^<!-- test: names=([\w,.-]+) -->\n```sh\n(.*?)^```\n(?:\s*\n(?:[^\n`][^\n]*\n)*?\s*```text\n(.*?)^```)?",
                     re.M | re.S)


def examples() -> list[tuple[list[str], str, str]]:
    """Each marked example as (names, script, expected stdout lines)."""
    return [(m.group(1).split(","), m.group(2), m.group(3) or "") for m in EXAMPLE.finditer(README.read_text())]


def test_the_readme_has_its_exec_example():
    found = examples()
    assert found, "no <!-- test: names=... --> example in the README"
    names, script, expected = found[0]
    assert {"ctr1", "lab"} <= set(names) and "cnitest exec GC" in script and expected.strip()


def unique(text: str, names: list[str], tag: str) -> str:
    return re.sub(r"\b(" + "|".join(map(re.escape, names)) + r")\b", lambda m: f"{m.group(1)}-{tag}", text)


def netns_names() -> set[str]:
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


@pytest.mark.skipif(os.geteuid() != 0, reason="the README's exec example needs root (network namespaces)")
@pytest.mark.parametrize("index", range(len(examples())))
def test_readme_example_runs_as_written(tmp_path, index):
    require_go("bridge")
    names, script, expected = examples()[index]
    tag = uuid.uuid4().hex[:6]
    ours = {f"{n}-{tag}" for n in names}
    results = tmp_path / "results"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CNI_"))}
    env.update(PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin')}", CNITEST_RESULTS_DIR=str(results))
    try:
        proc = subprocess.run(["bash", "-euo", "pipefail", "-c", unique(script, names, tag)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        left = (ours & netns_names(), [str(p) for p in results.rglob("*.json")])
    finally:
        for name in sorted(ours):
            subprocess.run([str(VENV_BIN / "cnitest"), "exec", "--cleanup", name], env=env, capture_output=True, check=False)
            subprocess.run(["ip", "netns", "delete", name], capture_output=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout == unique(expected, names, tag), f"the README promises this stdout:\n{expected}\nstderr:\n{proc.stderr[-3000:]}"
    assert left == (set(), []), "the example left a namespace or a cached attachment behind"
