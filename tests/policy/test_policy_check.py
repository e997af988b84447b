"""`policy check`: every problem in a policy (and the files it extends), each as file:line: key: message."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from vlicense.errors import PolicyError
from vlicense.policy.commands import policy_group
from vlicense.policy.schema import check_policy, load_policy

BAD = """\
name: x
context:
  distribution: [moon, saas]
  commercial: maybe
rules:
  nope: error
  network-copyleft: {saas: fatal}
scopes: {runtime: info, tests: info, notebook: loud}
allow:
  models: [yolo]
  licenses: [MIT AND (]
overrides:
  pypi:foo: {license: MIT}
choices:
  foo: {license: MIT, reason: r}
exceptions:
  - component: pypi:x
    reason: r
    rule: nonsense
    expires: 2026-02-30
  - 7
"""

EXPECTED = [
    (3, "context.distribution", "'moon'"),
    (4, "context.commercial", "true or false"),
    (6, "rules", "'nope'"),
    (7, "rules.network-copyleft.saas", "'fatal'"),
    (8, "scopes", "'runtime'"),
    (8, "scopes", "'tests'"),
    (8, "scopes.notebook", "'loud'"),
    (10, "allow.models", "'yolo'"),
    (11, "allow.licenses", "invalid license expression"),
    (13, "overrides.pypi:foo", "'reason'"),
    (15, "choices", "'foo'"),
    (17, "exceptions[0]", "'owner'"),
    (19, "exceptions[0].rule", "'nonsense'"),
    (20, "exceptions[0].expires", "2026-02-30"),
    (21, "exceptions[1]", "must be a mapping"),
]


def test_check_reports_every_problem_with_line_and_key(write_policy) -> None:
    path = write_policy(BAD)
    policy, problems = check_policy(str(path))
    assert policy is None
    got = [(p.line, p.key) for p in problems]
    assert got == [(line, key) for line, key, _ in EXPECTED]
    for problem, (line, key, needle) in zip(problems, EXPECTED, strict=True):
        assert problem.format().startswith(f"{path}:{line}: {key}: ")
        assert needle in problem.message


def test_valid_policy_has_no_problems_and_good_values_survive(write_policy) -> None:
    path = write_policy("name: ok\nextends: strict\ncontext: {distribution: [saas, binary]}\nscopes: {'group:lint': ignore}\n")
    policy, problems = check_policy(str(path))
    assert problems == [] and policy is not None
    assert policy.context.distribution == ("saas", "binary")
    assert policy.scopes["group:lint"] == "ignore" and policy.scopes["test"] == "warning"  # strict's value kept


def test_load_policy_raises_the_first_problem_and_counts_the_rest(write_policy) -> None:
    path = write_policy(BAD)
    with pytest.raises(PolicyError) as err:
        load_policy(str(path))
    assert err.value.where == f"{path}:3"
    assert "context.distribution" in str(err.value) and "14 more problems" in str(err.value)


def test_problems_in_an_extended_file_are_reported_at_their_own_file(write_policy) -> None:
    base = write_policy("rules:\n  weak-copyleft: {binary: sometimes}\n", "base.yaml")
    child = write_policy("extends: base.yaml\ncontext:\n  commercial: 3\n", "child.yaml")
    _, problems = check_policy(str(child))
    assert [p.format().split(": ")[0] for p in problems] == [f"{base}:2", f"{child}:3"]


def test_missing_file_and_unknown_extends_are_problems(tmp_path: Path, write_policy) -> None:
    _, problems = check_policy(str(tmp_path / "nope.yaml"))
    assert len(problems) == 1 and "not found" in problems[0].message
    path = write_policy("extends: no-such-preset\nname: [bad\n")
    _, problems = check_policy(str(path))
    assert problems and "invalid YAML" in problems[0].message  # a parse error stops the file: nothing else is reliable


def test_look_alike_valid_spellings_are_not_problems(write_policy) -> None:
    # Aliases and shorthands that look odd but are valid: on-device, `unknown` rule alias, scalar severity.
    path = write_policy(
        "context: {distribution: on-device}\nrules: {unknown: error, gated: warning}\n"
        "scopes: {'optional:*': warning, 'group:docs-build': info}\n"
        "exceptions:\n  - {component: 'hf:a/b', rule: unknown, reason: r, ticket: T-1, expires: 2030-01-01}\n"
    )
    policy, problems = check_policy(str(path))
    assert problems == []
    assert policy is not None and policy.context.distribution == ("binary",)
    assert policy.severity_table("unknown-license")["default"] == "error"


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click >= 8.2 keeps stderr apart by default
        return CliRunner()


def test_cli_check_prints_every_problem_on_stderr_and_exits_2(write_policy) -> None:
    path = write_policy(BAD)
    result = _runner().invoke(policy_group, ["check", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == len(EXPECTED) + 1 and lines[-1].endswith(f"{len(EXPECTED)} problems in policy {path}")
    assert lines[0].startswith(f"{path}:3: context.distribution: ")


def test_cli_check_ok(write_policy) -> None:
    result = _runner().invoke(policy_group, ["check", "internal"])
    assert result.exit_code == 0 and "ok: policy 'internal'; extends closed-source-saas" in result.output


def test_cli_list_shows_presets_with_context() -> None:
    result = _runner().invoke(policy_group, ["list"])
    assert result.exit_code == 0
    assert "closed-source-binary  [binary; commercial]" in result.output
    assert "open-source  [open-source; non-commercial]" in result.output


def test_main_policy_check_lists_every_problem(write_policy, capsys) -> None:
    from vlicense import cli
    from vlicense.cli import main

    assert cli.cli.commands.get("policy") is policy_group

    path = write_policy(BAD)
    with pytest.raises(SystemExit) as done:
        main(["policy", "check", str(path)])
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert all(f"{path}:{line}: {key}: " in err for line, key, _ in EXPECTED)
