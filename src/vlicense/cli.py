"""Command line: parse options, run the audit, render, write files, and pick the exit code."""

# Start-up time matters (a pre-commit hook runs this on every commit): this module imports only click and
# the small config/errors modules; everything heavy is imported inside the command that needs it.

from __future__ import annotations

import enum
import logging
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import click
from click.shell_completion import CompletionItem

from vlicense import __version__
from vlicense.config import FAIL_ON_CHOICES, GLOBAL_ENV, env_flag, load_settings
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
    args = argv if argv is not None else sys.argv[1:]
    debug = "--debug" in args or _env_debug()
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
        if debug:
            traceback.print_exc()
        click.echo(f"vlicense: error: {error.message()}", err=True)
        sys.exit(ExitCode.USAGE)
    except Exception as error:  # noqa: BLE001 - the one place where anything unexpected becomes exit 3
        if debug:
            traceback.print_exc()
        click.echo(f"vlicense: internal error: {type(error).__name__}: {error} (run with --debug for the traceback)", err=True)
        sys.exit(ExitCode.INTERNAL)
    sys.exit(code if isinstance(code, int) else ExitCode.PASS)


def _env_debug() -> bool:
    try:
        return bool(env_flag(os.environ, GLOBAL_ENV["debug"]))
    except VLicenseError:
        return False


# ---------------------------------------------------------------------------------------------- terminal


@dataclass
class Terminal:
    """How much to say on stderr and whether to colour: shared by every command through ``ctx.obj``."""

    quiet: bool = False
    verbose: bool = False
    color: bool | None = None  # None: click decides per stream (colour on a terminal only)

    def note(self, message: str) -> None:
        """A one-line note on stderr (files written, hints); silenced by -q."""
        if not self.quiet:
            click.echo(f"vlicense: {message}", err=True, color=self.color)

    def detail(self, message: str) -> None:
        """Shown only with -v."""
        if self.verbose:
            click.echo(f"vlicense: {message}", err=True, color=self.color)

    def stderr_is_terminal(self) -> bool:
        try:
            return bool(sys.stderr.isatty())
        except (AttributeError, ValueError):  # replaced or closed stream
            return False


def resolve_color(flag: bool | None, environ: Mapping[str, str]) -> bool | None:
    """--color/--no-color, else VLICENSE_COLOR, else NO_COLOR (any non-empty value disables), else None (auto)."""
    if flag is not None:
        return flag
    configured = env_flag(environ, GLOBAL_ENV["color"])
    if configured is not None:
        return configured
    if environ.get("NO_COLOR", ""):
        return False
    return None


class Spinner:
    """A one-line progress indicator on a terminal's stderr, for runs long enough to need one.

    It appears only after ``delay`` seconds (a warm pre-commit run prints nothing), redraws from a background
    thread, shows the current stage and its count when the pipeline reports them, and erases itself at the end.
    """

    FRAMES = "|/-\\"

    def __init__(self, stream: TextIO, *, delay: float = 0.4, interval: float = 0.1) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.stage = "auditing"
        self.done: int | None = None
        self.total: int | None = None
        self.drawn = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = 0.0

    def update(self, stage: str, done: int | None = None, total: int | None = None) -> None:
        """The progress callback handed to the pipeline: ``progress("discovering files", 120, 800)``."""
        self.stage, self.done, self.total = stage, done, total

    def __enter__(self) -> Spinner:
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="vlicense-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def line(self, frame: int) -> str:
        count = ""
        if self.done is not None:
            count = f" {self.done}/{self.total}" if self.total else f" {self.done}"
        elapsed = time.monotonic() - self._start
        return f"{self.FRAMES[frame % len(self.FRAMES)]} vlicense: {self.stage}{count} ({elapsed:.1f} s)"

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        frame = 0
        while not self._stop.is_set():
            self.stream.write("\r\x1b[K" + self.line(frame))
            self.stream.flush()
            self.drawn = True
            frame += 1
            self._stop.wait(self.interval)


# --------------------------------------------------------------------------------------------- completion


def _complete_formats(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from vlicense.report import FORMATS

    return [CompletionItem(name) for name in sorted(FORMATS) if name.startswith(incomplete)]


def _complete_policies(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from vlicense.resources import preset_names

    names = [CompletionItem(name) for name in preset_names() if name.startswith(incomplete)]
    return names + [CompletionItem(incomplete, type="file")]


def _complete_identifiers(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from vlicense.explain import completion_candidates

    return [CompletionItem(name) for name in completion_candidates(incomplete)]


class _FormatsOption(click.Option):
    """An option whose help lists the registered report formats, read only when help is shown (keeps start-up lazy)."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from vlicense.report import FORMATS

        record = super().get_help_record(ctx)
        if record is None:
            return None
        return record[0], record[1].replace("{formats}", ", ".join(sorted(FORMATS)))


def _terminal_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """-q/-v/--color on the group and again on audit, so `vlicense audit . -v` works as users type it."""
    function = click.option("--color/--no-color", default=None, help="Colour the text report and messages. Default: on a terminal only, never when NO_COLOR is set. [env: VLICENSE_COLOR]")(function)
    function = click.option("-v", "--verbose", is_flag=True, default=None, help="Also show where each setting came from, the target environment and the sources that were offline. [env: VLICENSE_VERBOSE]")(function)
    return click.option("-q", "--quiet", is_flag=True, default=None, help="Only the report and errors: no progress, no notes. [env: VLICENSE_QUIET]")(function)


# ---------------------------------------------------------------------------------------------- commands

_MAIN_EPILOG = """\b
Examples:
  vlicense audit .                         verdict and findings for the project here
  vlicense audit . -f memo -o memo.md      the full memo (constraints, clauses, alternatives)
  vlicense audit . --policy internal       judge it as an internal tool instead of a SaaS
  vlicense explain AGPL-3.0-only           what a license requires, and why vlicense flags it
  vlicense explain timm:convnextv2_tiny    the license of a model's weights, with its source

\b
Every audit option can also come from [tool.vlicense] in pyproject.toml (same names) or from a
VLICENSE_<NAME> environment variable; the command line wins, then the environment, then pyproject.
Docs: docs/ci.md (CI and pre-commit), docs/policy.md, docs/rules.md, docs/faq.md.
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=_MAIN_EPILOG)
@click.version_option(__version__, prog_name="vlicense")
@_terminal_options
@click.pass_context
def cli(ctx: click.Context, quiet: bool | None, verbose: bool | None, color: bool | None) -> None:
    """Audit the licenses of the libraries and pretrained weights a Python project uses.

    vlicense reads the project statically (it never runs or imports it), resolves the license of every
    library and every model weight (timm, torchvision, Hugging Face, Ultralytics, torch.hub, open_clip, weight
    files), checks them against a policy that knows how the project is distributed, and writes a memo.
    """
    ctx.obj = _make_terminal(ctx, quiet, verbose, color, None)


def _make_terminal(ctx: click.Context, quiet: bool | None, verbose: bool | None, color: bool | None,
                   outer: Terminal | None) -> Terminal:
    """Flags given here win over the group's, which win over VLICENSE_QUIET/VERBOSE/COLOR and NO_COLOR."""
    environ = os.environ
    if outer is None:
        quiet = quiet if quiet is not None else bool(env_flag(environ, GLOBAL_ENV["quiet"]))
        verbose = verbose if verbose is not None else bool(env_flag(environ, GLOBAL_ENV["verbose"]))
        color = resolve_color(color, environ)
    else:
        quiet = quiet if quiet is not None else outer.quiet
        verbose = verbose if verbose is not None else outer.verbose
        color = color if color is not None else outer.color
    if quiet and verbose:
        raise UsageError("--quiet and --verbose contradict each other", fix="give one of them (check VLICENSE_QUIET/VLICENSE_VERBOSE)")
    terminal = Terminal(quiet=quiet, verbose=verbose, color=color)
    ctx.color = terminal.color
    return terminal


def _terminal(ctx: click.Context) -> Terminal:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Terminal) else Terminal()


_AUDIT_EPILOG = """\b
Examples:
  vlicense audit                                   the project in the current folder, text summary
  vlicense audit app.py                            one file (a .py or .ipynb), paths relative to its folder
  vlicense audit . -f memo -o memo.md -f json -o report.json
  vlicense audit . -f sarif -o vlicense.sarif --fail-on never    report only; never fail the job
  vlicense audit . --policy my-policy.yaml --python .venv        your policy; read that environment
  VLICENSE_FAIL_ON=warning vlicense audit .                        stricter gate from the environment

\b
Exit codes: 0 pass · 1 findings at or above --fail-on · 2 usage, config or policy error · 3 internal error.
"""


@cli.command(epilog=_AUDIT_EPILOG, short_help="Audit a project: verdict, findings, reports; exit 1 on blocking findings.")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("-p", "--policy", metavar="NAME|FILE", shell_complete=_complete_policies,
              help="Policy preset (closed-source-saas, closed-source-binary, internal, open-source, strict) or a YAML file. Default: closed-source-saas. [env: VLICENSE_POLICY]")
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT", shell_complete=_complete_formats, cls=_FormatsOption,
              help="Report format: {formats}. Default: text. Repeat for several; pair each with -o. [env: VLICENSE_FORMAT, comma-separated]")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="Write the report to FILE (one per --format, in order). Default: stdout. [env: VLICENSE_OUTPUT, comma-separated]")
@click.option("--offline/--online", "offline", default=None,
              help="--offline: do not query the Hugging Face Hub (the local cache and the bundled knowledge base still answer). Default: online. [env: VLICENSE_OFFLINE]")
@click.option("--python", "python", metavar="PATH",
              help="Interpreter or environment folder whose installed packages are read. Default: .venv/venv in PATH, else $VIRTUAL_ENV, else this environment. [env: VLICENSE_PYTHON]")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES),
              help="Exit 1 when a finding reaches this severity. Default: error. [env: VLICENSE_FAIL_ON]")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files and folders matching GLOB (repeatable). [env: VLICENSE_EXCLUDE, comma-separated]")
@click.option("--baseline", metavar="FILE",
              help="Findings recorded in FILE stay in the report but do not fail the gate (adopt vlicense on a legacy project). [env: VLICENSE_BASELINE]")
@click.option("--write-baseline", "write_baseline", type=click.Path(path_type=Path), metavar="FILE",
              help="Record every current finding in FILE (use it later with --baseline).")
@click.option("--new-since", "new_since", metavar="GIT_REF",
              help="Gate only findings that did not exist at GIT_REF (e.g. origin/main); the project at that ref is audited too. [env: VLICENSE_NEW_SINCE]")
@click.option("--cache/--no-cache", "cache", default=None,
              help="Reuse per-file scan results from the user cache dir (VLICENSE_CACHE_DIR). Default: on. [env: VLICENSE_CACHE]")
@click.option("--template-dir", "template_dir", metavar="DIR",
              help="Your own Jinja2 memo templates (memo.md.j2, memo.html.j2), searched before the bundled ones. [env: VLICENSE_TEMPLATE_DIR]")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors. [env: VLICENSE_DEBUG]")
@_terminal_options
@click.pass_context
def audit(ctx: click.Context, path: Path, policy: str | None, formats: tuple[str, ...], outputs: tuple[Path, ...],
          offline: bool | None, python: str | None, fail_on: str | None, exclude: tuple[str, ...],
          baseline: str | None, write_baseline: Path | None, new_since: str | None, cache: bool | None,
          template_dir: str | None, debug: bool, quiet: bool | None, verbose: bool | None, color: bool | None) -> None:
    """Audit the project at PATH (a folder, or a single .py/.ipynb file; default: the current folder).

    Prints the verdict and the findings; exits 1 when a finding reaches --fail-on, so it can gate a
    commit or a merge.
    """
    terminal = _make_terminal(ctx, quiet, verbose, color, _terminal(ctx))
    _configure_logging(debug or _env_debug(), terminal)
    if not path.exists():
        raise UsageError(f"path does not exist: {path}", fix="pass the project folder (or one .py/.ipynb file) to audit")
    root = path if path.is_dir() else path.parent
    settings = load_settings(
        root,
        {"policy": policy, "format": formats, "output": outputs, "offline": offline, "python": python,
         "fail-on": fail_on, "exclude": exclude, "baseline": baseline, "new-since": new_since, "cache": cache,
         "template-dir": template_dir},
    )
    for line in settings.describe():
        terminal.detail(f"setting {line}")

    from vlicense.pipeline import AuditOptions, run_audit
    from vlicense.report import FORMATS, render

    targets = _pair_formats(settings["format"], settings["output"], FORMATS)
    options = AuditOptions(
        path=path, policy=settings["policy"], offline=settings["offline"], python=settings["python"],
        exclude=tuple(settings["exclude"]), cache=settings["cache"], new_since=settings["new-since"],
        baseline=Path(settings["baseline"]) if settings["baseline"] else None,
    )
    result = _run_with_progress(run_audit, options, terminal)
    if write_baseline is not None:
        from vlicense.policy.baseline import write_baseline as write_baseline_file

        count = write_baseline_file(result.findings, write_baseline)
        terminal.note(f"wrote a baseline of {count} findings to {write_baseline}")
    template_path = Path(settings["template-dir"]) if settings["template-dir"] else None
    _describe_run(terminal, root, result)
    quiet_default = terminal.quiet and settings.origins["format"] == "default"
    for fmt, output in targets:
        text = render(fmt, result, template_dir=template_path)
        if output is None:
            if quiet_default:
                continue  # -q with no format asked for: the exit code is the answer
            if fmt == "text":
                text = colorize_text(text)
            click.echo(text, nl=not text.endswith("\n"), color=terminal.color)
        else:
            _write(Path(output), text)
            terminal.note(f"wrote the {fmt} report to {output}")
    failing = SEVERITY_FOR_FAIL_ON[settings["fail-on"]]
    if any(f.severity in failing for f in result.findings):
        raise click.exceptions.Exit(ExitCode.FINDINGS)


def _run_with_progress(run_audit: Callable[..., Any], options: Any, terminal: Terminal) -> Any:
    """Run the audit; on a terminal (and not -q) show a spinner with the stage the pipeline reports."""
    # The pipeline reports stages through a keyword-only `progress` callback when it has one.
    takes_progress = "progress" in (getattr(run_audit, "__kwdefaults__", None) or {})
    if terminal.quiet or not terminal.stderr_is_terminal():
        return run_audit(options)
    with Spinner(sys.stderr) as spinner:
        return run_audit(options, progress=spinner.update) if takes_progress else run_audit(options)


def _describe_run(terminal: Terminal, root: Path, result: Any) -> None:
    if not terminal.verbose:
        return
    stats = result.stats
    terminal.detail(f"project root: {root.resolve()}")
    terminal.detail(f"policy: {result.policy_name} (distribution: {', '.join(result.context.distribution) or 'none'}; "
                    f"commercial use: {'yes' if result.context.commercial else 'no'})")
    terminal.detail(f"target environment: {stats.get('environment', 'unknown')}")
    offline = "; ".join(result.sources_offline) if result.sources_offline else "none (every source answered)"
    terminal.detail(f"sources offline: {offline}")
    terminal.detail(f"scanned {stats.get('files_scanned', 0)} files: {stats.get('libraries', 0)} libraries, "
                    f"{stats.get('models', 0)} models, {stats.get('unresolved', 0)} unresolved references, "
                    f"{stats.get('skipped', 0)} skipped files")


_SEVERITY_STYLE = {"ERROR": {"fg": "red", "bold": True}, "WARNING": {"fg": "yellow"}, "INFO": {"fg": "cyan"}}
_VERDICT_STYLE = {"FAIL": {"fg": "red", "bold": True}, "WARN": {"fg": "yellow", "bold": True}, "PASS": {"fg": "green", "bold": True}}


def colorize_text(text: str) -> str:
    """Style the verdict and severity words of the text report; click strips the codes when colour is off."""
    text = re.sub(r"\A(vlicense: )(FAIL|WARN|PASS)\b", lambda m: m.group(1) + click.style(m.group(2), **_VERDICT_STYLE[m.group(2)]), text)
    return re.sub(r"(?m)^(\s+)(ERROR|WARNING|INFO)\b", lambda m: m.group(1) + click.style(m.group(2), **_SEVERITY_STYLE[m.group(2)]), text)


def _pair_formats(formats: list[str], outputs: list[Any], known: Mapping[str, Any]) -> list[tuple[str, Path | None]]:
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


def _configure_logging(debug: bool, terminal: Terminal) -> None:
    level = logging.DEBUG if debug else logging.INFO if terminal.verbose else logging.WARNING
    logging.basicConfig(level=level, format="vlicense: %(levelname)s: %(message)s")
    logging.getLogger().setLevel(level)
    # Third-party chatter (HTTP clients, huggingface_hub) stays at WARNING unless --debug.
    for name in ("httpx", "httpcore", "huggingface_hub", "filelock", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)


# ------------------------------------------------------------------------------------------------ explain

_EXPLAIN_EPILOG = """\b
Examples:
  vlicense explain network-copyleft                a rule: why it fires, severities, how to fix
  vlicense explain AGPL-3.0-only                   a license: category, obligation, the clause
  vlicense explain timm:convnextv2_tiny            a model: its weights' license, source, alternatives
  vlicense explain hf:nvidia/segformer-b0-finetuned-ade-512-512
  vlicense explain pypi:ultralytics                a package: license, source, alternatives
"""


@cli.command(epilog=_EXPLAIN_EPILOG, short_help="Explain a rule, a license, a model id or a package.")
@click.argument("identifier", shell_complete=_complete_identifiers)
def explain(identifier: str) -> None:
    """Explain a rule id, a license, a model id (timm:…, torchvision:…, hf:…, ultralytics:…) or a package (pypi:…)."""
    from vlicense.explain import explain_identifier

    click.echo(explain_identifier(identifier))


# ----------------------------------------------------------------------------------------------- kb, policy


@cli.group()
def kb() -> None:
    """The bundled knowledge base of library and weight licenses."""


@kb.command("info")
def kb_info() -> None:
    """Show the knowledge base's tables: library versions they were generated from, dates, counts."""
    from vlicense.knowledge.knowledge_base import KnowledgeBase

    for name, info in sorted(KnowledgeBase.load().versions().items()):
        details = ", ".join(f"{k}={v}" for k, v in sorted(info.items()))
        click.echo(f"{name}: {details}")


@kb.command("refresh")
@click.argument("table", required=False, type=click.Choice(["libraries"]))
@click.option("--out", type=click.Path(path_type=Path), help="Folder to write the generated tables to (default: the installed package's kb folder).")
@click.option("--only", help="Comma-separated subset: timm,torchvision,ultralytics,open_clip.")
@click.option("--wheels", type=click.Path(path_type=Path, file_okay=False), help="With TABLE libraries: folder of downloaded wheels/sdists to read.")
@click.option("--date", help="With TABLE libraries: date of the reading, YYYY-MM-DD (default: today).")
@click.option("--dry-run", is_flag=True, help="With TABLE libraries: report only, write nothing.")
def kb_refresh(table: str | None, out: Path | None, only: str | None, wheels: Path | None, date: str | None,
               dry_run: bool) -> None:
    """Regenerate the timm/torchvision/Ultralytics/open_clip tables from the installed libraries (extra [introspect]);
    `refresh libraries --wheels DIR` grows libraries.yaml from real wheels' metadata instead."""
    from vlicense.resources import kb_dir

    if table == "libraries":
        if wheels is None or only:
            raise click.UsageError("refresh libraries takes --wheels DIR (and no --only)")
        from vlicense.resolution import library_table

        argv = ["--wheels", str(wheels), "--table", str((out or kb_dir()) / "libraries.yaml")]
        argv += (["--date", date] if date else []) + (["--dry-run"] if dry_run else [])
        code = library_table.main(argv)
    else:
        if wheels is not None or date or dry_run:
            raise click.UsageError("--wheels, --date and --dry-run go with: vlicense kb refresh libraries")
        from vlicense.knowledge import refresh

        argv = ["--out", str(out or kb_dir())] + (["--only", only] if only else [])
        code = refresh.main(argv)
    if code:
        raise click.exceptions.Exit(code)


# ------------------------------------------------------------------------------------------------ wiring
# Commands built in other modules are attached here (their heavy imports stay inside the command functions).
from vlicense.policy.commands import policy_group  # noqa: E402 - attached after the group is defined

from vlicense.report.notice_cli import notice_command  # noqa: E402

cli.add_command(policy_group, "policy")
cli.add_command(notice_command, "notice")


if __name__ == "__main__":
    main()
