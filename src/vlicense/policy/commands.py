"""Click commands for `vlicense policy`: check (every problem), init (a starter policy), list (the presets)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vlicense.errors import UsageError, VLicenseError
from vlicense.model import ProjectContext
from vlicense.policy.context import DISTRIBUTIONS, normalize_distribution

USAGE_EXIT = 2  # the CLI contract: usage, config or policy error


def _fail(error: VLicenseError) -> None:
    """Print one error the way vlicense.cli.main does and exit 2 (works under CliRunner too)."""
    click.echo(f"vlicense: error: {error.message()}", err=True)
    raise click.exceptions.Exit(USAGE_EXIT)


@click.group("policy")
def policy_group() -> None:
    """Policies: check a policy file, write a starter one, list the presets."""


# ------------------------------------------------------------------------------------------------- check


@policy_group.command("check")
@click.argument("name_or_file")
def check(name_or_file: str) -> None:
    """Validate a policy file (or preset name) and the files it extends.

    Every problem is printed as `file:line: key: message`; exit 2 if there is any, 0 if the policy is valid.
    """
    from vlicense.policy.schema import check_policy

    policy, problems = check_policy(name_or_file, search_dir=Path.cwd())
    if problems or policy is None:
        for problem in problems:
            click.echo(problem.format(), err=True)
        n = len(problems)
        click.echo(f"vlicense: {n} problem{'s' if n != 1 else ''} in policy {name_or_file}", err=True)
        raise click.exceptions.Exit(USAGE_EXIT)
    ctx = policy.context
    chain = f"; extends {' -> '.join(policy.extends)}" if policy.extends else ""
    click.echo(
        f"ok: policy {policy.name!r}{chain} (distribution: {', '.join(ctx.distribution)}; "
        f"commercial use: {str(ctx.commercial).lower()}; project license: {ctx.project_license or 'not set'}; "
        f"{len(policy.exceptions)} exception(s), {len(policy.overrides)} override(s))"
    )


# -------------------------------------------------------------------------------------------------- init


def _distribution(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    out = []
    for raw in values:
        for part in str(raw).split(","):
            if not part.strip():
                continue
            norm = normalize_distribution(part)
            if norm is None:
                raise UsageError(f"unknown distribution model {part.strip()!r}", fix=f"choose from: {', '.join(DISTRIBUTIONS)}")
            out.append(norm)
    if not out:
        raise UsageError("no distribution model given", fix=f"choose from: {', '.join(DISTRIBUTIONS)}")
    return tuple(dict.fromkeys(out))


def _project_license(value: str | None) -> str | None:
    if value is None or not value.strip() or value.strip().lower() in ("none", "null", "proprietary"):
        return None
    from license_expression import ExpressionError

    from vlicense.knowledge.licenses import LICENSING

    try:
        parsed = LICENSING.parse(value.strip())
    except ExpressionError as exc:
        raise UsageError(f"invalid project license {value!r} ({exc})", fix="give an SPDX expression such as MIT or Apache-2.0") from None
    return str(parsed) if parsed is not None else None


@policy_group.command("init")
@click.option("--distribution", "distribution", multiple=True, metavar="MODEL",
              help=f"How the project reaches people: {', '.join(DISTRIBUTIONS)} (repeat or comma-separate). Default: saas.")
@click.option("--commercial/--no-commercial", default=None, help="Whether the project is used commercially. Default: commercial.")
@click.option("--project-license", metavar="SPDX", help="The project's own license (SPDX expression); omit for closed source.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("vlicense.yaml"), show_default=True,
              help="Where to write the policy.")
@click.option("--name", metavar="NAME", help="Policy name shown in reports. Default: the current folder's name.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.option("--interactive/--no-interactive", default=None,
              help="Ask the questions (default: only when stdin and stdout are a terminal).")
def init(distribution: tuple[str, ...], commercial: bool | None, project_license: str | None, output: Path,
         name: str | None, force: bool, interactive: bool | None) -> None:
    """Write a starter policy for this project's context (extends the matching preset; comments explain each key).

    On a terminal it asks for the distribution model, commercial use and the project license; otherwise (CI,
    scripts) it takes the flags, with defaults saas / commercial / no project license.
    """
    from vlicense.policy.schema import check_policy
    from vlicense.policy.starter import preset_for, starter_policy

    try:
        if output.exists() and not force:
            raise UsageError("file already exists", where=str(output), fix="pass --force to overwrite, or -o another path")
        if interactive is None:
            interactive = sys.stdin.isatty() and sys.stdout.isatty()
        if interactive:
            if not distribution:
                answer = click.prompt(
                    f"How does the project reach people? ({', '.join(DISTRIBUTIONS)}; comma-separate several)",
                    default="saas",
                )
                distribution = (answer,)
            dist = _distribution(distribution)
            if commercial is None:
                commercial = click.confirm("Is it used commercially (by or for a business)?", default=True)
            if project_license is None:
                project_license = click.prompt(
                    "The project's own license (SPDX, e.g. MIT; empty for closed source)", default="", show_default=False
                )
        else:
            dist = _distribution(distribution or ("saas",))
        context = ProjectContext(
            distribution=dist,
            commercial=True if commercial is None else commercial,
            project_license=_project_license(project_license),
        )
        policy_name = name or (Path.cwd().name or "my-project")
        text = starter_policy(context, name=policy_name)
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write policy: {exc.strerror or exc}", where=str(output)) from None
    except VLicenseError as error:
        _fail(error)
        return
    # The starter must be valid as written; a failure here is a vlicense bug, and says so loudly.
    _, problems = check_policy(str(output))
    if problems:
        raise RuntimeError("starter policy failed its own check: " + "; ".join(p.format() for p in problems))
    click.echo(
        f"wrote {output} (extends {preset_for(context)}; distribution: {', '.join(context.distribution)}; "
        f"commercial use: {str(context.commercial).lower()}). Next: vlicense audit --policy {output}"
    )


# -------------------------------------------------------------------------------------------------- list


@policy_group.command("list")
def list_presets() -> None:
    """List the shipped policy presets with their context and what they decide."""
    from vlicense.policy.schema import load_policy
    from vlicense.resources import preset_names

    for preset in preset_names():
        try:
            loaded = load_policy(preset)
        except VLicenseError as error:  # a broken bundled preset is reported, not hidden
            click.echo(f"{preset}: BROKEN ({error.message()})")
            continue
        ctx = loaded.context
        use = "commercial" if ctx.commercial else "non-commercial"
        click.echo(f"{preset}  [{', '.join(ctx.distribution)}; {use}]")
        if loaded.description:
            click.echo(f"    {loaded.description}")


__all__ = ["policy_group"]
