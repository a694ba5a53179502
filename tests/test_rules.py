"""Sanity of the rule catalog (cnitest/rules.py)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from cnitest import rules, versions
from cnitest.rules import RULES, Rule, applies, get

ALL = list(RULES.values())


def test_catalog_is_substantial() -> None:
    assert len(ALL) >= 90
    assert len(rules.testable()) >= 70


def test_ids_unique_and_keys_match() -> None:
    ids = [r.id for r in ALL]
    assert len(ids) == len(set(ids))
    for key, rule in RULES.items():
        assert key == rule.id


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.id)
def test_id_well_formed(rule: Rule) -> None:
    assert rules.ID_PATTERN.fullmatch(rule.id), rule.id
    assert rule.id == rule.id.lower()
    assert len(rule.id) <= 60


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.id)
def test_fields_valid(rule: Rule) -> None:
    assert rule.level in rules.LEVELS
    assert rule.kinds, "a rule binds at least one kind"
    assert rule.kinds <= set(rules.KINDS)
    assert not ("any" in rule.kinds and len(rule.kinds) > 1), "'any' already covers every kind"
    assert rule.text.strip() and "\n" not in rule.text
    assert rule.section.startswith(("Section 1: ", "Section 2: ", "Section 3: ", "Section 4: ",
                                    "Section 5: ", "CONVENTIONS.md > ", "cnitest > "))


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.id)
def test_versions_known_and_ordered(rule: Rule) -> None:
    assert rule.since in versions.KNOWN
    if rule.until is not None:
        assert rule.until in versions.KNOWN
        assert versions.at_least(rule.until, rule.since)
    # every rule binds at least the version it starts at
    assert applies(rule, rule.since)


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.id)
def test_untestable_has_reason(rule: Rule) -> None:
    if rule.testable:
        assert rule.untestable_why == ""
    else:
        assert len(rule.untestable_why.strip()) >= 15


def test_testable_list() -> None:
    got = rules.testable()
    assert all(r.testable for r in got)
    assert [r.id for r in got] == [r.id for r in ALL if r.testable]
    assert any(not r.testable for r in ALL)


def test_rules_is_read_only() -> None:
    with pytest.raises(TypeError):
        RULES["x.y"] = ALL[0]  # type: ignore[index]


def test_rule_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        ALL[0].level = "MAY"  # type: ignore[misc]


# -- applies() at version boundaries ------------------------------------------------


def test_check_rule_starts_at_040() -> None:
    r = get("check.after-add-succeeds")
    assert not applies(r, "0.3.1")
    assert applies(r, "0.4.0")
    assert applies(r, "1.1.0")


def test_gc_rule_only_at_110() -> None:
    r = get("gc.keeps-valid")
    for v in versions.KNOWN:
        assert applies(r, v) == (v == "1.1.0"), v


def test_until_is_inclusive() -> None:
    r = get("add.result.ips-version")  # 0.3.0 .. 0.4.0
    assert [v for v in versions.KNOWN if applies(r, v)] == ["0.3.0", "0.3.1", "0.4.0"]
    legacy = get("add.result.legacy-shape")  # 0.1.0 .. 0.2.0
    assert [v for v in versions.KNOWN if applies(legacy, v)] == ["0.1.0", "0.2.0"]
    old_check = get("check.old-version-rejected")
    assert applies(old_check, "0.3.1") and not applies(old_check, "0.4.0")


def test_split_rules_do_not_overlap() -> None:
    for old, new in [("add.result.ips-version", "add.result.ips-version-dropped"),
                     ("ipam.result.no-interfaces", "ipam.result.abbreviated"),
                     ("chain.prevresult.echo-legacy", "chain.prevresult.echo")]:
        for v in versions.KNOWN:
            assert not (applies(get(old), v) and applies(get(new), v)), (old, new, v)


def test_future_version_keeps_open_rules() -> None:
    assert applies(get("del.idempotent"), "1.2.0")
    assert not applies(get("add.result.ips-version"), "1.2.0")


def test_applies_by_kind() -> None:
    generic = get("del.idempotent")  # any
    assert all(applies(generic, "1.0.0", k) for k in rules.KINDS)
    iface = get("add.ifname-exists-fails")  # interface only
    assert applies(iface, "1.0.0", "interface")
    assert not applies(iface, "1.0.0", "ipam")
    assert not applies(iface, "1.0.0", "chained")
    assert not applies(iface, "1.0.0", "any")  # unknown kind: generic rules only
    assert applies(iface, "1.0.0")  # no kind given: kinds ignored
    ipam = get("ipam.result.abbreviated")
    assert applies(ipam, "1.1.0", "ipam") and not applies(ipam, "1.1.0", "interface")


def test_applies_rejects_bad_input() -> None:
    r = get("del.idempotent")
    with pytest.raises(ValueError):
        applies(r, "1.0", None)
    with pytest.raises(ValueError):
        applies(r, "1.0.0", "bogus")


def test_select_matches_applies() -> None:
    for v in versions.KNOWN:
        for kind in (None, "interface", "ipam", "chained"):
            got = rules.select(v, kind)
            assert got == [r for r in ALL if r.testable and applies(r, v, kind)]
    assert not any(r.id.startswith(("gc.", "status.")) and not r.id.endswith("old-version-rejected")
                   for r in rules.select("1.0.0"))


# -- get() ---------------------------------------------------------------------------


def test_get_known() -> None:
    assert get("del.idempotent").id == "del.idempotent"


def test_get_unknown_names_close_ids() -> None:
    with pytest.raises(KeyError) as exc:
        get("del.idempotnt")
    msg = str(exc.value)
    assert "del.idempotnt" in msg and "del.idempotent" in msg


def test_get_unknown_without_match_lists_areas() -> None:
    with pytest.raises(KeyError) as exc:
        get("zzzz")
    assert "areas" in str(exc.value) and "add" in str(exc.value)


# -- coverage of the areas the harness relies on -------------------------------------

REQUIRED_IDS = [
    "add.result.cniversion-matches", "env.ifname.length", "del.idempotent",
    "check.after-add-succeeds", "error.code.incompatible-version",
    "version.result.shape", "version.result.cniversion-matches-input", "version.input.unsupported-still-answers",
    "env.ifname.no-slash", "env.ifname.not-dot", "env.ifname.no-whitespace", "env.containerid.valid-accepted",
    "env.args.ignore-unknown", "env.path.optional", "error.exit.nonzero", "error.exit.zero-without-error",
    "io.stdout.single-json", "add.ifname-exists-fails", "add.result.sandbox-present",
    "add.result.ips-interface-index", "add.result.ips-version", "add.result.ips-version-dropped",
    "add.same-container-other-ifname", "del.without-add", "del.netns-gone", "del.netns-empty",
    "del.removes-interface", "del.releases-ipam", "chain.prevresult.no-dropping",
    "delegate.gc.invoked", "delegate.status.invoked", "gc.keeps-valid", "gc.releases-stale",
    "status.ready-succeeds", "error.code.status-unavailable", "config.name.required",
    "dns.result.shape", "route.result.shape", "cap.port-mappings",
]


@pytest.mark.parametrize("rule_id", REQUIRED_IDS)
def test_required_ids_present(rule_id: str) -> None:
    assert rule_id in RULES


def test_error_codes_covered() -> None:
    text = " ".join(r.text + " " + r.notes for r in ALL if r.area == "error").lower()
    for code in ("code 1", "code 2", "code 3", "code 4", "code 5", "code 6", "code 7", "code 11", "50", "51"):
        assert code in text, code


def test_go_departures_recorded() -> None:
    def notes(rid: str) -> str:
        return get(rid).notes
    assert "Go departure" in notes("version.result.cniversion-matches-input")
    assert "CNI_PATH" in notes("env.path.optional") and "Go departure" in notes("env.path.optional")
    assert "code 8" in notes("error.code.reserved-range")
    assert "Go departure" in notes("status.ready-succeeds")
    assert "Go departure" in notes("gc.succeeds")


def test_untestable_are_documented_in_rules_md() -> None:
    from pathlib import Path

    doc = (Path(rules.__file__).parent / "RULES.md").read_text()
    for r in ALL:
        if not r.testable:
            assert re.search(rf"`{re.escape(r.id)}`", doc), f"{r.id} missing from RULES.md"


def test_level_at_follows_the_spec_word_per_version() -> None:
    mac = get("add.result.mac-present")  # 'required if L2 addresses are meaningful' until 0.4.0, 'if applicable' after
    assert [mac.level_at(v) for v in ("0.3.0", "0.4.0", "1.0.0", "1.1.0")] == ["MUST", "MUST", "SHOULD", "SHOULD"]
    assert get("check.output.empty").level_at("0.4.0") == "MUST" and get("check.output.empty").level_at("1.0.0") == "SHOULD"
    assert get("del.netns-empty").level_at("0.4.0") == "SHOULD" and get("del.netns-empty").level_at("1.0.0") == "MUST"
    assert get("del.idempotent").level_at("1.0.0") == get("del.idempotent").level == get("del.idempotent").level_at(None)
    for r in ALL:
        assert all(v in versions.KNOWN and versions.at_least(v, r.since) and lv in rules.LEVELS for v, lv in r.changes), r.id


def test_restored_musts_cite_the_spec() -> None:
    for rid in ("version.supported.honored", "env.required.missing-fails", "env.command.unknown-fails", "add.result.mac",
                "add.result.interfaces-all", "add.netns.nonexistent-fails", "gc.output.empty", "delegate.add.invoked",
                "delegate.config.same", "delegate.lookup.cni-path", "status.old-version-rejected", "error.code.invalid-config"):
        r = get(rid)
        assert r.level == "MUST" and "spec-v" in r.notes and "'" in r.notes, rid
