"""Command line: parse options, run the audit, render, write files, and pick the exit code."""

from __future__ import annotations

import enum
import logging
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from vlicense import __version__
from vlicense.errors import UsageError, VLicenseError

logger = logging.getLogger("vlicense")


class ExitCode(enum.IntEnum):
    """Exit codes promised to CI pipelines (README, DESIGN.md section 3)."""

    PASS = 0
    FINDINGS = 1
    USAGE = 2
    INTERNAL = 3


SEVERITY_FOR_FAIL_ON = {"error": {"error"}, "warning": {"error", "warning"}, "never": set()}


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: never lets a traceback reach the user unless --debug is given."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        # standalone_mode=False: click returns the code of a raised Exit instead of calling sys.exit itself.
        code = cli.main(args=argv, prog_name="vlicense", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.exceptions.Abort:
        click.echo("vlicense: aborted", err=True)
        sys.exit(ExitCode.USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(ExitCode.USAGE)
    except VLicenseError as error:
        click.echo(f"vlicense: error: {error.message()}", err=True)
        sys.exit(ExitCode.USAGE)
    except Exception as error:  # noqa: BLE001 - the one place where anything unexpected becomes exit 3
        if debug:
            traceback.print_exc()
        click.echo(f"vlicense: internal error: {type(error).__name__}: {error} (run with --debug for the traceback)", err=True)
        sys.exit(ExitCode.INTERNAL)
    sys.exit(code if isinstance(code, int) else ExitCode.PASS)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="vlicense")
def cli() -> None:
    """Audit the licenses of the libraries and pretrained weights a Python project uses.

    vlicense reads the project statically (it never runs or imports it), resolves the license of every
    library and every model weight (timm, torchvision, Hugging Face, Ultralytics, torch.hub, open_clip, weight
    files), checks them against a policy that knows how the project is distributed, and writes a memo.

    \b
    Start with:  vlicense audit .            (verdict and summary)
                 vlicense audit . -f memo    (the full memo, Markdown)
    """


@cli.command()
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("-p", "--policy", metavar="NAME|FILE", help="Policy preset name (closed-source-saas, closed-source-binary, internal, open-source) or a YAML file. Default: closed-source-saas.")
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT", help="Report format: text (default), memo, json. Repeat for several; pair each with -o.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path), metavar="FILE", help="Write the report to FILE (one per --format, in order). Default: stdout.")
@click.option("--offline", is_flag=True, default=None, help="Do not query the Hugging Face Hub; use the local cache and the bundled knowledge base.")
@click.option("--python", "python", metavar="PATH", help="Interpreter or environment whose installed packages are read (default: .venv/venv in PATH, else this environment).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), help="Exit 1 when findings reach this severity. Default: error.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip files and folders matching GLOB (repeatable).")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
def audit(path: Path, policy: str | None, formats: tuple[str, ...], outputs: tuple[Path, ...], offline: bool | None,
          python: str | None, fail_on: str | None, exclude: tuple[str, ...], debug: bool) -> None:
    """Audit the project at PATH (a folder, or a single .py/.ipynb file; default: the current folder).

    \b
    Exit codes: 0 pass · 1 findings at or above --fail-on · 2 usage, config or policy error · 3 internal error.
    """
    from vlicense.config import load_settings
    from vlicense.pipeline import AuditOptions, run_audit
    from vlicense.report import FORMATS, render

    _configure_logging(debug)
    if not path.exists():
        raise UsageError(f"path does not exist: {path}", fix="pass the project folder (or one .py/.ipynb file) to audit")
    root = path if path.is_dir() else path.parent
    settings = load_settings(
        root,
        {"policy": policy, "format": formats, "output": outputs, "offline": offline, "python": python,
         "fail-on": fail_on, "exclude": exclude},
    )
    targets = _pair_formats(settings["format"], settings["output"], FORMATS)
    result = run_audit(
        AuditOptions(path=path, policy=settings["policy"], offline=settings["offline"], python=settings["python"],
                     exclude=tuple(settings["exclude"]))
    )
    for fmt, output in targets:
        text = render(fmt, result)
        if output is None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            _write(Path(output), text)
    failing = SEVERITY_FOR_FAIL_ON[settings["fail-on"]]
    if any(f.severity in failing for f in result.findings):
        raise click.exceptions.Exit(ExitCode.FINDINGS)


def _pair_formats(formats: list[str], outputs: list[Any], known: dict[str, Any]) -> list[tuple[str, Path | None]]:
    for fmt in formats:
        if fmt not in known:
            raise UsageError(f"unknown format {fmt!r}", fix=f"choose from: {', '.join(sorted(known))}")
    if len(outputs) > len(formats):
        raise UsageError("more --output files than --format options", fix="give one --format per --output, in order")
    pairs = [(fmt, Path(outputs[i]) if i < len(outputs) else None) for i, fmt in enumerate(formats)]
    if sum(1 for _, out in pairs if out is None) > 1:
        raise UsageError("several formats would go to stdout", fix="pair each extra --format with -o FILE")
    return pairs


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write report: {error.strerror}", where=str(path), fix="choose a writable path") from None


def _configure_logging(debug: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="vlicense: %(levelname)s: %(message)s")


# ------------------------------------------------------------------------------------------------ explain


@cli.command()
@click.argument("identifier")
def explain(identifier: str) -> None:
    """Explain a license (AGPL-3.0-only, CC-BY-NC-4.0), a model id (timm:…, hf:…, ultralytics:…) or a package (pypi:…)."""
    from vlicense.explain import explain_identifier

    click.echo(explain_identifier(identifier))


# ----------------------------------------------------------------------------------------------- kb, policy


@cli.group()
def kb() -> None:
    """The bundled knowledge base of library and weight licenses."""


@kb.command("info")
def kb_info() -> None:
    """Show the knowledge base's tables: library versions they were generated from, dates, counts."""
    from vlicense.resolution.knowledge_base import KnowledgeBase

    for name, info in sorted(KnowledgeBase.load().versions().items()):
        details = ", ".join(f"{k}={v}" for k, v in sorted(info.items()))
        click.echo(f"{name}: {details}")


@kb.command("refresh")
@click.option("--out", type=click.Path(path_type=Path), help="Folder to write the generated tables to (default: the installed package's kb folder).")
@click.option("--only", help="Comma-separated subset: timm,torchvision,ultralytics,open_clip.")
def kb_refresh(out: Path | None, only: str | None) -> None:
    """Regenerate the timm/torchvision/Ultralytics/open_clip tables from the installed libraries (extra [introspect])."""
    from vlicense.resolution import kb_refresh as refresh
    from vlicense.resources import kb_dir

    argv = ["--out", str(out or kb_dir())] + (["--only", only] if only else [])
    code = refresh.main(argv)
    if code:
        raise click.exceptions.Exit(code)


@cli.group()
def policy() -> None:
    """Policies: presets and your own YAML files."""


@policy.command("check")
@click.argument("name_or_file")
def policy_check(name_or_file: str) -> None:
    """Validate a policy file (or preset name); exit 2 with file:line and key on the first problem."""
    from vlicense.policy import load_policy

    loaded = load_policy(name_or_file, search_dir=Path.cwd())
    ctx = loaded.context
    click.echo(f"ok: policy {loaded.name!r} (distribution: {', '.join(ctx.distribution)}; commercial use: {ctx.commercial})")


@policy.command("list")
def policy_list() -> None:
    """List the shipped policy presets."""
    from vlicense.resources import preset_names

    for name in preset_names():
        click.echo(name)


if __name__ == "__main__":
    main()
