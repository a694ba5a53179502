"""The report as one self-contained HTML page: inline CSS, no scripts, nothing fetched."""

from __future__ import annotations

from html import escape
from typing import Any

from . import model

__all__ = ["render_html"]

CSS = """
:root { --pass:#1a7f37; --pass-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9; --warning:#9a6700; --warning-bg:#fff8c5;
  --error:#8250df; --error-bg:#fbefff; --skip:#57606a; --skip-bg:#eaeef2; --na:#8c959f; --na-bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:#1f2328; background:#fff;
  margin:0 auto; padding:20px 28px 60px; max-width:1240px; }
h1 { font-size:24px; margin:0 0 4px; } h2 { font-size:20px; margin:32px 0 8px; border-bottom:1px solid #d0d7de; padding-bottom:4px; }
h3 { font-size:16px; margin:22px 0 8px; }
.sub { color:#57606a; margin:0 0 16px; }
table { border-collapse:collapse; margin:6px 0 14px; }
th, td { border:1px solid #d0d7de; padding:4px 8px; text-align:left; vertical-align:top; }
th { background:#f6f8fa; font-weight:600; }
table.meta th { width:160px; } table.meta td { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12.5px; word-break:break-all; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12.5px; }
pre { background:#f6f8fa; border:1px solid #d0d7de; border-radius:6px; padding:10px; overflow:auto; max-height:480px; white-space:pre; }
pre.msg { white-space:pre-wrap; word-break:break-word; }
.badge { display:inline-block; padding:1px 8px; border-radius:12px; font-weight:600; font-size:12.5px; }
.v-conforms { background:var(--pass-bg); color:var(--pass); } .v-does-not-conform { background:var(--fail); color:#fff; }
.v-inconclusive, .v-incomplete { background:var(--error-bg); color:var(--error); } .v-not-tested { background:var(--skip-bg); color:var(--skip); }
td.c { text-align:center; min-width:64px; font-weight:600; white-space:nowrap; }
.o-pass { background:var(--pass-bg); color:var(--pass); } .o-fail { background:var(--fail-bg); color:var(--fail); }
.o-warning { background:var(--warning-bg); color:var(--warning); } .o-error { background:var(--error-bg); color:var(--error); }
.o-skip { background:var(--skip-bg); color:var(--skip); } .o-not-applicable { background:var(--na-bg); color:var(--na); font-weight:400; }
.o-none { background:#fff; color:#d0d7de; font-weight:400; }
tr.group th { background:#eef1f4; text-transform:uppercase; font-size:11.5px; letter-spacing:.04em; color:#57606a; }
.lvl { font-size:11px; font-weight:700; padding:0 5px; border-radius:4px; margin-left:6px; }
.lvl-MUST { background:#ffebe9; color:#cf222e; } .lvl-SHOULD { background:#fff8c5; color:#9a6700; } .lvl-MAY { background:#eaeef2; color:#57606a; }
details.finding { border:1px solid #d0d7de; border-left:6px solid var(--skip); border-radius:6px; margin:8px 0; padding:0 12px; }
details.finding.fail { border-left-color:var(--fail); } details.finding.warning { border-left-color:var(--warning); }
details.finding.error { border-left-color:var(--error); }
details.finding > summary { cursor:pointer; padding:8px 0; font-weight:600; }
details.finding[open] > summary { border-bottom:1px solid #d0d7de; margin-bottom:8px; }
.rule { margin:6px 0 10px; } .rule .sec { color:#57606a; font-size:12.5px; }
.label { font-weight:600; margin:10px 0 2px; }
.legend span { margin-right:10px; }
.counts { color:#57606a; font-size:13px; }
ul.skips { margin:4px 0; padding-left:20px; color:#57606a; }
.verdict { border:1px solid #d0d7de; border-radius:8px; padding:10px 16px; margin:10px 0 16px; }
.verdict.does-not-conform { border-color:var(--fail); background:#fff8f7; }
.verdict h2 { border:0; margin:4px 0 8px; padding:0; }
ul.failed { margin:4px 0 6px; padding-left:20px; } ul.failed li { margin:2px 0; }
.perr { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size:12.5px; font-weight:400; color:#1f2328; }
.same { color:#57606a; font-size:12.5px; margin:4px 0; }
dl.legend-text { color:#57606a; font-size:12.5px; margin:4px 0 10px; } dl.legend-text dt { font-weight:600; float:left; clear:left; width:110px; }
dl.legend-text dd { margin:0 0 2px 120px; }
"""

SYMBOL = {"pass": "\u2714", "fail": "\u2718", "warning": "\u26a0", "error": "\u2620", "blocked": "\u29b8", "skip": "\u2013", "not-applicable": "n/a"}


def render_html(doc: dict[str, Any]) -> str:
    runs = doc["runs"]
    gen = doc["generated"]
    title = "CNI conformance report"
    if len(runs) == 1:
        title += f": {runs[0]['plugin']['name']}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        (
            f'<p class="sub">Written by cnitest {escape(gen["harness_version"])} on {escape(gen["date"])} '
            f"&middot; format <code>{escape(doc['format'])}</code></p>"
        ),
    ]
    if len(runs) > 1:
        out.append("<h2>Runs</h2><table><tr><th>#</th><th>plugin</th><th>path</th><th>versions</th><th>verdict</th></tr>")
        for i, run in enumerate(runs, 1):
            v = model.overall(run)
            out.append(
                f'<tr><td><a href="#run-{i}">{i}</a></td><td>{escape(run["plugin"]["name"])}</td><td><code>{escape(run["plugin"]["path"])}</code></td>'
                f"<td>{escape(', '.join(run['versions']))}</td><td>{_badge(v)}</td></tr>"
            )
        out.append("</table>")
    for i, run in enumerate(runs, 1):
        out.extend(_run(run, i, len(runs) > 1))
    out.append("</body></html>\n")
    return "\n".join(out)


def _badge(verdict: str) -> str:
    return f'<span class="badge v-{verdict}">{escape(model.VERDICT_TEXT[verdict])}</span>'


def _run(run: dict[str, Any], index: int, several: bool) -> list[str]:
    """One run: the verdict and the failures first (what a reader came for), then the rest."""
    p = run["plugin"]
    out = [f'<section id="run-{index}">']
    if several:
        out.append(f"<h2>{index}. {escape(p['name'])} {_badge(model.overall(run))}</h2>")
    groups = model.cause_groups(model.findings(run))
    out.extend(_verdict(run, index, groups))
    out.extend(_findings(run, index, groups))
    out.extend(_gate_summary(run))
    out.append("<h3>Run</h3>")
    out.extend(_meta(run))
    out.extend(_matrix(run))
    out.extend(_skips(run))
    out.append("</section>")
    return out


def _verdict(run: dict[str, Any], index: int, groups: list[list[dict[str, Any]]]) -> list[str]:
    """The verdict box: overall, per version, and the failed rules linking to their findings."""
    overall = model.overall(run)
    out = [f'<div class="verdict {overall}"><h2>Verdict: {_badge(overall)}</h2>']
    out.append("<table><tr><th>spec version</th><th>verdict</th><th>tests</th></tr>")
    for v in run["verdicts"]:
        label = "version-independent" if v["version"] == model.ANY_VERSION else v["version"]
        out.append(f"<tr><td>{escape(label)}</td><td>{_badge(v['verdict'])}</td><td class=\"counts\">{escape(model.counts_text(v['counts']))}</td></tr>")
    for title, part in (("profile checks", run["profile_checks"]), ("your tests (no cni_rule)", run.get("own_tests"))):
        if part and any(part["counts"].values()):
            out.append(f"<tr><td>{escape(title)}</td><td>{_badge(part['verdict'])}</td><td class=\"counts\">{escape(model.counts_text(part['counts']))}</td></tr>")
    out.append("</table>")
    failed = [g for g in groups if g[0]["outcome"] in ("fail", "error")]
    if failed:
        out.append(f'<div class="label">Failed ({sum(len(g) for g in failed)})</div><ul class="failed">')
        for n, g in enumerate(groups):
            if g[0]["outcome"] not in ("fail", "error"):
                continue
            t = g[0]
            version = f" @ {t['version']}" if t.get("version") else ""
            same = f' <span class="same">(+ {len(g) - 1} of the same cause)</span>' if len(g) > 1 else ""
            out.append(f'<li><a href="#finding-{index}-{n}"><code class="failed-rule">{escape(model.what_of(t))}</code></a>{escape(version)}: '
                       f'<span class="perr">{escape(model.plugin_error(t))}</span>{same}</li>')
        out.append("</ul>")
    warned = sum(len(g) for g in groups if g[0]["outcome"] == "warning")
    if warned:
        out.append(f'<div class="counts">{warned} warning(s) (SHOULD-level findings, not failures): listed below.</div>')
    out.append("</div>")
    return out


def _meta(run: dict[str, Any]) -> list[str]:
    p = run["plugin"]
    answer = p.get("version_answer")
    if answer is None:
        said = "(not asked)"
    elif answer.get("supported_versions") is not None:
        said = f"exit {answer['exit_code']}: supportedVersions {', '.join(answer['supported_versions'])}"
    else:
        said = f"exit {answer['exit_code']}: {answer['stdout'][:300]}"
    env = run["environment"]
    opts = run.get("options", {})
    meta = [
        ("plugin", p["path"]),
        ("sha256", p.get("sha256") or "(unreadable)"),
        ("VERSION answer", said),
        ("profile", f"{p.get('profile')} ({p.get('kind')}), config from {p.get('config') or 'profile'}"),
        ("spec versions tested", ", ".join(run["versions"]) or "(none)"),
        ("harness", f"cnitest {run['harness_version']}"),
        ("kernel", f"{env.get('kernel')} {env.get('machine', '')}"),
        ("date", run["date"]),
        ("duration", f"{run['duration']:.1f} s" + (f" on {opts['workers']} workers" if opts.get("workers") else "")),
        ("strict", "yes: SHOULD-level findings fail" if opts.get("strict") else "no: SHOULD-level findings are warnings"),
    ]
    return ['<table class="meta">' + "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in meta) + "</table>"]


def _matrix(run: dict[str, Any]) -> list[str]:
    cols = model.columns(run)
    out = ["<h3>Rules &times; spec versions</h3>"]
    out.append(
        '<p class="legend">'
        + "".join(f'<span class="badge o-{o}">{SYMBOL[o] if o != "not-applicable" else ""} {model.SHOW[o]}</span>' for o in model.OUTCOMES)
        + "</p>"
    )
    out.append(
        '<dl class="legend-text">'
        "<dt>rows</dt><dd>spec rules (with their level: MUST fails the run, SHOULD warns, MAY informs), then profile checks "
        "(what the profile promises, not the spec), then tests of your own.</dd>"
        "<dt>columns</dt><dd>one per spec version tested; <b>any</b>: tests that do not run per spec version "
        "(version-independent, e.g. the sandbox or VERSION checks).</dd>"
        "<dt>cells</dt><dd>the worst outcome of the tests there (fail, error, warning, pass, skip, n/a), with their "
        "number when more than one; hover for the counts. &middot;: no test of that rule at that version.</dd>"
        "<dt>outcomes</dt><dd>fail: a MUST not met; warning: a SHOULD not met; error: the harness could not judge; "
        "blocked: a precondition failed (a finding of the rule that judges it), so the test could not check its own rule; "
        "skip: not run (e.g. a kernel feature missing); n/a: the rule does not bind this version or plugin kind.</dd>"
        "</dl>"
    )
    out.append("<table class=\"matrix\"><tr><th>rule</th>" + "".join(f"<th>{escape(c)}</th>" for c in cols) + "</tr>")
    titles = {"rule": "Spec rules", "profile": "Profile checks (not spec rules)", "other": "Other tests"}
    group = None
    for row in run["matrix"]:
        if row["group"] != group:
            group = row["group"]
            out.append(f'<tr class="group"><th colspan="{len(cols) + 1}">{titles[group]}</th></tr>')
        head = escape(row["key"])
        if group == "rule":
            info = run["rules"].get(row["key"], {})
            level = info.get("level", "")
            head = f'<code title="{escape(info.get("text", ""))}">{head}</code><span class="lvl lvl-{escape(level)}">{escape(level)}</span>'
        cells = []
        for c in cols:
            cell = row["cells"].get(c)
            if not cell or cell["outcome"] is None:
                cells.append('<td class="c o-none">&middot;</td>')
                continue
            o = cell["outcome"]
            n = cell["counts"][o]
            extra = f" {n}" if n > 1 else ""
            tip = model.counts_text(cell["counts"])
            cells.append(f'<td class="c o-{o}" title="{escape(tip)}">{SYMBOL[o]}{extra}</td>')
        out.append(f"<tr><td>{head}</td>{''.join(cells)}</tr>")
    out.append("</table>")
    return out


def _findings(run: dict[str, Any], index: int, groups: list[list[dict[str, Any]]]) -> list[str]:
    """Failures (open) and warnings (closed), one box per cause; the others of a cause listed in it."""
    count = sum(len(g) for g in groups)
    out = [f"<h3>Failures and warnings ({count})</h3>"]
    if not groups:
        out.append("<p>None.</p>")
        return out
    for n, group in enumerate(groups):
        t = group[0]
        o = t["outcome"]
        version = f" @ {t['version']}" if t.get("version") else ""
        is_open = " open" if o in ("fail", "error") else ""
        out.append(f'<details class="finding {o}" id="finding-{index}-{n}"{is_open}><summary><span class="badge o-{o}">{SYMBOL[o]} {model.SHOW[o]}</span> '
                   f"<code>{escape(model.what_of(t))}</code>{escape(version)}: <span class=\"perr\">{escape(model.plugin_error(t))}</span>"
                   f' &mdash; <code class="sec">{escape(t["nodeid"])}</code></summary>')
        if len(group) > 1:
            out.append('<div class="label">Same cause (the same call failed with the same error)</div><ul class="same">')
            out.extend(f"<li><code>{escape(model.what_of(x))}</code>{escape(' @ ' + x['version'] if x.get('version') else '')} &mdash; "
                       f"<code>{escape(x['nodeid'])}</code></li>" for x in group[1:])
            out.append("</ul>")
        out.extend(_gate_html(t))
        for rid in t["rules"]:
            info = run["rules"].get(rid, {})
            out.append(
                f'<div class="rule"><code>{escape(rid)}</code><span class="lvl lvl-{escape(info.get("level", ""))}">{escape(info.get("level", ""))}</span> '
                f'<span class="sec">{escape(info.get("section", ""))}</span>'
                f'<div class="label">What the spec expects</div><div>{escape(info.get("text", ""))}</div>'
                + (f'<div class="sec">Note: {escape(info["notes"])}</div>' if info.get("notes") else "")
                + "</div>"
            )
        if t.get("profile_check"):
            out.append(f"<div class=\"label\">Profile check</div><div>{escape(t['profile_check'])} (what the profile promises, not a spec rule)</div>")
        message = model.clean_message(t.get("message") or "")
        out.append(f'<div class="label">What the plugin did</div><pre class="msg">{escape(message)}</pre>')
        if t.get("reproducer"):
            where = f" &mdash; <code>{escape(t['reproducer_file'])}</code>" if t.get("reproducer_file") else ""
            out.append(f'<div class="label">Reproducer (bash, as root; exit 1 while the fault shows){where}</div>' f"<pre>{escape(t['reproducer'])}</pre>")
        out.append("</details>")
    return out


def _skips(run: dict[str, Any]) -> list[str]:
    skipped = [t for t in run["tests"] if t["outcome"] in ("skip", "not-applicable")]
    if not skipped:
        return []
    out = [f'<details class="finding"><summary>Skipped and not applicable ({len(skipped)})</summary><ul class="skips">']
    for t in skipped:
        out.append(f"<li><code>{escape(t['nodeid'])}</code>: {escape(t.get('message') or '')}</li>")
    out.append("</ul></details>")
    return out


def _gate_html(t: dict[str, Any]) -> list[str]:
    """A finding's baseline or waiver status (model.gate_words)."""
    words = model.gate_words(t)
    if words is None:
        return []
    label, text = words
    return [f'<div class="label">{escape(label)}</div><div>{escape(text)}</div>']


def _gate_summary(run: dict[str, Any]) -> list[str]:
    gate = run.get("gate")
    if not gate:
        return []
    out = ["<h3>Baseline and waivers</h3><ul>"]
    if gate.get("baseline"):
        out.append(f"<li>baseline <code>{escape(gate['baseline'])}</code>: {gate['known']} known, {gate['new']} new, {len(gate['fixed'])} fixed</li>")
    out.extend(f"<li>fixed: <code>{escape(f)}</code></li>" for f in gate["fixed"])
    for w in gate["waivers"]:
        state = "EXPIRED (fails the run)" if w["expired"] else f"{w['matched']} waived"
        out.append(f"<li>waiver <code>{escape(w['rule'])}</code> {escape(state)}: {escape(w['reason'])}</li>")
    out.append("</ul>")
    return out
