"""The ``vlicense notice`` command: write the attribution file a shipped product owes (wired into the CLI by cli.py)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import click

from vlicense.errors import UsageError

_EPILOG = """\b
Examples:
  vlicense notice                      # NOTICE text for the project in the current folder, on stdout
  vlicense notice ./app -o NOTICE      # write it to a file
  vlicense notice --python .venv       # read license files from that environment
"""


def build_notice(path: Path, *, python: str | None = None, offline: bool = True, policy: str | None = None,
                 clock: Callable[[], datetime.datetime] | None = None) -> str:
    """Audit ``path`` statically and return the NOTICE text (license texts read from the target environment).

    ``clock`` dates the notice (default: the pipeline's clock, which honours SOURCE_DATE_EPOCH).
    """
    if not path.exists():
        raise UsageError(f"path does not exist: {path}", fix="pass the project folder (or one .py/.ipynb file)")
    from vlicense.pipeline import AuditOptions, run_audit, utc_now
    from vlicense.report import notice
    from vlicense.resolution.environment import find_site_dirs
    from vlicense.resolution.installed import Environment

    root = path if path.is_dir() else path.parent
    options = AuditOptions(path=path, offline=offline, python=python)
    if policy:
        options.policy = policy
    result = run_audit(options, clock=clock or utc_now)
    site = find_site_dirs(root, python)
    environment = Environment.from_paths(site.site_dirs, site.python_version)
    return notice.render(result, environment)


@click.command("notice", epilog=_EPILOG, short_help="Write the third-party NOTICE / attribution file for a shipped product.")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE", help="Write to FILE instead of stdout.")
@click.option("--python", "python", metavar="PATH",
              help="Interpreter or environment folder whose installed packages supply the license files. Default: as for audit.")
@click.option("--offline/--online", "offline", default=True, show_default=True,
              help="--online also asks the Hugging Face Hub for model licenses the local cache and knowledge base lack.")
def notice_command(path: Path, output: Path | None, python: str | None, offline: bool) -> None:
    """Print the attribution the product at PATH owes: its runtime libraries and models grouped by license, with
    the license texts and Apache NOTICE files their installed distributions ship, and an attribution line per model.
    """
    text = build_notice(path, python=python, offline=offline)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write the notice: {error.strerror}", where=str(output), fix="choose a writable path") from None
    click.echo(f"vlicense: wrote the notice to {output}", err=True)
