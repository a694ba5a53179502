"""Spec-compliance reports: one JSON format, rendered as HTML or Markdown.

    pytest --cni-plugin=./bridge --cni-report=out.html --cni-report=out.json
    cnitest report merge a.json b.json -o all.html

The JSON format ("cnitest-report/1") is the source of truth; its JSON Schema is
report_schema.json beside this module (`schema()`), and every report this
package writes validates against it. HTML and Markdown are views of it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .model import FORMAT, document

__all__ = ["FORMAT", "ReportError", "document", "load", "merge", "render", "schema", "validate", "write"]


class ReportError(ValueError):
    """A file is not a cnitest report, or a report cannot be written in the asked format."""


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of the report format."""
    return json.loads(resources.files(__package__).joinpath("report_schema.json").read_text())


def validate(doc: Any) -> list[str]:
    """Readable reasons why `doc` is not a valid report; empty when it is."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema())
    out = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        out.append(f"{where}: {err.message}")
    return out


def render(doc: dict[str, Any], fmt: str) -> str:
    """The report as text in `fmt`: json, html or md."""
    fmt = fmt.lower().lstrip(".")
    if fmt == "json":
        return json.dumps(doc, indent=2, sort_keys=False) + "\n"
    if fmt == "html":
        from .html_report import render_html

        return render_html(doc)
    if fmt in ("md", "markdown"):
        from .markdown_report import render_markdown

        return render_markdown(doc)
    raise ReportError(f"unknown report format {fmt!r} (want .html, .json or .md)")


def write(doc: dict[str, Any], path: str | Path) -> Path:
    """Write `doc` to `path` in the format its extension names."""
    path = Path(path)
    text = render(doc, path.suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    # errors=: a plugin's text may hold a lone surrogate ("\ud800" in its JSON), which UTF-8 cannot encode
    path.write_text(text, encoding="utf-8", errors="backslashreplace")
    return path


def load(path: str | Path) -> dict[str, Any]:
    """Read a JSON report and check it against the schema; ReportError says why not."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ReportError(f"{path}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        found = doc.get("format") if isinstance(doc, dict) else None
        raise ReportError(f"{path}: not a {FORMAT} report (format: {found!r})")
    problems = validate(doc)
    if problems:
        raise ReportError(f"{path}: does not match the report schema: " + "; ".join(problems[:5]))
    return doc


def merge(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """One report holding every run of `docs` (a CI matrix over plugins or versions)."""
    return document(run for doc in docs for run in doc["runs"])
