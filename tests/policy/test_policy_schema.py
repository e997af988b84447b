"""Policy loading: presets, extends, and malformed policies reported as file:line naming the key."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest

from vlicense.errors import PolicyError
from vlicense.policy import load_policy
from vlicense.resources import preset_names

WritePolicy = Callable[..., Path]


@pytest.mark.parametrize(
    ("name", "distribution", "commercial"),
    [
        ("closed-source-saas", ("saas",), True),
        ("closed-source-binary", ("binary",), True),
        ("internal", ("internal",), True),
        ("open-source", ("open-source",), False),
        ("strict", ("saas",), True),
    ],
)
def test_presets_load_with_their_context(name: str, distribution: tuple[str, ...], commercial: bool) -> None:
    policy = load_policy(name)
    assert policy.name == name
    assert policy.context.distribution == distribution
    assert policy.context.commercial is commercial


def test_required_presets_are_shipped() -> None:
    assert {"closed-source-saas", "closed-source-binary", "internal", "open-source"} <= set(preset_names())


def test_unknown_preset_lists_presets() -> None:
    with pytest.raises(PolicyError) as err:
        load_policy("closed-source-sas")
    text = str(err.value)
    assert "closed-source-sas" in text and "closed-source-saas" in text and "internal" in text


def test_extends_merges_rules_and_lists(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
name: mine
extends: internal
context: {project_license: MIT}
rules:
  unknown: error
  strong-copyleft: {internal: warning}
deny: {licenses: [SSPL-1.0], models: ["hf:bad/*"]}
"""
    )
    p = load_policy(str(path))
    assert p.name == "mine" and p.extends == ("internal", "closed-source-saas")
    assert p.context.distribution == ("internal",) and p.context.project_license == "MIT"
    assert p.rules["unknown-license"] == {"default": "error"}
    assert p.rules["strong-copyleft"]["internal"] == "warning"
    assert p.rules["strong-copyleft"]["binary"] == "error"  # inherited key kept
    assert p.deny.licenses == ("SSPL-1.0",) and p.deny.models == ("hf:bad/*",)


def test_extends_relative_path_and_cycle(write_policy: WritePolicy) -> None:
    write_policy("extends: b.yaml\n", "a.yaml")
    b = write_policy("extends: a.yaml\n", "b.yaml")
    with pytest.raises(PolicyError, match="cycle"):
        load_policy(str(b))


def test_exception_fields(write_policy: WritePolicy) -> None:
    path = write_policy(
        """
exceptions:
  - component: "ultralytics:yolo11n.pt"
    reason: Enterprise license signed
    owner: legal@example.com
    expires: 2027-01-31
  - {component: "pypi:x", version: "1.0", path: "app/*", rule: unknown, reason: r, ticket: JIRA-1, expires: "2026-12-01"}
"""
    )
    p = load_policy(str(path))
    assert p.exceptions[0].expires == datetime.date(2027, 1, 31)
    assert p.exceptions[0].where == f"{path}:3"
    assert p.exceptions[1].rule == "unknown-license" and p.exceptions[1].version == "1.0"


def _error(write_policy: WritePolicy, text: str) -> PolicyError:
    path = write_policy(text)
    with pytest.raises(PolicyError) as err:
        load_policy(str(path))
    return err.value


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("name: x\nrulez: {}\n", 2, "'rulez'"),
        ("name: x\ncontext:\n  distribution: [saas, cloud]\n", 3, "cloud"),
        ("context:\n  commercial: maybe\n", 2, "context.commercial"),
        ("context:\n  colour: red\n", 2, "'colour'"),
        ("rules:\n  network-copyleft: {saas: fatal}\n", 2, "rules.network-copyleft.saas"),
        ("rules:\n  copyleft-ish: {saas: error}\n", 2, "'copyleft-ish'"),
        ("rules:\n  non-commercial: {weekend: error}\n", 2, "'weekend'"),
        ("allow:\n  licences: [MIT]\n", 2, "'licences'"),
        ("allow:\n  licenses: [MIT AND (]\n", 2, "allow.licenses"),
        ("overrides:\n  pypi:foo:\n    license: MIT\n", 2, "'reason'"),
        ("overrides:\n  pypi:foo: {license: MIT, reason: r, by: me}\n", 2, "'by'"),
        ("exceptions:\n  - component: pypi:x\n    reason: r\n    owner: me\n", 2, "'expires'"),
        ("exceptions:\n  - component: pypi:x\n    reason: r\n    expires: 2026-01-01\n", 2, "'owner'"),
        ("exceptions:\n  - component: pypi:x\n    reason: r\n    owner: me\n    expires: next week\n", 5, "expires"),
        ("exceptions:\n  - component: pypi:x\n    reason: r\n    owner: me\n    expires: 2026-02-30\n", 5, "expires"),
        ("name: x\nname: y\n", 2, "duplicate key 'name'"),
        ("name: [x\n", 2, "invalid YAML"),
        ("- just\n- a list\n", 1, "policy: must be a mapping"),
        ("extends: no-such-preset\n", 1, "no-such-preset"),
    ],
)
def test_malformed_policy_names_file_line_and_key(write_policy: WritePolicy, text: str, line: int, needle: str) -> None:
    err = _error(write_policy, text)
    assert err.where is not None and err.where.endswith(f"policy.yaml:{line}"), err.where
    assert needle in str(err)


def test_empty_policy_file_is_an_error(write_policy: WritePolicy) -> None:
    err = _error(write_policy, "# nothing\n")
    assert "empty" in str(err)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy(str(tmp_path / "nope.yaml"))


def test_search_dir_preset_beats_bundled(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text("name: team\nextends: closed-source-binary\n", encoding="utf-8")
    p = load_policy("team", search_dir=tmp_path)
    assert p.name == "team" and p.context.distribution == ("binary",)
