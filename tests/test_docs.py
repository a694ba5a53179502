"""docs/WRITING_TESTS.md and the README's fixture example work as written.

The ```python blocks that define tests are written, as they are, into one test
file per document and run with `pytest --cni-plugin` against Debian's Go
bridge at 1.0.0: every test in them must pass (and there must be as many as the
documents define, so a block that stops being collected is noticed). A block
without tests is a script: it is run with `DATA_DIR` set to a scratch directory
and must exit 0 and print an address.
"""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import require_go, run_suite

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "docs" / "WRITING_TESTS.md", ROOT / "README.md"]
FENCE = re.compile(r"^```python\n(.*?)^```[ \t]*$", re.M | re.S)
TEST_DEF = re.compile(r"^def (test_\w+)\(", re.M)


def python_blocks(doc: Path) -> list[str]:
    return FENCE.findall(doc.read_text())


def test_the_documents_have_examples():
    assert len([b for b in python_blocks(DOCS[0]) if TEST_DEF.search(b)]) >= 4
    assert any(TEST_DEF.search(b) for b in python_blocks(DOCS[1])), "the README lost its fixture example"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_example_tests_pass(doc: Path, tmp_path: Path):
    bridge = require_go("bridge")
    tests = [b for b in python_blocks(doc) if TEST_DEF.search(b)]
    names = [name for b in tests for name in TEST_DEF.findall(b)]
    module = tmp_path / f"test_{doc.stem.lower()}_examples.py"
    module.write_text("import pytest\n\n" + "\n\n".join(tests))
    run = run_suite(bridge, str(module), "--cni-version=1.0.0", "-p", "no:randomly")
    ran = {name.split("[", 1)[0]: outcome for name, (outcome, _msg) in run.outcomes.items()}
    assert sorted(ran) == sorted(names), f"collected {sorted(ran)}, the document defines {sorted(names)}\n{run!r}"
    assert set(ran.values()) == {"passed"}, f"{run.outcomes}\n{run!r}"
    assert run.returncode == 0, run


def test_the_script_example_runs(tmp_path: Path):
    require_go("bridge")
    scripts = [b for b in python_blocks(DOCS[0]) if not TEST_DEF.search(b)]
    assert len(scripts) == 1
    data = tmp_path / "data"
    data.mkdir()
    code = f"DATA_DIR = {str(data)!r}\n" + scripts[0]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ipaddress.ip_interface(done.stdout.strip())  # the address the ADD gave
