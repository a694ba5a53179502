"""The report as one self-contained HTML page: inline CSS, no scripts, nothing fetched."""

from __future__ import annotations

from html import escape
from typing import Any

from . import model

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
    p = run["plugin"]
    out = [f'<section id="run-{index}">']
    if several:
        out.append(f"<h2>{index}. {escape(p['name'])} {_badge(model.overall(run))}</h2>")
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
    out.append('<table class="meta">' + "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in meta) + "</table>")

    out.append("<h3>Verdict per spec version</h3>")
    out.append("<table><tr><th>spec version</th><th>verdict</th><th>tests</th></tr>")
    for v in run["verdicts"]:
        label = "version-independent" if v["version"] == model.ANY_VERSION else v["version"]
        out.append(f"<tr><td>{escape(label)}</td><td>{_badge(v['verdict'])}</td><td class=\"counts\">{escape(model.counts_text(v['counts']))}</td></tr>")
    pc = run["profile_checks"]
    if any(pc["counts"].values()):
        out.append(f"<tr><td>profile checks</td><td>{_badge(pc['verdict'])}</td><td class=\"counts\">{escape(model.counts_text(pc['counts']))}</td></tr>")
    out.append("</table>")

    out.extend(_matrix(run))
    out.extend(_gate_summary(run))
    out.extend(_findings(run))
    out.extend(_skips(run))
    out.append("</section>")
    return out


def _matrix(run: dict[str, Any]) -> list[str]:
    cols = model.columns(run)
    out = ["<h3>Rules &times; spec versions</h3>"]
    out.append(
        '<p class="legend">'
        + "".join(f'<span class="badge o-{o}">{SYMBOL[o] if o != "not-applicable" else ""} {model.SHOW[o]}</span>' for o in model.OUTCOMES)
        + "</p>"
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


def _findings(run: dict[str, Any]) -> list[str]:
    found = model.findings(run)
    out = [f"<h3>Failures and warnings ({len(found)})</h3>"]
    if not found:
        out.append("<p>None.</p>")
        return out
    for t in found:
        o = t["outcome"]
        what = ", ".join(t["rules"]) or (f"profile check: {t['profile_check']}" if t.get("profile_check") else t["name"])
        version = f" @ {t['version']}" if t.get("version") else ""
        out.append(f'<details class="finding {o}"><summary><span class="badge o-{o}">{SYMBOL[o]} {model.SHOW[o]}</span> '
                   f"{escape(what)}{escape(version)} &mdash; <code>{escape(t['nodeid'])}</code></summary>")
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
        out.append(f'<div class="label">What the plugin did</div><pre class="msg">{escape(t.get("message") or "")}</pre>')
        if t.get("reproducer"):
            out.append('<div class="label">Reproducer (bash, as root)</div>' f"<pre>{escape(t['reproducer'])}</pre>")
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
    """A finding's baseline or waiver status (shown, never hidden)."""
    gate = t.get("gate")
    if not gate:
        return []
    if gate["status"] == "waived":
        w = gate["waiver"]
        until = f" (until {w['expires']})" if w.get("expires") else ""
        return [f'<div class="label">Waived ({escape(w["rule"])}){escape(until)}</div><div>{escape(w["reason"])}</div>']
    text = "known (baseline): does not fail the run" if gate["status"] == "known" else "new: not in the baseline"
    return [f'<div class="label">Baseline</div><div>{escape(text)}</div>']


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
