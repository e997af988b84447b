"""The CI recipes in ci/ parse, and every vlicense command and VLICENSE_* variable they use exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
import yaml

from vlicense.cli import cli
from vlicense.config import GLOBAL_ENV, SETTINGS, load_settings
from vlicense.report import FORMATS

REPO = Path(__file__).resolve().parents[2]
CI = REPO / "ci"
RECIPES = sorted(CI.glob("*.yml")) + sorted(CI.glob("*.yaml"))
_SEPARATORS = {";", "&&", "||", "|", ">", ">>", "2>", "<"}


def shell_lines(recipe: dict) -> list[str]:
    """Every shell line a GitHub workflow (steps[].run) or GitLab job (before_script/script/after_script) runs."""
    lines: list[str] = []
    for job in (recipe.get("jobs") or {}).values():
        for step in job.get("steps", []):
            if "run" in step:
                lines.extend(step["run"].splitlines())
    for name, job in recipe.items():
        if isinstance(job, dict) and name not in {"variables", "include", "stages", "default", "workflow"}:
            for key in ("before_script", "script", "after_script"):
                for entry in job.get(key, []) or []:
                    lines.extend(entry.splitlines())
    return [line for line in lines if line.strip() and not line.strip().startswith("#")]


def vlicense_commands(line: str) -> list[list[str]]:
    """The argument lists of the vlicense invocations on one shell line (env assignments in front skipped)."""
    words = shlex.split(line, comments=True)
    commands, current, inside, at_start = [], [], False, True
    for word in words:
        if word in _SEPARATORS:
            if inside:
                commands.append(current)
            current, inside, at_start = [], False, True
        elif inside:
            current.append(word)
        elif at_start and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word):
            continue  # VAR=value in front of a command
        elif at_start and word == "vlicense":
            inside = True
        else:
            at_start = False
    if inside:
        commands.append(current)
    return commands


def parse_with_click(args: list[str]) -> tuple[str, dict]:
    """Parse ``vlicense <args>`` with the real click commands; returns (subcommand name, its parameters)."""
    ctx = cli.make_context("vlicense", list(args), resilient_parsing=False)
    # Click 8.2+ keeps the subcommand and its arguments in _protected_args + args (protected_args is deprecated).
    remaining = [*getattr(ctx, "_protected_args", []), *ctx.args]
    name, command, rest = cli.resolve_command(ctx, remaining)
    sub = command.make_context(name, rest, parent=ctx)
    return name, sub.params


def recipe_env(recipe: dict) -> dict[str, str]:
    env: dict[str, str] = {}
    for job in (recipe.get("jobs") or {}).values():
        env.update({k: str(v) for k, v in (job.get("env") or {}).items()})
    for name, job in recipe.items():
        if isinstance(job, dict) and name != "jobs":
            env.update({k: str(v) for k, v in (job.get("variables") or {}).items()})
    env.update({k: str(v) for k, v in (recipe.get("variables") or {}).items()})
    return env


def test_there_are_recipes_for_github_gitlab_and_pre_commit():
    names = {p.name for p in RECIPES}
    assert {"github-actions.yml", "gitlab-ci.yml", "pre-commit-config.yaml"} <= names


@pytest.mark.parametrize("recipe_path", [p for p in RECIPES if p.name != "pre-commit-config.yaml"], ids=lambda p: p.name)
def test_every_vlicense_command_in_a_recipe_parses(recipe_path):
    recipe = yaml.safe_load(recipe_path.read_text())
    commands = [cmd for line in shell_lines(recipe) for cmd in vlicense_commands(line)]
    assert commands, f"{recipe_path.name} runs no vlicense command"
    for args in commands:
        name, params = parse_with_click(args)
        if name == "audit":
            assert all(fmt in FORMATS for fmt in params["formats"]), (params["formats"], sorted(FORMATS))
            assert len(params["outputs"]) == len(params["formats"]), "every --format in a recipe goes to a file"


@pytest.mark.parametrize("recipe_path", [p for p in RECIPES if p.name != "pre-commit-config.yaml"], ids=lambda p: p.name)
def test_every_vlicense_variable_in_a_recipe_is_a_setting_with_a_valid_value(recipe_path, tmp_path):
    env = {k: v for k, v in recipe_env(yaml.safe_load(recipe_path.read_text())).items() if k.startswith("VLICENSE_")}
    assert env, f"{recipe_path.name} shows no VLICENSE_* configuration"
    known = {s.env for s in SETTINGS.values()} | set(GLOBAL_ENV.values())
    assert set(env) <= known
    settings = load_settings(tmp_path, {}, env)  # raises ConfigError for a bad value
    assert all(settings.origins[key].startswith("environment") for key, s in SETTINGS.items() if s.env in env)


def test_github_recipe_uploads_sarif_summary_comment_and_artifact():
    recipe = yaml.safe_load((CI / "github-actions.yml").read_text())
    steps = recipe["jobs"]["license-audit"]["steps"]
    uses = {s.get("uses", "").split("@")[0] for s in steps}
    assert {"github/codeql-action/upload-sarif", "actions/upload-artifact", "actions/checkout"} <= uses
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "$GITHUB_STEP_SUMMARY" in runs and "gh pr comment" in runs
    sarif = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert sarif["with"]["sarif_file"] == "vlicense.sarif" and sarif["if"] == "always()"
    assert recipe["permissions"]["security-events"] == "write"
    gate = steps[-1]
    audit = next(s for s in steps if s.get("id") == "audit")
    assert audit["continue-on-error"] is True and "steps.audit.outcome == 'failure'" in gate["if"]


def test_gitlab_recipe_declares_its_reports():
    job = yaml.safe_load((CI / "gitlab-ci.yml").read_text())["vlicense"]
    assert job["artifacts"]["when"] == "always"
    cyclonedx = job["artifacts"]["reports"]["cyclonedx"]
    script = " ".join(job["script"])
    for path in cyclonedx:
        assert f"-o {path}" in script
    assert set(job["artifacts"]["paths"]) >= set(cyclonedx)


def test_pre_commit_example_uses_hooks_this_repository_provides():
    provided = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    example = yaml.safe_load((CI / "pre-commit-config.yaml").read_text())
    text = (CI / "pre-commit-config.yaml").read_text()
    # The commented-out alternative (vlicense-system) must be valid too once uncommented.
    alternative = yaml.safe_load(text.replace("      # - id:", "      - id:").replace("      #   args:", "        args:"))
    hooks = [h for config in (example, alternative) for repo in config["repos"] for h in repo["hooks"]]
    assert {h["id"] for h in hooks} == set(provided)
    for hook in hooks:
        entry = shlex.split(provided[hook["id"]]["entry"])
        assert entry[0] == "vlicense"
        name, _ = parse_with_click(entry[1:] + hook.get("args", []))
        assert name == "audit"


def test_the_parser_used_here_rejects_what_vlicense_rejects():
    """Guard for the tests above: a misspelt option or unknown command must fail to parse."""
    assert vlicense_commands('VLICENSE_FAIL_ON=warning vlicense audit . -f json -o x.json && echo done') == [
        ["audit", ".", "-f", "json", "-o", "x.json"]
    ]
    assert vlicense_commands("pip install vlicense") == []  # not an invocation: 'vlicense' is an argument of pip
    with pytest.raises(click.exceptions.NoSuchOption):
        parse_with_click(["audit", ".", "--fail-onn", "error"])
    with pytest.raises(click.exceptions.UsageError):
        parse_with_click(["audits", "."])
    with pytest.raises(click.exceptions.BadParameter):
        parse_with_click(["audit", ".", "--fail-on", "sometimes"])
