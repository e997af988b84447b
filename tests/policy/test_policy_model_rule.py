"""Two kinds of unknown with their own severities, and a base model's terms evaluated on the models derived from it."""

from __future__ import annotations

import pytest
from policy_helpers import TODAY, lib, model

from vlicense.errors import PolicyError
from vlicense.model import Component, LineageLink
from vlicense.policy import evaluate, load_policy, verdict
from vlicense.policy.schema import check_policy


def unknown(cid: str, kind: str, reason: str = "the reason") -> Component:
    if cid.startswith("pypi:"):
        return lib(cid[len("pypi:"):], None, license_unknown=kind, unknown_reason=reason)
    return model(cid, None, license_unknown=kind, unknown_reason=reason)


@pytest.mark.parametrize(
    ("preset", "not_determined", "declared_none"),
    [
        ("closed-source-saas", "warning", "error"),
        ("closed-source-binary", "warning", "error"),
        ("strict", "error", "error"),
        ("internal", "warning", "warning"),
        ("open-source", "warning", "warning"),
    ],
)
def test_presets_weigh_the_two_kinds_of_unknown(preset, not_determined, declared_none):
    components = [unknown("hf:org/offline", "not-determined"), unknown("hf:org/silent", "declared-none")]
    findings = {f.component: f for f in evaluate(components, load_policy(preset), today=TODAY)}
    assert findings["hf:org/offline"].severity == not_determined
    assert findings["hf:org/silent"].severity == declared_none
    assert {f.rule for f in findings.values()} == {"unknown-license"}


def test_the_finding_says_which_unknown_and_what_to_do():
    components = [
        unknown("hf:org/offline", "not-determined", "the Hub card of org/offline was not read (offline); rerun without --offline"),
        unknown("hf:org/silent", "declared-none", "Hub API: the card has no license field"),
    ]
    findings = {f.component: f for f in evaluate(components, load_policy("closed-source-saas"), today=TODAY)}
    offline, silent = findings["hf:org/offline"], findings["hf:org/silent"]
    assert offline.message.startswith("Model hf:org/offline has a license vlicense could not determine: the Hub card")
    assert "rerun without --offline" in offline.message and "rerun" in offline.recommendation
    assert silent.message.startswith("Model hf:org/silent declares no license (Hub API: the card has no license field).")
    assert "no permission to use" in silent.message
    assert "obtain a license" in silent.recommendation and "replace it" in silent.recommendation
    assert silent.alternatives  # an error gets ways out


def test_a_policy_sets_each_kind_apart_and_a_bare_severity_sets_both(write_policy):
    kinds = [unknown("pypi:a", "not-determined"), unknown("pypi:b", "declared-none")]
    split = write_policy(
        "extends: closed-source-saas\nrules:\n  unknown-license:\n    not-determined: {default: info}\n"
        "    declared-none: {saas: warning}\n", "split.yaml")
    severities = {f.component: f.severity for f in evaluate(kinds, load_policy(str(split)), today=TODAY)}
    assert severities == {"pypi:a": "info", "pypi:b": "warning"}
    bare = write_policy("extends: closed-source-saas\nrules:\n  unknown-license: info\n", "bare.yaml")
    severities = {f.component: f.severity for f in evaluate(kinds, load_policy(str(bare)), today=TODAY)}
    assert severities == {"pypi:a": "info", "pypi:b": "info"}
    # A kind's own table wins over the shared keys for that kind only.
    shared = write_policy("extends: closed-source-saas\nrules:\n  unknown-license: {saas: info}\n", "shared.yaml")
    severities = {f.component: f.severity for f in evaluate(kinds, load_policy(str(shared)), today=TODAY)}
    assert severities == {"pypi:a": "info", "pypi:b": "error"}


def test_a_license_outside_the_catalog_uses_the_shared_table():
    component = model("hf:org/odd", "LicenseRef-never-heard-of")
    [finding] = evaluate([component], load_policy("closed-source-saas"), today=TODAY)
    assert (finding.rule, finding.severity) == ("unknown-license", "warning")


def test_bad_kind_tables_are_policy_errors(write_policy):
    path = write_policy("rules:\n  unknown-license:\n    declared-none: {saas: fatal}\n    declared_nothing: error\n")
    policy, problems = check_policy(str(path))
    assert policy is None
    assert [(p.line, p.key) for p in problems] == [(3, "rules.unknown-license.declared-none.saas"), (4, "rules.unknown-license")]
    with pytest.raises(PolicyError):
        load_policy(str(path))
    # Kinds belong to unknown-license only.
    path = write_policy("rules:\n  non-commercial: {declared-none: error}\n", "other.yaml")
    assert [p.key for p in check_policy(str(path))[1]] == ["rules.non-commercial"]


# ------------------------------------------------------------------------------------------ lineage


def derived(own: str | None, base: str, source: str = "weight-metadata", **kw) -> Component:
    link = LineageLink("hf:org/base", base, "hf-hub", "base_model", ("hf:org/derived", "hf:org/base"))
    return model("hf:org/derived", own, license_source=source if own else "lineage", lineage=[link], **kw)


def test_a_more_restrictive_base_binds_the_derived_model_and_the_finding_names_both():
    findings = evaluate([derived("Apache-2.0", "CC-BY-NC-4.0", "hf-hub")], load_policy("closed-source-saas"), today=TODAY)
    assert verdict(findings) == "fail"
    [finding] = [f for f in findings if f.severity == "error"]
    assert (finding.rule, finding.license, finding.category) == ("non-commercial", "CC-BY-NC-4.0", "non-commercial")
    assert "declares Apache-2.0" in finding.message and "derives from hf:org/base" in finding.message
    assert "Lineage: hf:org/derived (Apache-2.0, Hub card) ← base hf:org/base (CC-BY-NC-4.0, Hub card)" in finding.message


def test_the_model_s_own_stricter_license_decides_and_names_its_base():
    findings = evaluate([derived("CC-BY-NC-4.0", "Apache-2.0")], load_policy("closed-source-saas"), today=TODAY)
    [finding] = findings
    assert (finding.rule, finding.severity, finding.license) == ("non-commercial", "error", "CC-BY-NC-4.0")
    assert "is licensed CC-BY-NC-4.0" in finding.message and "base hf:org/base (Apache-2.0, Hub card)" in finding.message


def test_inherited_terms_equal_to_the_own_license_are_one_finding():
    findings = evaluate([derived("CC-BY-NC-4.0", "CC-BY-NC-4.0")], load_policy("closed-source-saas"), today=TODAY)
    assert [(f.rule, f.license) for f in findings] == [("non-commercial", "CC-BY-NC-4.0")]
    assert "is licensed CC-BY-NC-4.0" in findings[0].message  # the model's own finding is the one kept


def test_an_override_states_the_whole_license(write_policy):
    path = write_policy(
        "extends: closed-source-saas\noverrides:\n  hf:org/derived: {license: Apache-2.0, reason: commercial license "
        "bought from the base's owner}\n")
    findings = evaluate([derived("Apache-2.0", "CC-BY-NC-4.0", "hf-hub")], load_policy(str(path)), today=TODAY)
    assert verdict(findings) == "pass"
