"""Spec-compliance reports: JSON/HTML/Markdown, xdist merging, reproducers that replay.

A small suite (SUITE below) is run in a subprocess against Debian's Go bridge and
against tests/plugins/lying-mac (a bridge that reports a MAC its interface does
not have), so every outcome appears: pass, fail, warning, skip, n/a and a
profile check.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from cnitest import report
from cnitest.report import model
from cnitest.runner import Invocation

from .conftest import FAULTY, require_go

SUITE = '''
import pytest
from cnitest import checks, rules


def _pick(level):
    """A rule of this level that binds interface plugins at every spec version."""
    return next(r.id for r in rules.RULES.values()
                if r.level == level and r.since == "0.1.0" and r.until is None and r.kinds & {"any", "interface"})


MUST, SHOULD = _pick("MUST"), _pick("SHOULD")


@pytest.mark.cni_rule(MUST)
def test_result_matches_kernel(cni, netconf, container_ns, cni_version, cni_ifname, cni_container_id):
    add = cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id)
    assert add.succeeded, f"ADD failed:\\n{add.describe()}"
    wrong = checks.kernel_mismatches(add.result, container_ns.snapshot(), cni_ifname, container_ns.path)
    assert not wrong, "the result says what the container does not hold:\\n- " + "\\n- ".join(wrong)
    cni.invoke("DEL", netconf, container_ns, cni_ifname, cni_container_id)


@pytest.mark.cni_rule(SHOULD)
def test_should_level_finding(cni, cni_version):
    inv = cni.invoke("VERSION", {"cniVersion": cni_version}, None, None, None)
    assert "noSuchField" in inv.result, "made-up SHOULD-level finding: the VERSION answer has no noSuchField"


@pytest.mark.cni_kinds("ipam")
@pytest.mark.cni_rule(MUST)
def test_only_for_ipam(cni_version):
    pass


@pytest.mark.cni_rule(MUST)
def test_skipped_on_purpose(cni_version):
    pytest.skip("skipped on purpose")


@pytest.mark.cni_profile_check("the bridge is in the host namespace")
def test_profile_bridge(cni, netconf, host_ns, container_ns, cni_version, cni_ifname, cni_container_id):
    cni.invoke("ADD", netconf, container_ns, cni_ifname, cni_container_id)
    assert host_ns.snapshot().link(netconf["bridge"]) is not None
'''

VERSIONS = ("0.4.0", "1.0.0")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def run_suite(tmp: Path, plugin: Path, *extra: str, formats: tuple[str, ...] = ("json", "html", "md")) -> tuple[subprocess.CompletedProcess[str], dict[str, Path]]:
    """Run SUITE against `plugin` in a subprocess; returns the process and the report paths."""
    suite = tmp / "suite"
    suite.mkdir(exist_ok=True)
    (suite / "test_sample.py").write_text(SUITE)
    paths = {fmt: tmp / f"report.{fmt}" for fmt in formats}
    cmd = [
        sys.executable, "-m", "pytest", str(suite), f"--cni-plugin={plugin}", "--cni-path=/usr/lib/cni",
        *(f"--cni-version={v}" for v in VERSIONS), "-p", "no:cacheprovider", f"--basetemp={tmp / 'bt'}",
        *(f"--cni-report={p}" for p in paths.values()), *extra,
    ]
    proc = subprocess.run(cmd, cwd=tmp, check=False, capture_output=True, text=True, timeout=300)
    return proc, paths


def lying_bridge(tmp: Path) -> Path:
    """tests/plugins/lying-mac installed under the name `bridge` (so the bridge profile applies)."""
    require_go("bridge")
    d = tmp / "lying"
    d.mkdir(exist_ok=True)
    plugin = d / "bridge"
    shutil.copy(FAULTY / "lying-mac", plugin)
    plugin.chmod(0o755)
    return plugin


@pytest.fixture(scope="module")
def lying_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict[str, Path]]:
    tmp = tmp_path_factory.mktemp("lying")
    return run_suite(tmp, lying_bridge(tmp))


def by_name(doc: dict, name: str, version: str) -> dict:
    return next(t for t in doc["runs"][0]["tests"] if t["name"] == name and t["version"] == version)


def test_reports_of_a_faulty_plugin(lying_run):
    proc, paths = lying_run
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for p in paths.values():
        assert p.is_file(), f"{p} not written\n{proc.stdout}"
    doc = json.loads(paths["json"].read_text())
    assert doc["format"] == "cnitest-report/1"
    assert report.validate(doc) == []
    run = doc["runs"][0]
    assert run["plugin"]["name"] == "bridge" and len(run["plugin"]["sha256"]) == 64
    assert run["plugin"]["version_answer"]["supported_versions"]
    assert run["versions"] == list(VERSIONS)
    for v in VERSIONS:
        fail = by_name(doc, "test_result_matches_kernel", v)
        assert fail["outcome"] == "fail"
        assert "0a:58:de:ad:be:ef" in fail["message"]
        assert "ip netns add" in fail["reproducer"] and "CNI_COMMAND=ADD" in fail["reproducer"]
        warn = by_name(doc, "test_should_level_finding", v)
        assert warn["outcome"] == "warning" and "noSuchField" in warn["message"]
        assert by_name(doc, "test_only_for_ipam", v)["outcome"] == "not-applicable"
        skip = by_name(doc, "test_skipped_on_purpose", v)
        assert skip["outcome"] == "skip" and skip["message"] == "skipped on purpose"
        assert by_name(doc, "test_profile_bridge", v)["outcome"] == "pass"
    verdicts = {v["version"]: v for v in run["verdicts"]}
    assert set(verdicts) == set(VERSIONS)
    for v in VERSIONS:
        assert verdicts[v]["verdict"] == "does-not-conform"
        assert verdicts[v]["counts"] == {"pass": 0, "fail": 1, "warning": 1, "error": 0, "blocked": 0, "skip": 1, "not-applicable": 1}
    assert run["profile_checks"]["counts"]["pass"] == 2
    groups = {row["group"] for row in run["matrix"]}
    assert groups == {"rule", "profile"}
    must = by_name(doc, "test_result_matches_kernel", "1.0.0")["rules"][0]
    assert run["rules"][must]["level"] == "MUST" and run["rules"][must]["text"]
    # terminal summary: one line per version with its verdict
    for v in VERSIONS:
        assert re.search(rf"spec {re.escape(v)}\s+does not conform\s+0 pass, 1 fail, 1 warning, 1 skip, 1 n/a", proc.stdout), proc.stdout
    md = paths["md"].read_text()
    assert "does not conform" in md and must in md and "```sh" in md and len(md) < 65536
    html = paths["html"].read_text()
    assert "<details" in html and "0a:58:de:ad:be:ef" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "the HTML must not load anything from the network"
    assert "<script" not in html


def test_report_of_a_conforming_plugin(tmp_path):
    proc, paths = run_suite(tmp_path, require_go("bridge"), "-k", "not should_level", formats=("json",))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = report.load(paths["json"])
    run = doc["runs"][0]
    assert [v["verdict"] for v in run["verdicts"]] == ["conforms", "conforms"]
    assert {t["outcome"] for t in run["tests"]} == {"pass", "skip", "not-applicable"}
    assert all(t["reproducer"] is None for t in run["tests"])
    assert re.search(r"spec 1\.0\.0\s+conforms\s+1 pass, 0 fail, 1 skip, 1 n/a", proc.stdout), proc.stdout


def test_xdist_workers_merge_into_one_report(tmp_path):
    pytest.importorskip("xdist")
    proc, paths = run_suite(tmp_path, lying_bridge(tmp_path), "-n", "2", f"--junitxml={tmp_path / 'junit.xml'}", formats=("json", "html"))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    import xml.etree.ElementTree as ET

    props = [p.get("value") for p in ET.parse(tmp_path / "junit.xml").iter("property") if p.get("name") == "cnitest"]
    assert props and all(isinstance(json.loads(v), dict) for v in props), "JUnit properties are JSON under xdist too"
    doc = report.load(paths["json"])
    run = doc["runs"][0]
    assert len(run["tests"]) == 5 * len(VERSIONS)
    assert {t["worker"] for t in run["tests"]} <= {"gw0", "gw1"} and len({t["worker"] for t in run["tests"]}) == 2
    assert run["options"]["workers"] == 2
    fails = [t for t in run["tests"] if t["outcome"] == "fail"]
    assert len(fails) == 2 and all("ip netns exec" in t["reproducer"] for t in fails)
    assert run["plugin"]["version_answer"] is not None
    assert proc.stdout.count("report written") == 2


def test_bad_report_extension_is_a_usage_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", f"--cni-plugin={require_go('bridge')}", f"--cni-report={tmp_path / 'r.txt'}", "-p", "no:cacheprovider"],
        cwd=tmp_path, check=False, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 4
    assert "--cni-report" in proc.stderr and ".html" in proc.stderr


def test_reproducer_replays_the_fault(lying_run, tmp_path):
    """Run as a script, the reproducer shows the lie: the ADD result's MAC is not eth0's.

    The calls end as in the failing run (exit 1: a fault only the kernel's state shows
    still ends every call the same); its namespaces are gone afterwards."""
    _, paths = lying_run
    doc = json.loads(paths["json"].read_text())
    script = by_name(doc, "test_result_matches_kernel", "1.0.0")["reproducer"]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc = subprocess.run(["bash", "-c", script], cwd=scratch, check=False, capture_output=True, text=True, timeout=60)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert '"mac": "0a:58:de:ad:be:ef"' in out or '"mac":"0a:58:de:ad:be:ef"' in out.replace(" ", ""), out
    eth0 = re.search(r"^eth0@\S+\s+\S+\s+([0-9a-f:]{17})", out, re.MULTILINE)
    assert eth0, f"the script did not show the container's eth0:\n{out}"
    assert eth0.group(1) != "0a:58:de:ad:be:ef", "the kernel holds another MAC than the result says: the same fault"
    assert re.search(r"=== 1/\d+ ADD ended: exit 0, one JSON document", out), out
    names = re.search(r"=== namespaces: (.*) \(deleted on exit\)", out).group(1).split()
    listed = subprocess.run(["ip", "netns", "list"], check=False, capture_output=True, text=True).stdout
    assert not any(n in listed for n in names), "the reproducer must delete its namespaces"


def test_invocation_reproducer_names_namespaces_and_quotes():
    inv = Invocation(
        verb="ADD", plugin="/opt/cni/bin/my plugin", host_ns="host", cni_version="1.0.0",
        env={"PATH": "/usr/bin", "CNI_COMMAND": "ADD", "CNI_NETNS": "/proc/123/fd/7", "CNI_ARGS": "A=$HOME;B=`x`"},
        stdin=json.dumps({"cniVersion": "1.0.0", "prevResult": {"interfaces": [{"sandbox": "/proc/123/fd/7"}]}, "x": "$HOME `id` \\n"}).encode(),
    )
    line = inv.reproducer()
    assert "/proc/123" not in line
    assert line.count("/var/run/netns/cnitest-cont") == 2
    assert line.startswith("ip netns exec cnitest-host env -i ")
    # the shell must hand the plugin exactly the bytes the harness sent (with the path renamed)
    echo = line.replace("'/opt/cni/bin/my plugin'", "sh -c 'printf %s \"$CNI_ARGS\"; echo; cat'").replace("ip netns exec cnitest-host ", "")
    out = subprocess.run(["bash", "-c", echo], check=False, capture_output=True, text=True, timeout=10).stdout
    args, _, body = out.partition("\n")
    assert args == "A=$HOME;B=`x`"
    assert json.loads(body)["x"] == "$HOME `id` \\n"
    assert json.loads(body)["prevResult"]["interfaces"][0]["sandbox"] == "/var/run/netns/cnitest-cont"
    raw = Invocation(verb="ADD", plugin="/p", host_ns="h", cni_version=None, env={}, stdin=b"\xff\xfe{")
    assert raw.reproducer().startswith("printf '\\xff\\xfe{' | ")


def test_merge_recomputes_and_validates(lying_run, tmp_path):
    _, paths = lying_run
    one = report.load(paths["json"])
    merged = report.merge([one, one])
    assert report.validate(merged) == []
    assert len(merged["runs"]) == 2
    html = report.render(merged, "html")
    assert html.count('<section id="run-') == 2
    with pytest.raises(report.ReportError):
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({"format": "cnitest-report/1", "runs": "nope"}))
        report.load(bad)


def test_model_verdicts():
    assert model.verdict({"pass": 3, "fail": 0}) == "conforms"
    assert model.verdict({"pass": 3, "warning": 1}) == "conforms"
    assert model.verdict({"pass": 3, "error": 1}) == "inconclusive"
    assert model.verdict({"pass": 3, "error": 1, "fail": 1}) == "does-not-conform"
    assert model.verdict({"skip": 2, "not-applicable": 1}) == "not-tested"


# --- HTML in a real browser ----------------------------------------------------


def png_colours(data: bytes) -> int:
    """How many distinct colours an 8-bit RGB(A) PNG holds (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = depth = ctype = 0
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            depth, ctype = body[8], body[9]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and ctype in (2, 6), f"unexpected PNG type {ctype}/{depth}"
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours: set[bytes] = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 3 == 0:
            colours.update(bytes(line[i : i + 3]) for i in range(0, stride, bpp * 2))
        prev = line
    return len(colours)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (Debian package 'chromium'; .ci/run installs it)")


def test_html_renders_in_chromium(lying_run, tmp_path):
    browser = chromium()
    _, paths = lying_run
    url = paths["html"].resolve().as_uri()
    shot = tmp_path / "shot.png"
    common = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([*common, f"--screenshot={shot}", "--window-size=1280,900", url], check=False, capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 5000, "Chromium wrote no screenshot"
    colours = png_colours(shot.read_bytes())
    assert colours > 20, f"the rendered page looks blank ({colours} colours)"
    dom = subprocess.run([*common, "--dump-dom", url], check=False, capture_output=True, text=True, timeout=120).stdout
    assert 'class="finding fail"' in dom and "test_result_matches_kernel[1.0.0]" in dom
    assert "What the plugin did" in dom and "does not conform" in dom


PROBE = """<script>
window.addEventListener("load", () => {
  const h = window.innerHeight;
  const seen = [...document.querySelectorAll("code.failed-rule")].map(e => {
    const r = e.getBoundingClientRect();
    return {text: e.textContent, top: r.top, bottom: r.bottom, visible: r.bottom > 0 && r.bottom <= h && r.width > 0};
  });
  const matrix = document.querySelector("table.matrix").getBoundingClientRect().top;
  const meta = document.querySelector("table.meta").getBoundingClientRect().top;
  const p = document.createElement("pre");
  p.id = "probe";
  p.textContent = JSON.stringify({height: h, seen, matrix, meta});
  document.body.appendChild(p);
});
</script>"""


def test_first_screen_of_a_failing_run_shows_the_failed_rules(lying_run, tmp_path):
    """In headless Chromium at 1280x800, the failed rule ids are on the first screen, above the metadata and the matrix."""
    browser = chromium()
    _, paths = lying_run
    doc = json.loads(paths["json"].read_text())
    failed = {r for t in doc["runs"][0]["tests"] if t["outcome"] == "fail" for r in t["rules"]}
    assert failed
    probed = tmp_path / "probed.html"
    probed.write_text(paths["html"].read_text().replace("</body>", PROBE + "</body>"))
    dom = subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,800",
                          "--virtual-time-budget=3000", "--dump-dom", probed.resolve().as_uri()],
                         check=False, capture_output=True, text=True, timeout=120).stdout
    m = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert m, f"the probe did not run:\n{dom[-2000:]}"
    probe = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    visible = {s["text"] for s in probe["seen"] if s["visible"]}
    assert failed <= visible, probe
    first_bottom = max(s["bottom"] for s in probe["seen"])
    assert first_bottom < probe["meta"] < probe["matrix"], probe
    html = paths["html"].read_text()
    assert "Invocation(" not in html and "+  where" not in html
    assert "<b>any</b>: tests that do not run per spec version" in html
    assert '<span class="perr">the result says what the container does not hold:</span>' in html, "the summary line holds the error"


def test_a_message_shows_the_plugin_output_as_formatted_json():
    """describe() (every failure message, so every format) prints a JSON document indented, whole, not a cut repr."""
    from cnitest.runner import _interpret

    doc = {"cniVersion": "1.0.0", "interfaces": [{"name": f"eth{i}", "mac": "0a:58:de:ad:be:ef"} for i in range(40)]}
    inv = Invocation(verb="ADD", plugin="/p", env={}, stdin=b"{}", host_ns="h", cni_version="1.0.0", exit_code=0,
                     stdout=json.dumps(doc).encode())
    _interpret(inv, "result")
    text = inv.describe()
    assert "  stdout (JSON):\n    {\n      \"cniVersion\": \"1.0.0\"," in text, text
    assert '"name": "eth39"' in text and "bytes in all" not in text and "\\n" not in text
    raw = Invocation(verb="ADD", plugin="/p", env={}, stdin=b"{}", host_ns="h", cni_version="1.0.0", exit_code=0, stdout=b"not json\x00")
    _interpret(raw, "result")
    assert "stdout: 'not json\\x00'" in raw.describe()
