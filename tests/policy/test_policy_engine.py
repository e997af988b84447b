"""Evaluation: presets x license kinds, expressions, allow/deny, overrides, exceptions, fingerprints, alternatives."""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from policy_helpers import TODAY, lib, model

from vlicense.model import Alternative, Component, Finding, Location
from vlicense.policy import evaluate, fingerprint, load_policy, verdict

WritePolicy = Callable[..., Path]


def run(
    components: list[Component], policy: str | Path = "closed-source-saas", today: datetime.date = TODAY
) -> list[Finding]:
    return evaluate(components, load_policy(str(policy)), today=today)


def main_finding(findings: list[Finding], component: str) -> Finding | None:
    """The non-bookkeeping finding on a component (license-choice notes excluded)."""
    hits = [f for f in findings if f.component == component and f.rule != "license-choice"]
    assert len(hits) <= 1, hits
    return hits[0] if hits else None


CASES = {
    "agpl-library": (lambda: lib("ultralytics", "AGPL-3.0-only"), "network-copyleft"),
    "agpl-weights": (lambda: model("ultralytics:yolo11n.pt", "AGPL-3.0-only"), "network-copyleft"),
    "gpl-library": (lambda: lib("gpllib", "GPL-3.0-only"), "strong-copyleft"),
    "lgpl-library": (lambda: lib("lgpllib", "LGPL-3.0-or-later"), "weak-copyleft"),
    "nc-weights": (lambda: model("timm:convnextv2_tiny.fcmae_ft_in22k_in1k", "CC-BY-NC-4.0"), "non-commercial"),
    "use-restricted": (lambda: model("hf:meta-llama/Llama-3.2-11B-Vision", "LicenseRef-llama3.2"), "use-restricted"),
    "unknown": (lambda: lib("mystery", None), "unknown-license"),
    "permissive": (lambda: lib("requests", "Apache-2.0"), None),
}
# Expected severity of the case's finding per preset (None: no finding at all).
MATRIX = {
    "closed-source-saas": {
        "agpl-library": "error",
        "agpl-weights": "error",
        "gpl-library": "info",
        "lgpl-library": "info",
        "nc-weights": "error",
        "use-restricted": "warning",
        "unknown": "warning",
        "permissive": None,
    },
    "closed-source-binary": {
        "agpl-library": "error",
        "agpl-weights": "error",
        "gpl-library": "error",
        "lgpl-library": "warning",
        "nc-weights": "error",
        "use-restricted": "warning",
        "unknown": "warning",
        "permissive": None,
    },
    "internal": {
        "agpl-library": "info",
        "agpl-weights": "info",
        "gpl-library": "info",
        "lgpl-library": "info",
        "nc-weights": "error",
        "use-restricted": "warning",
        "unknown": "warning",
        "permissive": None,
    },
    "open-source": {
        "agpl-library": "info",
        "agpl-weights": "info",
        "gpl-library": "warning",
        "lgpl-library": "info",
        "nc-weights": "warning",
        "use-restricted": "warning",
        "unknown": "warning",
        "permissive": None,
    },
    "strict": {
        "agpl-library": "error",
        "agpl-weights": "error",
        "gpl-library": "warning",
        "lgpl-library": "info",
        "nc-weights": "error",
        "use-restricted": "error",
        "unknown": "error",
        "permissive": None,
    },
}


@pytest.mark.parametrize("preset", sorted(MATRIX))
@pytest.mark.parametrize("case", sorted(CASES))
def test_preset_matrix(preset: str, case: str) -> None:
    make, rule = CASES[case]
    comp = make()
    findings = run([comp], preset)
    f = main_finding(findings, comp.id)
    expected = MATRIX[preset][case]
    if expected is None:
        assert f is None and verdict(findings) == "pass"
        return
    assert f is not None
    assert (f.rule, f.severity) == (rule, expected)
    assert f.fingerprint == fingerprint(rule, comp.id, comp.license)
    assert f.locations == comp.locations
    if expected == "error":
        assert len([a for a in f.alternatives if a.kind != "commercial-license"]) >= 2
        assert f.obligation and f.recommendation
    else:
        assert f.alternatives == []


def test_nc_weights_non_commercial_context_is_info(write_policy: WritePolicy) -> None:
    path = write_policy("extends: closed-source-saas\ncontext: {commercial: false}\n")
    comp = model("timm:convnextv2_tiny.fcmae_ft_in22k_in1k", "CC-BY-NC-4.0")
    f = main_finding(run([comp], path), comp.id)
    assert f is not None and (f.rule, f.severity) == ("non-commercial", "info")
    commercial = main_finding(run([model("timm:convnextv2_tiny.fcmae_ft_in22k_in1k", "CC-BY-NC-4.0")]), comp.id)
    assert commercial is not None and commercial.severity == "error"
    assert "CC-BY-NC-4.0 section 1(i) and 2(a)(1) (NonCommercial)" in commercial.obligation


def test_internal_agpl_message_says_why() -> None:
    comp = model("ultralytics:yolo11n.pt", "AGPL-3.0-only")
    f = main_finding(run([comp], "internal"), comp.id)
    assert f is not None and f.severity == "info"
    assert "Internal use is neither distribution nor offering a network service to third parties" in f.message
    assert "AGPL-3.0 section 13 is not triggered" in f.message


def test_saas_agpl_and_gpl_messages() -> None:
    agpl = main_finding(run([lib("ultralytics", "AGPL-3.0-only")]), "pypi:ultralytics")
    assert agpl is not None and "AGPL-3.0 section 13 (Remote Network Interaction)" in agpl.message
    gpl = main_finding(run([lib("gpllib", "GPL-3.0-only")]), "pypi:gpllib")
    assert gpl is not None and "not conveying" in gpl.message
    shipped = main_finding(run([lib("gpllib", "GPL-3.0-only")], "closed-source-binary"), "pypi:gpllib")
    assert shipped is not None and "GPL-3.0 section 6 (Conveying Non-Source Forms)" in shipped.message


def test_use_restricted_lists_restrictions() -> None:
    f = main_finding(
        run([model("hf:meta-llama/Llama-3.2-11B-Vision", "LicenseRef-llama3.2")]), "hf:meta-llama/Llama-3.2-11B-Vision"
    )
    assert f is not None and "700 million monthly active users" in f.message and "European Union" in f.message


def test_unreviewed_custom_license_warns_even_if_category_is_permissive() -> None:
    comp = model("timm:mobilevit_s.cvnets_in1k", "LicenseRef-cvnets-license")
    findings = run([comp])
    assert [(f.rule, f.severity) for f in findings] == [("unreviewed-license", "warning")]
    reviewed = run([model("timm:aimv2_large_patch14_224.apple_pt", "LicenseRef-apple-ascl")])
    assert [(f.rule, f.severity) for f in reviewed] == [("unreviewed-license", "warning")]
    assert run([lib("requests", "Apache-2.0")]) == []


def test_components_get_categories() -> None:
    comps = [lib("a", "MIT OR GPL-3.0-only"), lib("b", None), model("hf:x/y", "CC-BY-NC-4.0")]
    run(comps)
    assert [c.categories for c in comps] == [["permissive", "strong-copyleft"], ["unknown"], ["non-commercial"]]


# ------------------------------------------------------------------------------------- expressions

TRUTH_TABLE = [
    # expression, preset, expected (rule, severity, license, chosen_branch) of non-note findings
    ("MIT AND Apache-2.0", "closed-source-saas", []),
    ("MIT AND AGPL-3.0-only", "closed-source-saas", [("network-copyleft", "error", "AGPL-3.0-only", None)]),
    (
        "AGPL-3.0-only AND CC-BY-NC-4.0",
        "closed-source-saas",
        [("network-copyleft", "error", "AGPL-3.0-only", None), ("non-commercial", "error", "CC-BY-NC-4.0", None)],
    ),
    ("MIT OR AGPL-3.0-only", "closed-source-saas", []),
    ("AGPL-3.0-only OR MIT", "closed-source-saas", []),
    (
        "AGPL-3.0-only OR LicenseRef-llama3.2",
        "closed-source-saas",
        [("use-restricted", "warning", "LicenseRef-llama3.2", "LicenseRef-llama3.2")],
    ),
    (
        "AGPL-3.0-only OR CC-BY-NC-4.0",
        "closed-source-saas",
        [("network-copyleft", "error", "AGPL-3.0-only", "AGPL-3.0-only")],
    ),
    (
        "(MIT OR GPL-3.0-only) AND CC-BY-NC-4.0",
        "closed-source-binary",
        [("non-commercial", "error", "CC-BY-NC-4.0", None)],
    ),
    (
        "GPL-2.0-only WITH Classpath-exception-2.0",
        "closed-source-binary",
        [("weak-copyleft", "warning", "GPL-2.0-only WITH Classpath-exception-2.0", None)],
    ),
    (
        "GPL-2.0-only WITH Made-up-exception",
        "closed-source-binary",
        [("strong-copyleft", "error", "GPL-2.0-only WITH Made-up-exception", None)],
    ),
    ("MIT AND (", "closed-source-saas", [("unknown-license", "warning", "MIT AND (", None)]),
    (
        "LicenseRef-not-in-catalog",
        "closed-source-saas",
        [("unknown-license", "warning", "LicenseRef-not-in-catalog", None)],
    ),
]


@pytest.mark.parametrize(("expression", "preset", "expected"), TRUTH_TABLE)
def test_expression_truth_table(expression: str, preset: str, expected: list[tuple]) -> None:
    findings = run([lib("x", expression)], preset)
    got = sorted((f.rule, f.severity, f.license, f.chosen_branch) for f in findings if f.rule != "license-choice")
    assert got == sorted(expected)


def test_or_names_the_branch_relied_on() -> None:
    findings = run([lib("x", "AGPL-3.0-only OR MIT")])
    assert [(f.rule, f.severity, f.chosen_branch) for f in findings] == [("license-choice", "info", "MIT")]
    assert "relies on MIT" in findings[0].message
    assert verdict(findings) == "pass"


def test_with_keeps_the_exception_in_message_and_license() -> None:
    (f,) = run([lib("x", "GPL-2.0-only WITH Classpath-exception-2.0")], "closed-source-binary")
    assert f.license == "GPL-2.0-only WITH Classpath-exception-2.0"
    assert "Classpath-exception-2.0 exception applies" in f.message


# ---------------------------------------------------------------------------------------- allow/deny


def test_deny_license_and_or_escape(write_policy: WritePolicy) -> None:
    path = write_policy("extends: closed-source-saas\ndeny: {licenses: [mit]}\n")
    (f,) = run([lib("x", "MIT")], path)
    assert (f.rule, f.severity) == ("denied", "error") and "deny.licenses: mit" in f.message
    findings = run([lib("x", "MIT OR Apache-2.0")], path)
    assert verdict(findings) == "pass" and findings[0].chosen_branch == "Apache-2.0"


def test_allow_license(write_policy: WritePolicy) -> None:
    path = write_policy("extends: closed-source-saas\nallow: {licenses: [AGPL-3.0-only]}\n")
    assert run([lib("ultralytics", "AGPL-3.0-only")], path) == []
    # Look-alike: allowing -only does not allow -or-later... unless spelled; here a different key stays blocked.
    (f,) = run([lib("other", "SSPL-1.0")], path)
    assert f.severity == "error"


def test_deny_and_allow_components(write_policy: WritePolicy) -> None:
    path = write_policy(
        "extends: closed-source-saas\n"
        "deny: {packages: [Ultralytics]}\n"
        "allow: {models: ['ultralytics:*'], packages: [Foo_Bar]}\n"
    )
    findings = run(
        [
            lib("ultralytics", "AGPL-3.0-only"),
            model("ultralytics:yolo11n.pt", "AGPL-3.0-only"),
            lib("foo-bar", None),
            lib("ultra", "AGPL-3.0-only"),
        ],
        path,
    )
    got = {(f.component, f.rule, f.severity) for f in findings}
    assert got == {
        ("pypi:ultralytics", "denied", "error"),
        ("ultralytics:yolo11n.pt", "allowed", "info"),
        ("pypi:foo-bar", "allowed", "info"),
        ("pypi:ultra", "network-copyleft", "error"),  # look-alike name is not denied, still evaluated
    }


# ----------------------------------------------------------------------------------------- overrides


def test_override_replaces_license_with_provenance(write_policy: WritePolicy) -> None:
    path = write_policy(
        "extends: closed-source-saas\n"
        "overrides:\n"
        "  pypi:mystery: {license: MIT, reason: LICENSE file in the sdist says MIT}\n"
        "  pypi:absent: {license: MIT, reason: stale}\n"
    )
    comp = lib("mystery", None)
    findings = run([comp], path)
    assert comp.license == "MIT" and comp.license_source == "policy-override" and comp.categories == ["permissive"]
    assert comp.facts[0].source == "policy-override" and "sdist" in comp.facts[0].detail
    assert [(f.rule, f.severity, f.component) for f in findings] == [("override-unused", "warning", "pypi:absent")]
    assert findings[0].locations[0].path == str(path) and findings[0].locations[0].line == 4


# ---------------------------------------------------------------------------------------- exceptions

EXC = """extends: closed-source-saas
exceptions:
  - component: "ultralytics:yolo11n.pt"
    reason: Enterprise license signed 2026-06
    owner: legal@example.com
    expires: {expires}
{extra}"""


def test_valid_exception_downgrades_to_info(write_policy: WritePolicy) -> None:
    path = write_policy(EXC.format(expires="2027-06-30", extra=""))
    findings = run([model("ultralytics:yolo11n.pt", "AGPL-3.0-only")], path)
    (f,) = findings
    assert (f.rule, f.severity) == ("network-copyleft", "info")
    assert "Accepted by policy exception" in f.message and "legal@example.com" in f.message
    assert verdict(findings) == "pass"


def test_exception_valid_through_expiry_day(write_policy: WritePolicy) -> None:
    path = write_policy(EXC.format(expires=TODAY.isoformat(), extra=""))
    assert verdict(run([model("ultralytics:yolo11n.pt", "AGPL-3.0-only")], path)) == "pass"


def test_expired_exception_is_an_error_and_finding_returns(write_policy: WritePolicy) -> None:
    path = write_policy(EXC.format(expires="2026-11-28", extra=""))
    findings = run([model("ultralytics:yolo11n.pt", "AGPL-3.0-only")], path)
    got = [(f.rule, f.severity) for f in findings]
    assert got == [("exception-expired", "error"), ("network-copyleft", "error")]
    assert "expired on 2026-11-28" in findings[0].message
    assert findings[0].locations == [Location(path=str(path), line=3)]


def test_unused_exception_is_a_warning(write_policy: WritePolicy) -> None:
    extra = "  - {component: 'pypi:gone', reason: r, ticket: LEGAL-7, expires: 2027-01-01}\n"
    path = write_policy(EXC.format(expires="2027-06-30", extra=extra))
    findings = run([model("ultralytics:yolo11n.pt", "AGPL-3.0-only")], path)
    assert [(f.rule, f.severity, f.component) for f in findings] == [
        ("exception-unused", "warning", "pypi:gone"),
        ("network-copyleft", "info", "ultralytics:yolo11n.pt"),
    ]


def test_exception_scope_version_and_path(write_policy: WritePolicy) -> None:
    path = write_policy(
        "extends: closed-source-saas\nexceptions:\n"
        "  - {component: 'pypi:ultralytics', version: '8.0.0', reason: r, owner: me, expires: 2027-01-01}\n"
        "  - {component: 'pypi:other', path: 'tools/*', reason: r, owner: me, expires: 2027-01-01}\n"
    )
    comps = [
        lib("ultralytics", "AGPL-3.0-only", version="8.4.190"),
        lib("other", "AGPL-3.0-only"),
    ]  # other is in app/main.py
    got = {(f.rule, f.severity, f.component) for f in run(comps, path)}
    assert got == {
        ("network-copyleft", "error", "pypi:ultralytics"),
        ("network-copyleft", "error", "pypi:other"),
        ("exception-unused", "warning", "pypi:ultralytics"),
        ("exception-unused", "warning", "pypi:other"),
    }
    comps = [
        lib("ultralytics", "AGPL-3.0-only", version="8.0.0"),
        dataclasses.replace(lib("other", "AGPL-3.0-only"), locations=[Location("tools/x.py", 1)]),
    ]
    assert verdict(run(comps, path)) == "pass"


# ------------------------------------------------------------------------------ ordering, identity


def test_findings_sorted_and_fingerprints_line_independent() -> None:
    comps = [
        lib("z", None),
        model("hf:a/b", "CC-BY-NC-4.0"),
        lib("ultralytics", "AGPL-3.0-only"),
        lib("m", "LicenseRef-llama3"),
    ]
    findings = run(comps)
    keys = [(f.severity, f.rule, f.component) for f in findings]
    assert keys == [
        ("error", "network-copyleft", "pypi:ultralytics"),
        ("error", "non-commercial", "hf:a/b"),
        ("warning", "unknown-license", "pypi:z"),
        ("warning", "use-restricted", "pypi:m"),
    ]
    assert all(re.fullmatch(r"[0-9a-f]{16}", f.fingerprint) for f in findings)
    moved = [dataclasses.replace(c, locations=[Location("elsewhere.py", 99)]) for c in comps]
    assert [f.fingerprint for f in run(moved)] == [f.fingerprint for f in findings]
    assert fingerprint("r", "c", "MIT") != fingerprint("r", "c", "Apache-2.0")


def test_verdict() -> None:
    mk = lambda sev: Finding(rule="r", severity=sev, component="c", message="m")
    assert verdict([]) == "pass"
    assert verdict([mk("info")]) == "pass"
    assert verdict([mk("info"), mk("warning")]) == "warn"
    assert verdict([mk("warning"), mk("error")]) == "fail"


# ------------------------------------------------------------------------------------ alternatives


def test_alternatives_for_agpl_ultralytics_weights_include_enterprise_license() -> None:
    (f,) = run([model("ultralytics:yolo11n.pt", "AGPL-3.0-only")])
    names = [a.name for a in f.alternatives]
    assert "hf:PekingU/rtdetr_r50vd" in names
    route = [a for a in f.alternatives if a.kind == "commercial-license"]
    assert route and route[0].name == "Ultralytics Enterprise License" and "ultralytics.com/license" in route[0].note
    assert all(a.license for a in f.alternatives)


def test_alternatives_follow_task_and_loader() -> None:
    (seg,) = run([model("ultralytics:yolo11n-seg.pt", "AGPL-3.0-only")])
    assert any("MaskRCNN" in a.name for a in seg.alternatives)
    (hf,) = run([model("hf:someone/thing", "CC-BY-NC-4.0", task="depth")])
    assert any("Depth-Anything-V2-Small" in a.name for a in hf.alternatives)
    (other,) = run([model("hf:someone/thing", "CC-BY-NC-4.0")])
    assert len([a for a in other.alternatives if a.kind != "commercial-license"]) >= 2  # fallbacks, never empty
    # AGPL from a vendor that is not Ultralytics must not get the Ultralytics route.
    (plain,) = run([lib("agpl-thing", "AGPL-3.0-only")])
    assert all("Ultralytics" not in a.name for a in plain.alternatives)


def test_same_arch_alternatives_come_first() -> None:
    def same_arch(c: Component) -> list[Alternative]:
        return [Alternative("timm:convnextv2_tiny.fb_in1k_permissive", "Apache-2.0", "same arch")]

    comp = model("timm:convnextv2_tiny.fcmae_ft_in22k_in1k", "CC-BY-NC-4.0")
    (f,) = evaluate([comp], load_policy("closed-source-saas"), today=TODAY, same_arch_alternatives=same_arch)
    assert f.alternatives[0].name == "timm:convnextv2_tiny.fb_in1k_permissive"
    assert any(a.name.startswith("timm:convnext_tiny") for a in f.alternatives[1:])
