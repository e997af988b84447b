"""`policy init`: a starter policy for the project's context; flags off a TTY, questions on one; no clobbering."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from vlicense.policy.commands import policy_group
from vlicense.policy.schema import check_policy, load_policy


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def _init(tmp_path: Path, *args: str, input: str | None = None):
    out = tmp_path / "vlicense.yaml"
    result = _runner().invoke(policy_group, ["init", "-o", str(out), "--name", "demo", *args], input=input)
    return result, out


@pytest.mark.parametrize(
    ("flags", "preset", "distribution", "commercial"),
    [
        ([], "closed-source-saas", ("saas",), True),
        (["--distribution", "binary"], "closed-source-binary", ("binary",), True),
        (["--distribution", "saas,on-device"], "closed-source-binary", ("saas", "binary"), True),
        (["--distribution", "internal", "--no-commercial"], "internal", ("internal",), False),
        (["--distribution", "open-source", "--project-license", "Apache-2.0"], "open-source", ("open-source",), True),
    ],
)
def test_flags_write_a_valid_policy_for_the_context(tmp_path, flags, preset, distribution, commercial) -> None:
    result, out = _init(tmp_path, "--no-interactive", *flags)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert f"extends: {preset}\n" in text
    assert check_policy(str(out))[1] == []
    policy = load_policy(str(out))
    assert policy.name == "demo" and policy.extends[0] == preset
    assert policy.context.distribution == distribution and policy.context.commercial is commercial
    assert f"wrote {out}" in result.output


def test_project_license_expression_is_kept_and_validated(tmp_path) -> None:
    result, out = _init(tmp_path, "--no-interactive", "--project-license", "MIT OR Apache-2.0")
    assert result.exit_code == 0
    assert load_policy(str(out)).context.project_license == "MIT OR Apache-2.0"
    bad, out2 = _init(tmp_path / "b", "--no-interactive", "--project-license", "MIT AND (")
    assert bad.exit_code == 2 and "invalid project license" in bad.stderr and not out2.exists()


def test_the_starter_teaches(tmp_path) -> None:
    _, out = _init(tmp_path, "--no-interactive")
    text = out.read_text()
    for needle in ("section 13", "expires:", "an expired exception is an error", "choices:", "scopes:", "overrides:", "deny:"):
        assert needle in text


def test_refuses_to_overwrite_without_force(tmp_path) -> None:
    out = tmp_path / "vlicense.yaml"
    out.write_text("name: mine\n")
    result, _ = _init(tmp_path, "--no-interactive")
    assert result.exit_code == 2 and "already exists" in result.stderr and "--force" in result.stderr
    assert out.read_text() == "name: mine\n"
    forced, _ = _init(tmp_path, "--no-interactive", "--force", "--distribution", "internal")
    assert forced.exit_code == 0 and "extends: internal" in out.read_text()


def test_unknown_distribution_is_exit_2(tmp_path) -> None:
    result, out = _init(tmp_path, "--no-interactive", "--distribution", "cloud")
    assert result.exit_code == 2 and "unknown distribution model 'cloud'" in result.stderr and not out.exists()


def test_asks_on_a_terminal(tmp_path) -> None:
    result, out = _init(tmp_path, "--interactive", input="binary\nn\nMIT\n")
    assert result.exit_code == 0, result.output
    assert "How does the project reach people?" in result.output and "commercially" in result.output
    policy = load_policy(str(out))
    assert policy.context.distribution == ("binary",) and policy.context.commercial is False
    assert policy.context.project_license == "MIT"


def test_terminal_questions_skip_what_flags_already_answer(tmp_path) -> None:
    result, out = _init(tmp_path, "--interactive", "--distribution", "internal", "--commercial", input="\n")
    assert result.exit_code == 0
    assert "How does the project reach people?" not in result.output and "commercially" not in result.output
    assert load_policy(str(out)).context.project_license is None


def test_without_a_terminal_it_does_not_ask(tmp_path) -> None:
    # CliRunner's stdin is not a TTY: the defaults apply and no prompt is printed (input would be ignored).
    result, out = _init(tmp_path)
    assert result.exit_code == 0 and "?" not in result.output
    assert load_policy(str(out)).context.distribution == ("saas",)
