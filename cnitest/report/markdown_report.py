"""The report as Markdown for a pull-request comment: verdicts, findings, a compact matrix.

The findings come before the matrix (what a reader acts on first), one per
cause. GitHub caps a comment at 65,536 characters; reproducers and long
messages are cut first, then the end of the comment, so the verdicts always fit.
"""

from __future__ import annotations

from html import escape
from typing import Any

from . import model

__all__ = ["render_markdown"]

LIMIT = 60_000
EMOJI = {"pass": "✅", "fail": "❌", "warning": "⚠️", "error": "💥", "blocked": "⛔", "skip": "⏭️", "not-applicable": "➖", None: "·"}
VERDICT = {"conforms": "✅ conforms", "does-not-conform": "❌ **does not conform**", "inconclusive": "💥 inconclusive", "incomplete": "⏹ incomplete (run interrupted)", "not-tested": "➖ not tested"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _fence(text: str, lang: str = "") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


def render_markdown(doc: dict[str, Any]) -> str:
    for message_limit, with_reproducers in ((4000, True), (1500, True), (800, False), (300, False)):
        text = _render(doc, message_limit, with_reproducers)
        if len(text) <= LIMIT:
            return text
    return text[: LIMIT - 60] + "\n\n… (cut to fit a comment; see the HTML or JSON report)\n"


def _render(doc: dict[str, Any], message_limit: int, with_reproducers: bool) -> str:
    runs = doc["runs"]
    out = ["## CNI conformance (cnitest)", ""]
    if len(runs) > 1:
        out += ["| # | plugin | versions | verdict |", "|---|---|---|---|"]
        for i, run in enumerate(runs, 1):
            out.append(f"| {i} | `{_cell(run['plugin']['name'])}` | {', '.join(run['versions'])} | {VERDICT[model.overall(run)]} |")
        out.append("")
    for i, run in enumerate(runs, 1):
        p = run["plugin"]
        prefix = f"{i}. " if len(runs) > 1 else ""
        sha = (p.get("sha256") or "")[:12]
        out.append(f"### {prefix}`{p['name']}` — {VERDICT[model.overall(run)]}")
        out.append("")
        out.append(
            f"`{p['path']}` (sha256 {sha}…), profile {p.get('profile')} ({p.get('kind')}); "
            f"cnitest {run['harness_version']}, kernel {run['environment'].get('kernel')}, {run['date']}, {run['duration']:.0f} s"
        )
        out.append("")
        out += ["| spec | verdict | tests |", "|---|---|---|"]
        for v in run["verdicts"]:
            label = "any" if v["version"] == model.ANY_VERSION else v["version"]
            out.append(f"| {label} | {VERDICT[v['verdict']]} | {model.counts_text(v['counts'])} |")
        pc = run["profile_checks"]
        if any(pc["counts"].values()):
            out.append(f"| profile checks | {VERDICT[pc['verdict']]} | {model.counts_text(pc['counts'])} |")
        own = run.get("own_tests")
        if own and any(own["counts"].values()):
            out.append(f"| your tests (no cni_rule) | {VERDICT[own['verdict']]} | {model.counts_text(own['counts'])} |")
        out.append("")
        out.extend(_gate_summary(run))
        found = model.findings(run)
        if found:
            out.append(f"#### Failures and warnings ({len(found)})")
            out.append("")
        for group in model.cause_groups(found):
            t = group[0]
            what = ", ".join(f"`{r}`" for r in t["rules"]) or (f"profile check {t['profile_check']}" if t.get("profile_check") else t["name"])
            version = f" @ {t['version']}" if t.get("version") else ""
            error = escape(model.plugin_error(t, 160))
            out.append(f"<details><summary>{EMOJI[t['outcome']]} {model.SHOW[t['outcome']]}: {what}{version}: {error} — <code>{escape(t['nodeid'])}</code></summary>")
            out.append("")
            if len(group) > 1:
                out.append("Same cause (the same call failed with the same error): "
                           + ", ".join(f"{model.what_of(x)}{' @ ' + x['version'] if x.get('version') else ''} (`{x['nodeid']}`)" for x in group[1:]))
                out.append("")
            out.extend(_gate_md(t))
            for rid in t["rules"]:
                info = run["rules"].get(rid, {})
                out.append(f"- **{rid}** ({info.get('level', '')}, {info.get('section', '')}): {info.get('text', '')}")
            out.append("")
            message = model.clean_message(t.get("message") or "")
            if len(message) > message_limit:
                message = message[:message_limit] + "\n… (cut)"
            out.append("What the plugin did:")
            out.append("")
            out.append(_fence(message))
            if with_reproducers and t.get("reproducer"):
                out.append("")
                out.append("Reproducer (bash, as root; exits 1 while the fault shows):")
                out.append("")
                out.append(_fence(t["reproducer"], "sh"))
            out.append("</details>")
            out.append("")
        cols = model.columns(run)
        out.append("<details><summary>Rules × versions</summary>")
        out.append("")
        out.append("| rule | " + " | ".join(cols) + " |")
        out.append("|---|" + "---|" * len(cols))
        for row in run["matrix"]:
            key = row["key"]
            if row["group"] == "rule":
                level = run["rules"].get(key, {}).get("level", "")
                label = f"`{key}` {level}"
            elif row["group"] == "profile":
                label = f"profile: {_cell(key)}"
            else:
                label = _cell(key)
            cells = [EMOJI[(row["cells"].get(c) or {}).get("outcome")] for c in cols]
            out.append(f"| {label} | " + " | ".join(cells) + " |")
        out.append("")
        out.append("✅ pass ❌ fail ⚠️ warning (SHOULD) 💥 harness error ⏭️ skip ➖ n/a (the rule does not bind here) · no test. "
                   "One column per spec version tested; **any**: tests that do not run per spec version. "
                   "A cell shows the worst outcome of its tests.")
        out.append("</details>")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _gate_md(t: dict[str, Any]) -> list[str]:
    """A finding's baseline or waiver status (model.gate_words)."""
    words = model.gate_words(t)
    if words is None:
        return []
    label, text = words
    return [f"- **{label}**: {_cell(text)}"]


def _gate_summary(run: dict[str, Any]) -> list[str]:
    gate = run.get("gate")
    if not gate:
        return []
    out = ["#### Baseline and waivers", ""]
    if gate.get("baseline"):
        out.append(f"- baseline `{gate['baseline']}`: {gate['known']} known, {gate['new']} new, {len(gate['fixed'])} fixed")
    out.extend(f"- fixed: `{_cell(f)}`" for f in gate["fixed"])
    for w in gate["waivers"]:
        state = "**expired** (fails the run)" if w["expired"] else f"{w['matched']} waived"
        out.append(f"- waiver `{w['rule']}` {state}: {_cell(w['reason'])}")
    return [*out, ""]
