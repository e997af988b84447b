"""Signal rules (unsafe-pickle, license-drift, gated, unpinned-revision, tool-stamp), scope caps, pinned OR choices."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from policy_helpers import TODAY, lib, model

from vlicense.model import SIGNAL_KINDS, Component, Finding, Signal
from vlicense.policy import evaluate, load_policy, verdict
from vlicense.policy.rules import (
    RULE_FOR_SIGNAL,
    SIGNAL_RULES,
    all_rule_ids,
    rule_doc,
    rule_title,
)

PRESETS = ("closed-source-saas", "closed-source-binary", "internal", "open-source", "strict")


def run(components: list[Component], policy: str | Path = "closed-source-saas", today: datetime.date = TODAY) -> list[Finding]:
    return evaluate(components, load_policy(str(policy)), today=today)


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


PICKLE = Signal("unsafe-pickle", "weights/evil.pt imports os.system in its pickle", "GLOBAL os system")
DRIFT = Signal("license-drift", "hf:me/ft declares MIT but derives from hf:base/nc (CC-BY-NC-4.0)", "base hf:base/nc: CC-BY-NC-4.0")
GATED = Signal("gated", "hf:me/ft is gated on the Hub: access needs accepted terms")
UNPINNED = Signal("unpinned-revision", "hf:me/ft is loaded without a pinned revision")
STAMP = Signal("tool-stamp", "the checkpoint carries Ultralytics' AGPL-3.0 stamp", "ultralytics 8.3 license field")


def test_every_signal_kind_has_a_rule_module() -> None:
    assert set(RULE_FOR_SIGNAL) == set(SIGNAL_KINDS)
    for rule_id in SIGNAL_RULES:
        assert rule_id in all_rule_ids() and rule_title(rule_id) != rule_id and rule_doc(rule_id)


EXPECTED_SEVERITY = {
    # rule: {preset: severity}; presets not listed -> the "*" value
    "unsafe-pickle": {"*": "error"},
    "license-drift": {"*": "warning", "strict": "error"},
    "gated": {"*": "info"},
    "unpinned-revision": {"*": "info", "strict": "warning"},
    "tool-stamp": {"*": "info"},
}


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("signal", [PICKLE, DRIFT, GATED, UNPINNED, STAMP], ids=lambda s: s.kind)
def test_signal_severity_per_preset(preset: str, signal: Signal) -> None:
    comp = model("hf:me/ft", "MIT", signals=[signal])
    findings = by_rule(run([comp], preset), signal.kind)
    table = EXPECTED_SEVERITY[signal.kind]
    assert [f.severity for f in findings] == [table.get(preset, table["*"])]
    f = findings[0]
    assert signal.message in f.message and f.recommendation and f.component == "hf:me/ft"
    assert f.category == SIGNAL_RULES[signal.kind].category


def test_no_signal_no_signal_finding() -> None:
    assert run([model("hf:me/ft", "MIT")]) == []


def test_unsafe_pickle_is_security_and_blocks_even_an_allowed_component(write_policy) -> None:
    path = write_policy("extends: closed-source-saas\nallow: {models: ['file:*']}\n")
    comp = model("file:weights/evil.pt", "MIT", signals=[PICKLE])
    findings = run([comp], path)
    assert [(f.rule, f.severity) for f in findings] == [("unsafe-pickle", "error"), ("allowed", "info")]
    assert findings[0].category == "security" and "GLOBAL os system" in findings[0].message
    assert verdict(findings) == "fail"


def test_signal_severities_are_configurable(write_policy) -> None:
    path = write_policy("extends: closed-source-saas\nrules:\n  license-drift: {saas: error}\n  unsafe-pickle: ignore\n  gated: warning\n")
    comp = model("hf:me/ft", "MIT", signals=[DRIFT, PICKLE, GATED])
    got = {(f.rule, f.severity) for f in run([comp], path)}
    assert got == {("license-drift", "error"), ("gated", "warning")}


def test_signal_fingerprints_are_stable_and_distinct() -> None:
    a = model("hf:me/ft", "MIT", signals=[DRIFT, Signal("license-drift", "other base", "base hf:other: CC-BY-NC-SA-4.0")])
    b = model("hf:me/ft", "MIT", signals=[DRIFT])
    b.locations[0] = type(b.locations[0])(path="elsewhere.py", line=99)
    fa = by_rule(run([a]), "license-drift")
    fb = by_rule(run([b]), "license-drift")
    assert len(fa) == 2 and len({f.fingerprint for f in fa}) == 2  # two drifting bases, two findings
    assert fb[0].fingerprint in {f.fingerprint for f in fa}  # moving the code does not change it


# ------------------------------------------------------------------------------------------------ scopes


def scoped(comp: Component, scope: str) -> Component:
    comp.scope = scope
    return comp


@pytest.mark.parametrize(
    ("scope", "preset", "severity"),
    [
        ("runtime", "closed-source-saas", "error"),
        ("test", "closed-source-saas", "info"),
        ("dev", "closed-source-saas", "info"),
        ("docs", "closed-source-saas", "info"),
        ("group:lint", "closed-source-saas", "info"),
        ("notebook", "closed-source-saas", "warning"),
        ("example", "closed-source-saas", "warning"),
        ("script", "closed-source-saas", "warning"),
        ("optional:gpu", "closed-source-saas", "error"),  # extras are installed to run: not capped
        ("test", "closed-source-binary", "info"),
        ("test", "strict", "warning"),
        ("notebook", "strict", "warning"),
        ("docs", "strict", "info"),
    ],
)
def test_agpl_scope_caps(scope: str, preset: str, severity: str) -> None:
    comp = scoped(lib("ultralytics", "AGPL-3.0-only"), scope)
    [f] = [f for f in run([comp], preset) if f.rule == "network-copyleft"]
    assert f.severity == severity
    if scope == "runtime":
        assert "scope" not in f.message
    else:
        assert f"(scope '{scope}')" in f.message
    if severity != "error":
        assert "in shipped code this would be an error" in f.message
        assert f.alternatives == []  # alternatives are for blocking findings


def test_test_only_gpl_tool_in_saas_does_not_block_and_notebook_agpl_warns() -> None:
    findings = run([scoped(lib("gpltool", "GPL-3.0-only"), "test"), scoped(lib("agplnb", "AGPL-3.0-only"), "notebook")])
    assert verdict(findings) == "warn"
    gpl = next(f for f in findings if f.component == "pypi:gpltool")
    assert gpl.severity == "info" and "Used only in test code (scope 'test')." in gpl.message  # already below cap
    nb = next(f for f in findings if f.component == "pypi:agplnb")
    assert nb.severity == "warning" and "notebooks" in nb.message


def test_scope_ignore_drops_and_exact_key_beats_glob(write_policy) -> None:
    path = write_policy("extends: closed-source-saas\nscopes: {'group:*': warning, 'group:lint': ignore}\n")
    findings = run([scoped(lib("a", "AGPL-3.0-only"), "group:lint"), scoped(lib("b", "AGPL-3.0-only"), "group:docs")], path)
    assert [(f.component, f.severity) for f in findings] == [("pypi:b", "warning")]


def test_deny_and_unsafe_pickle_are_never_capped(write_policy) -> None:
    path = write_policy("extends: closed-source-saas\ndeny: {packages: [badlib]}\n")
    findings = run([scoped(lib("badlib", "MIT"), "test"), scoped(model("file:t/evil.pt", "MIT", signals=[PICKLE]), "test")], path)
    assert {(f.rule, f.severity) for f in findings} == {("denied", "error"), ("unsafe-pickle", "error")}


def test_signals_other_than_pickle_are_capped() -> None:
    findings = run([scoped(model("hf:me/ft", "MIT", signals=[DRIFT]), "test")], "strict")
    [f] = by_rule(findings, "license-drift")
    assert f.severity == "warning" and "scopes.test" in f.message


def test_unknown_license_in_tests_is_capped_but_still_listed() -> None:
    [f] = run([scoped(lib("mystery", None), "test")], "strict")
    assert (f.rule, f.severity) == ("unknown-license", "warning")  # never silently dropped by a preset


def test_empty_scope_means_runtime() -> None:
    [f] = [f for f in run([scoped(lib("u", "AGPL-3.0-only"), "")]) if f.rule == "network-copyleft"]
    assert f.severity == "error" and "scope" not in f.message


# ----------------------------------------------------------------------------------------------- choices


def test_pinned_choice_overrides_the_mildest_branch(write_policy) -> None:
    comp = lib("dual", "MIT OR GPL-3.0-only")
    assert [f.rule for f in run([comp], "closed-source-binary")] == ["license-choice"]  # automatic: MIT
    path = write_policy(
        "extends: closed-source-binary\nchoices:\n  pypi:dual: {license: gpl-3.0-only, reason: 'upstream asked us to'}\n"
    )
    findings = run([lib("dual", "MIT OR GPL-3.0-only")], path)
    assert [(f.rule, f.severity, f.chosen_branch) for f in findings] == [
        ("strong-copyleft", "error", "GPL-3.0-only"),
        ("license-choice", "info", "GPL-3.0-only"),
    ]
    assert "upstream asked us to" in findings[1].message and f"{path}:3" in findings[1].message


def test_pinned_choice_matches_a_compound_branch(write_policy) -> None:
    path = write_policy("choices:\n  pypi:x: {license: 'Apache-2.0 AND MIT', reason: r}\n")
    findings = run([lib("x", "(MIT AND Apache-2.0) OR CC-BY-NC-4.0")], path)
    assert [f.rule for f in findings] == ["license-choice"] and findings[0].chosen_branch == "MIT AND Apache-2.0"


def test_unused_or_unmatched_choice_is_a_warning(write_policy) -> None:
    path = write_policy(
        "choices:\n  pypi:x: {license: BSD-3-Clause, reason: r}\n  pypi:gone: {license: MIT, reason: r}\n"
    )
    findings = run([lib("x", "MIT OR GPL-3.0-only")], path)
    unused = by_rule(findings, "choice-unused")
    assert [(f.component, f.severity) for f in unused] == [("pypi:gone", "warning"), ("pypi:x", "warning")]
    assert "offers no such branch" in unused[1].message and "found no such component" in unused[0].message
    assert unused[0].locations[0].line == 3
    # The unmatched pin falls back to the automatic choice.
    assert next(f for f in findings if f.rule == "license-choice").chosen_branch == "MIT"
