"""Model downloads and installs in Dockerfiles, shell scripts and Makefiles (yolo CLI, hf download, wget, pip)."""

from __future__ import annotations

import bisect
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from vlicense.bounded import OverLimit, load_json
from vlicense.discovery import cmdline, registry
from vlicense.discovery.configs import (
    MAX_CONFIG_BYTES,
    SNIPPET_LIMIT,
    Reference,
    ValueContext,
    _kb,
    _project_path,
    classify_value,
    is_hub_key,
    is_model_key,
    url_reference,
    url_references,
)
from vlicense.discovery.loaders.base import looks_like_path, normalize_path, weight_format
from vlicense.discovery.loaders.cli import cli_commands, cli_hits, cli_reference, ultralytics_cli_class
from vlicense.discovery.manifests import _name_and_specifier
from vlicense.discovery.registry import FileScan
from vlicense.discovery.sources import Unreadable, decode_text, read_bytes
from vlicense.model import (
    Location,
    ModelReference,
    RequirementReference,
    SkippedFile,
    UnresolvedReference,
)

SCANNER_NAME = "shell"
# Bump when what the scanner reports changes: it keys the per-file result cache.
SCANNER_VERSION = "6"

DOCKERFILE_NAMES = ("dockerfile", "containerfile")
SHELL_SUFFIXES = (".sh", ".bash")
MAKEFILE_NAMES = ("makefile", "gnumakefile")


def file_kind(rel: str) -> str | None:
    """``docker`` | ``shell`` | ``make`` for a file this scanner reads, else None."""
    name = rel.rpartition("/")[2].lower()  # asked of every walked file: no PurePosixPath here
    if name in DOCKERFILE_NAMES or name.startswith(("dockerfile.", "containerfile.")) or name.endswith((".dockerfile", ".containerfile")):
        return "docker"
    if name.endswith(SHELL_SUFFIXES):
        return "shell"
    if name in MAKEFILE_NAMES or name.endswith(".mk"):
        return "make"
    return None


def matches(rel: str) -> bool:
    return file_kind(rel) is not None


# ------------------------------------------------------------------------------------------ text model


@dataclass
class Logical:
    """One logical line (continuations joined) and where each piece came from."""

    text: str
    # (offset in text, physical 1-based line) for every joined piece, ascending.
    starts: list[tuple[int, int]]

    def line_at(self, offset: int) -> int:
        return self._piece(offset)[1]

    def column_at(self, offset: int) -> int:
        start, _ = self._piece(offset)
        return max(offset - start, 0) + 1

    def _piece(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right([s for s, _ in self.starts], offset) - 1
        return self.starts[max(index, 0)]

    @property
    def first_line(self) -> int:
        return self.starts[0][1]


@dataclass
class Token:
    text: str
    line: int
    column: int = 1


@dataclass
class _Context:
    """What the scan of one file accumulates, and the variables known so far."""

    rel: str
    scope: str
    root: Path | None
    group: str
    api_prefix: str
    lines: list[str]
    variables: dict[str, str] = field(default_factory=dict)
    result: FileScan = field(default_factory=FileScan)
    # IPython command lines (notebook ``!`` lines, ``os.system`` strings): ``{expr}`` is a run-time value.
    ipython: bool = False
    depth: int = 0

    def expand(self, text: str) -> tuple[str, str | None]:
        return _expand(text, self.variables, braces=self.ipython)

    def location(self, line: int, column: int = 1) -> Location:
        snippet = self.lines[line - 1].strip()[:SNIPPET_LIMIT] if 0 < line <= len(self.lines) else ""
        return Location(self.rel, line, column, snippet)

    def add(self, refs: Iterable[Reference]) -> None:
        for ref in refs:
            (self.result.models if isinstance(ref, ModelReference) else self.result.unresolved).append(ref)

    def value_context(self, api: str, *, hub_key: bool = False) -> ValueContext:
        return ValueContext(self.root or Path("/nonexistent-vlicense-root"), self.rel, self.scope, api, {}, hub_key)


def _continued(lines: list[str], start: int, escape: str, *, skip_comments: bool) -> tuple[Logical, int]:
    """Join lines[start:] while a line ends with the escape character; returns (logical, next index)."""
    pieces: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    index = start
    while index < len(lines):
        raw = lines[index]
        stripped = raw.rstrip()
        # Docker drops comment lines inside a continued instruction; they do not end it.
        if index > start and skip_comments and raw.lstrip().startswith("#"):
            index += 1
            continue
        continues = stripped.endswith(escape) and not stripped.endswith(escape * 2)
        piece = stripped[:-1] if continues else raw
        starts.append((offset, index + 1))
        pieces.append(piece)
        offset += len(piece) + 1
        index += 1
        if not continues:
            break
    return Logical(" ".join(pieces), starts), index


def _tokens(logical: Logical, text: str | None = None, base: int = 0) -> list[Token]:
    """Shell words and control operators of a logical line, each with its physical line (comments dropped)."""
    source = logical.text if text is None else text
    try:
        lexer = shlex.shlex(source, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        lexer.commenters = ""
        words = list(lexer)
    except ValueError:  # unbalanced quotes: fall back to plain words
        words = source.split()
    tokens: list[Token] = []
    cursor = 0
    for word in words:
        if word.startswith("#"):
            break  # a comment runs to the end of the line
        found = source.find(word, cursor) if word else -1
        if found < 0:
            found = cursor
        else:
            cursor = found + len(word)
        tokens.append(Token(word, logical.line_at(base + found), logical.column_at(base + found)))
    return tokens


def _split_commands(tokens: list[Token]) -> list[list[Token]]:
    """Simple commands between control operators; a redirection (``> log``) is dropped with its target."""
    commands: list[list[Token]] = [[]]
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
            continue
        if token.text and all(ch in "<>" for ch in token.text):
            skip_next = True
        elif token.text and all(ch in ";&|()<>" for ch in token.text):
            if token.text in ("&",) and commands[-1] and commands[-1][-1].text.isdigit():
                continue  # ``2>&1``
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


# ------------------------------------------------------------------------------------------- variables

_VAR = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_0-9]+)(?:(?P<op>:?[-=])(?P<default>[^}]*))?\}|\((?P<make>[A-Za-z_][\w.]*)\)|(?P<plain>[A-Za-z_][A-Za-z_0-9]*|[0-9]))")


# IPython substitutes ``{expr}`` in ``!`` lines (and vlicense writes a Python value it cannot know that way).
_BRACES = re.compile(r"\{[^{}\s]+\}")


# A variable's value and one expanded text stay small: ``a="$b$b"`` chains double at every line, and a hostile
# script must not build gigabyte strings. Past the cap a variable counts as not known (its references stay as written).
MAX_EXPANSION = 16 * 1024


def _expand(text: str, variables: Mapping[str, str], *, braces: bool = False) -> tuple[str, str | None]:
    """(text with known variables substituted, the first variable that is not known as written, or None)."""
    missing: list[str] = []
    budget = [MAX_EXPANSION]

    def substitute(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("make") or match.group("plain")
        if name in variables and len(variables[name]) <= budget[0]:
            budget[0] -= len(variables[name])
            return variables[name]
        if match.group("op") is not None:
            return match.group("default")
        missing.append(f"${name}")
        return match.group(0)

    expanded = _VAR.sub(substitute, text)
    if braces and not missing:
        found = _BRACES.search(expanded)
        if found:
            missing.append(found.group(0))
    return expanded, (missing[0] if missing else None)


def _unset(missing: str) -> str:
    """Why a value with an unknown variable is not resolved."""
    if missing.startswith("{"):
        return f"{missing} is only known at run time"
    return f"shell variable {missing} is not set in this file"


_ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z_0-9]*)=(?P<value>.*)$", re.DOTALL)


def _assign(ctx: _Context, name: str, value: str, line: int, api: str, column: int = 1) -> None:
    """Record a variable; a model-ish name (``MODEL=yolov8n.pt``) is itself a reference."""
    expanded, missing = ctx.expand(value)
    if len(expanded) > MAX_EXPANSION:
        ctx.variables.pop(name, None)  # too long to be a path, URL or id: not known from here on
        return
    ctx.variables[name] = expanded
    if is_model_key(name) and expanded.strip():
        location = ctx.location(line, column)
        if missing:
            if _weightish(expanded):
                ctx.add([UnresolvedReference(location, "file", value, _unset(missing))])
            return
        ctx.add(classify_value(expanded, location, ctx.value_context(f"{api} {name}", hub_key=is_hub_key(name))))


def _weightish(text: str) -> bool:
    return bool(weight_format(text)) or "/" in text


# -------------------------------------------------------------------------------------------- commands

WRAPPERS = frozenset({"sudo", "exec", "nohup", "time", "command", "builtin", "env", "nice", "stdbuf", "timeout"})
SHELL_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "fi", "done"})
RUNNERS = frozenset({"uv", "poetry", "pipenv", "pdm", "hatch", "rye", "conda", "mamba", "micromamba", "pixi"})
# Programs the loader catalog has command-line forms for (``yolo``, ...).
CATALOG_COMMANDS = cli_commands()
DOWNLOADERS = frozenset(cmdline.DOWNLOAD_OPTIONS)
# ``sh -c "bash -c '...'"``: nested shell strings are read this deep.
MAX_NESTED_SHELLS = 4
HF_CLIS = frozenset({"huggingface-cli", "hf"})
HF_VALUE_OPTIONS = frozenset({"--revision", "--repo-type", "--local-dir", "--cache-dir", "--token", "--max-workers", "--local-dir-use-symlinks", "--etag-timeout", "--type"})
HF_LIST_OPTIONS = frozenset({"--include", "--exclude"})
PIP_VALUE_OPTIONS = frozenset(
    {
        "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
        "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--trusted-host", "--platform",
        "--python-version", "--implementation", "--abi", "--no-binary", "--only-binary", "--progress-bar",
        "--cache-dir", "--src", "--upgrade-strategy", "-C", "--config-settings", "--global-option", "--python",
        "--report", "--log", "--proxy", "--retries", "--timeout", "--exists-action", "--cert", "--client-cert",
        "--index", "--default-index",
    }
)  # fmt: skip


def _command_word(command: list[Token]) -> list[Token]:
    """The command without leading assignments, keywords, wrappers and ``uv run``-style runners."""
    i = 0
    while i < len(command):
        word = command[i].text
        if word in SHELL_KEYWORDS or _ASSIGNMENT.match(word):
            i += 1
        elif word in WRAPPERS:
            i += 1
            while i < len(command) and command[i].text.startswith("-"):
                i += 1
        elif word in RUNNERS and i + 1 < len(command) and command[i + 1].text == "run":
            i += 2
            while i < len(command) and command[i].text.startswith("-"):
                # ``conda run -n env`` takes a value.
                i += 2 if command[i].text in ("-n", "--name", "-p", "--prefix") else 1
        else:
            break
    return command[i:]


def _scan_command(ctx: _Context, command: list[Token]) -> None:
    if not command:
        return
    # A command that is only assignments sets variables (``MODEL=yolov8n.pt``); ``export``/``declare`` too.
    if all(_ASSIGNMENT.match(t.text) for t in command):
        for token in command:
            m = _ASSIGNMENT.match(token.text)
            assert m
            _assign(ctx, m.group("name"), m.group("value"), token.line, "variable", token.column)
        return
    if command[0].text in ("export", "readonly", "declare", "local", "typeset"):
        for token in command[1:]:
            m = _ASSIGNMENT.match(token.text)
            if m:
                _assign(ctx, m.group("name"), m.group("value"), token.line, "variable", token.column)
        return
    words = _program_variable(ctx, _command_word(command))
    if not words:
        return
    program = PurePosixPath(words[0].text).name
    args = words[1:]
    if program in CATALOG_COMMANDS:
        _catalog_command(ctx, words)
    elif program in HF_CLIS and args and args[0].text == "download":
        _hf_download(ctx, words[0], args[1:], program)
    elif program in DOWNLOADERS:
        _download(ctx, program, words)
    elif program == "git" and ([a.text for a in args[:1]] == ["clone"] or [a.text for a in args[:2]] == ["lfs", "clone"]):
        _git_clone(ctx, args)
    elif program in cmdline.SHELLS:
        _shell_string(ctx, program, words)
    else:
        pip_args = _pip_args(program, args)
        if pip_args is not None:
            _pip_install(ctx, pip_args)
        else:
            _script(ctx, program, words)


def _program_variable(ctx: _Context, words: list[Token]) -> list[Token]:
    """``$CMD $URL`` with ``CMD="curl -L -O"`` set earlier in the file: the command word is the variable's words."""
    if not words or not words[0].text.startswith("$"):
        return words
    expanded, missing = ctx.expand(words[0].text)
    try:
        parts = shlex.split(expanded)
    except ValueError:
        parts = expanded.split()
    if missing or not parts:
        return words
    head = words[0]
    return [Token(part, head.line, head.column) for part in parts] + words[1:]


def _catalog_command(ctx: _Context, words: list[Token]) -> None:
    """A command the loader catalog knows (``yolo predict model=x.pt``): each id it names, or the default."""
    for hit in cli_hits([t.text for t in words]):
        api = f"{ctx.api_prefix}{hit.rule.commands[0]} CLI"
        if hit.index is None:
            head = words[0]
            ctx.add(cli_reference(hit, ctx.location(head.line, head.column), ctx.scope, api))
            continue
        token = words[hit.index]
        location = ctx.location(token.line, token.column)
        value, missing = ctx.expand(hit.value)
        if missing:
            ctx.add([UnresolvedReference(location, hit.effective.loader, token.text, _unset(missing))])
            continue
        if hit.effective.map == "ultralytics" and not hit.effective.match:
            # A weights path is read like a config value (project files, official asset names, URLs).
            refs = classify_value(value, location, ctx.value_context(api))
            ctx.add(replace(r, variant=ultralytics_cli_class(r.name)) if isinstance(r, ModelReference) and r.loader == "ultralytics" else r for r in refs)
        else:
            ctx.add(cli_reference(replace(hit, value=value), location, ctx.scope, api))


def _hf_download(ctx: _Context, head: Token, args: list[Token], program: str) -> None:
    positional: list[Token] = []
    repo_type = "model"
    revision: str | None = None
    i = 0
    while i < len(args):
        text = args[i].text
        option, eq, inline = text.partition("=")
        if option in HF_VALUE_OPTIONS:
            value = inline if eq else (args[i + 1].text if i + 1 < len(args) else "")
            if option in ("--repo-type", "--type"):
                repo_type = value
            elif option == "--revision":
                revision = value
            i += 1 if eq else 2
        elif option in HF_LIST_OPTIONS:
            i += 1
            while not eq and i < len(args) and not args[i].text.startswith("-"):
                i += 1
        elif text.startswith("-"):
            i += 1
        else:
            positional.append(args[i])
            i += 1
    api = f"{ctx.api_prefix}{program} download"
    if not positional:
        ctx.add([UnresolvedReference(ctx.location(head.line, head.column), "huggingface", program + " download", "no repository id given")])
        return
    repo_token = positional[0]
    location = ctx.location(repo_token.line, repo_token.column)
    repo, missing = ctx.expand(repo_token.text)
    if missing:
        ctx.add([UnresolvedReference(location, "huggingface", repo_token.text, _unset(missing))])
        return
    if repo_type not in ("model", "models"):
        ctx.add([UnresolvedReference(location, "huggingface", repo, f"repo_type {repo_type}: only model repositories are audited")])
        return
    if revision is not None:
        revision, missing_rev = ctx.expand(revision)
        revision = None if missing_rev else revision
    files = [t.text for t in positional[1:]]
    refs = classify_value(repo, location, ctx.value_context(api, hub_key=True))
    hub = [r for r in refs if isinstance(r, ModelReference) and r.loader == "huggingface"]
    if not hub:
        ctx.add([UnresolvedReference(location, "huggingface", repo, "not a valid Hugging Face Hub id")])
        return
    variant = files[0] if len(files) == 1 else None
    ctx.add([replace(hub[0], variant=variant, revision=revision)])


def _download(ctx: _Context, program: str, words: list[Token]) -> None:
    """``wget``/``curl``/``aria2c``/``axel``/``gdown``: each weight URL, saved where the command says."""
    # ``wget $URL``: a word that is only known variables is read as its value (unknown ones stay as written).
    texts = [words[0].text] + [ctx.expand(w.text)[0] if "$" in w.text else w.text for w in words[1:]]
    for hit in cmdline.downloads(program, texts):
        token = words[hit.index]
        location = ctx.location(token.line, token.column)
        url, missing = ctx.expand(hit.url)
        if missing:
            if weight_format(url.split("?", 1)[0]):
                ctx.add([UnresolvedReference(location, "file", token.text, _unset(missing))])
            continue
        saved, unknown = ctx.expand(cmdline.saved_path(hit))
        if unknown:
            # ``-P {HOME}/weights``: the folder is only known at run time; the file name still is.
            saved = cmdline.saved_path(replace(hit, file=None, folder=None))
        ctx.add(url_references(url, saved, location, ctx.scope, f"{ctx.api_prefix}{program}"))


def _checkpoint_format(path: str) -> str | None:
    """A weight format, also for PyTorch checkpoints saved as ``.pth.tar`` (``checkpoint.pth.tar``)."""
    lowered = path.lower()
    return weight_format(path) or next((s[1:] for s in (".pth.tar", ".pt.tar", ".ckpt.tar") if lowered.endswith(s)), None)


def _shell_string(ctx: _Context, program: str, words: list[Token]) -> None:
    """``sh -c '...'``: the string is a script."""
    found = cmdline.shell_script(program, [w.text for w in words])
    if found is None or ctx.depth >= MAX_NESTED_SHELLS:
        return
    index, script = found
    token = words[index]
    ctx.depth += 1
    try:
        for command in _split_commands(_tokens(Logical(script, [(0, token.line)]))):
            _scan_command(ctx, command)
    finally:
        ctx.depth -= 1


def _script(ctx: _Context, program: str, words: list[Token]) -> None:
    """``python train.py --weights yolov5s.pt``: options of a Python script whose value is a weight."""
    options = cmdline.script_options(program, [w.text for w in words])
    if not options:
        return
    script = next((w.text for w in words if w.text.endswith(".py")), program)
    for option in options:
        if option.writes:
            continue
        token = words[option.index]
        location = ctx.location(token.line, token.column)
        value, missing = ctx.expand(option.value)
        api = f"{ctx.api_prefix}{PurePosixPath(script).name} {option.option}"
        if missing:
            if option.passes_weights or _checkpoint_format(value):
                ctx.add([UnresolvedReference(location, "file", f"{option.option} {option.value}", _unset(missing))])
            continue
        ctx.add(_script_value(ctx, value, option, location, api))


def _script_value(ctx: _Context, value: str, option: cmdline.ScriptOption, location: Location, api: str) -> list[Reference]:
    """A script option's value when it names weights: a weight URL, a weight file, a known Hub id."""
    value = value.strip()
    if not value:
        return []
    if value.lower().startswith(("http://", "https://")):
        return url_references(value, "", location, ctx.scope, api)
    fmt = _checkpoint_format(value)
    if fmt:
        path = normalize_path(value)
        vctx = ctx.value_context(api)
        local = _project_path(vctx, path)
        if local is None and "/" not in path and _kb().ultralytics_asset(path) is not None:
            return [ModelReference("ultralytics", path, location, api=api, scope=ctx.scope)]
        # ``python detect.py --weights yolov5s.pt`` in a yolov5 clone: the script downloads the release asset.
        named = _kb().weight_by_file_name(path) if local is None and "/" not in path else None
        if named is not None:
            return [ModelReference(named[0], named[1], location, api=api, scope=ctx.scope)]
        return [ModelReference("file", local or path, location, variant=fmt, api=api, scope=ctx.scope)]
    if is_model_key(option.option.lstrip("-")) and value.count("/") == 1 and not looks_like_path(value):
        refs = classify_value(value, location, ctx.value_context(api, hub_key=True))
        return [r for r in refs if isinstance(r, ModelReference) and r.loader == "huggingface"]
    return []


def _git_clone(ctx: _Context, args: list[Token]) -> None:
    for token in args:
        text, missing = ctx.expand(token.text)
        if missing or "huggingface.co/" not in text:
            continue
        url = text.removesuffix(".git")
        ref = url_reference(url, ctx.location(token.line, token.column), ctx.scope, f"{ctx.api_prefix}git clone", strict=False)
        if isinstance(ref, ModelReference):
            ctx.add([ref])


def _pip_args(program: str, args: list[Token]) -> list[Token] | None:
    """The arguments after ``install`` for pip/pip3/python -m pip/uv pip, else None."""
    texts = [a.text for a in args]
    if re.fullmatch(r"pip(?:3(?:\.\d+)?)?", program):
        rest = args
    elif re.fullmatch(r"python(?:3(?:\.\d+)?)?", program) and texts[:2] == ["-m", "pip"]:
        rest = args[2:]
    elif program == "uv" and texts[:1] == ["pip"]:
        rest = args[1:]
    else:
        return None
    while rest and rest[0].text.startswith("-"):
        rest = rest[1:]  # global options (``pip --no-cache-dir install``)
    if not rest or rest[0].text != "install":
        return None
    return rest[1:]


def _pip_install(ctx: _Context, args: list[Token]) -> None:
    i = 0
    while i < len(args):
        token = args[i]
        text = token.text
        option, eq, _ = text.partition("=")
        if text.startswith("-"):
            i += 2 if option in PIP_VALUE_OPTIONS and not eq and not _joined_short(text) else 1
            continue
        i += 1
        expanded, missing = ctx.expand(text)
        if missing or not expanded:
            continue
        # The same reading as requirements files (extras, markers, named URLs, wheel names); local paths -> None.
        parsed = _name_and_specifier(expanded)
        if parsed is not None:
            name, specifier = parsed
            ctx.result.requirements.append(RequirementReference(name, specifier, ctx.location(token.line, token.column), ctx.group))


def _joined_short(text: str) -> bool:
    """``-rrequirements.txt`` carries its value."""
    return len(text) > 2 and text[0] == "-" and text[1] != "-"


# ------------------------------------------------------------------------------------------- scripts

_HEREDOC = re.compile(r"<<-?\s*(['\"]?)(?P<word>[A-Za-z_][\w.-]*)\1")


def scan_shell_text(
    text: str,
    rel: str,
    scope: str,
    *,
    first_line: int = 1,
    group: str = "script",
    lines: list[str] | None = None,
    root: Path | None = None,
    variables: Mapping[str, str] | None = None,
    api_prefix: str = "",
    ipython: bool = False,
) -> FileScan:
    """References in shell text whose first line is line ``first_line`` of ``rel`` (``lines`` = the file's
    lines, for snippets). Also used for CI ``run:`` blocks and notebook ``!`` lines (``ipython``: ``{expr}`` is
    a value known only at run time). Never raises."""
    ctx = _Context(rel, scope, root, group, api_prefix, lines if lines is not None else [""] * (first_line - 1) + text.splitlines(),
                   ipython=ipython)
    ctx.variables.update(variables or {})
    try:
        _shell_lines(ctx, text.splitlines(), first_line)
    except Exception as exc:  # noqa: BLE001 - reported, never raised
        ctx.result.skipped.append(SkippedFile(rel, f"internal error while scanning shell text ({type(exc).__name__}: {exc})"))
    return _finish(ctx)


def command_lines(commands: list[tuple[Location, str]], rel: str, scope: str, *, root: Path | None = None,
                  api_prefix: str = "") -> list[Reference]:
    """Model references and unresolved entries of single command lines found elsewhere (notebook ``!`` lines,
    IPython lines of a .py file, ``os.system`` strings), each reported at its own location."""
    out: list[Reference] = []
    for location, command in commands:
        found = scan_shell_text(command, rel, scope, lines=command.splitlines() or [""], root=root, api_prefix=api_prefix,
                                ipython=True)
        for ref in [*found.models, *found.unresolved]:
            out.append(replace(ref, location=replace(location, column=location.column + ref.location.column - 1)))
    return out


def _shell_lines(ctx: _Context, lines: list[str], first_line: int) -> None:
    index = 0
    while index < len(lines):
        if not lines[index].strip() or lines[index].lstrip().startswith("#"):
            index += 1
            continue
        logical, index = _continued(lines, index, "\\", skip_comments=False)
        logical.starts = [(o, line + first_line - 1) for o, line in logical.starts]
        index = _skip_heredoc(logical.text, lines, index)
        if not _may_matter(logical.text):
            continue
        for command in _split_commands(_tokens(logical)):
            _scan_command(ctx, command)


# A line without any of these can hold no command or assignment this scanner reads (shlex is slow).
_LINE_WORDS = tuple(dict.fromkeys(("=", "yolo", "ultralytics", "hf", "huggingface", "wget", "curl", "aria2c", "axel", "gdown",
                                   "git", "pip", ".py", "-c", "python", "torchrun", "accelerate", "deepspeed",
                                   *sorted(c.lower() for c in CATALOG_COMMANDS))))


def _may_matter(text: str) -> bool:
    lowered = text.lower()
    # A command named by a variable (``$CMD $URL``) may be a downloader set earlier in the file.
    return any(word in lowered for word in _LINE_WORDS) or lowered.lstrip().startswith("$")


def _skip_heredoc(text: str, lines: list[str], index: int) -> int:
    """Index after the body of a heredoc opened on this line (its body is data, not commands)."""
    match = _HEREDOC.search(text)
    if not match:
        return index
    word = match.group("word")
    while index < len(lines) and lines[index].strip() != word:
        index += 1
    return index + 1


def _make_expand(text: str, variables: Mapping[str, str]) -> str:
    """Make's own expansion of a recipe line: known ``$(VAR)``/``${VAR}`` substituted, ``$$`` -> ``$``."""

    budget = [MAX_EXPANSION]

    def substitute(match: re.Match[str]) -> str:
        value = variables.get(match.group(1) or match.group(2))
        if value is None or len(value) > budget[0]:
            return match.group(0)
        budget[0] -= len(value)
        return value

    text = re.sub(r"(?<!\$)\$\(([A-Za-z_][\w.]*)\)|(?<!\$)\$\{([A-Za-z_][\w.]*)\}", substitute, text)
    return text.replace("$$", "$")


def _make_lines(ctx: _Context, lines: list[str]) -> None:
    assignment = re.compile(r"^(?:export\s+|override\s+)?(?P<name>[A-Za-z_][\w.]*)\s*(?::::|::|[:?+!])?=\s*(?P<value>.*)$")
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or line.lstrip().startswith("#"):
            index += 1
            continue
        logical, index = _continued(lines, index, "\\", skip_comments=False)
        if line.startswith("\t"):
            # A recipe line: shell after make's own prefixes; ``$$`` is a literal ``$``.
            body = logical.text.lstrip("\t").lstrip("@-+ ")
            offset = logical.text.find(body) if body else 0
            body = _make_expand(body, ctx.variables)
            if not _may_matter(body):
                continue
            for command in _split_commands(_tokens(logical, body, offset)):
                _scan_command(ctx, command)
            continue
        match = assignment.match(logical.text.strip())
        if match:
            value = re.sub(r"\s+#.*$", "", match.group("value")).strip()
            _assign(ctx, match.group("name"), value, logical.first_line, "make variable")


# ---------------------------------------------------------------------------------------- Dockerfiles

_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(?P<char>[\\`])\s*$", re.IGNORECASE)
COMMAND_INSTRUCTIONS = frozenset({"RUN", "CMD", "ENTRYPOINT"})


def _dockerfile(ctx: _Context, lines: list[str]) -> None:
    escape = "\\"
    for line in lines[:5]:
        match = _DIRECTIVE.match(line.strip())
        if match:
            escape = match.group("char")
    index = 0
    while index < len(lines):
        raw = lines[index]
        if not raw.strip() or raw.lstrip().startswith("#"):
            index += 1
            continue
        logical, index = _continued(lines, index, escape, skip_comments=True)
        text = logical.text.lstrip()
        instruction, _, rest = text.partition(" ")
        instruction = instruction.upper()
        rest_offset = len(logical.text) - len(rest) if rest else len(logical.text)
        if instruction in ("ENV", "ARG"):
            _docker_variables(ctx, instruction, logical, rest, rest_offset)
        elif instruction == "ONBUILD":
            continue
        elif instruction in COMMAND_INSTRUCTIONS:
            index = _docker_command(ctx, instruction, logical, rest, rest_offset, lines, index)
        elif instruction == "ADD":
            _docker_add(ctx, logical, rest, rest_offset)


def _docker_variables(ctx: _Context, instruction: str, logical: Logical, rest: str, offset: int) -> None:
    tokens = _tokens(logical, rest, offset)
    api = f"Dockerfile {instruction}"
    if instruction == "ENV" and tokens and "=" not in tokens[0].text:
        # Legacy ``ENV KEY value with spaces``.
        value = " ".join(t.text for t in tokens[1:])
        _assign(ctx, tokens[0].text, value, tokens[0].line, api, tokens[0].column)
        return
    for token in tokens:
        name, eq, value = token.text.partition("=")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", name):
            continue
        if eq:
            _assign(ctx, name, value, token.line, api, token.column)


def _docker_add(ctx: _Context, logical: Logical, rest: str, offset: int) -> None:
    """``ADD https://.../model.pt /app/weights/``: Docker downloads each URL source into the image."""
    stripped = rest.strip()
    argv: list[Token] = []
    if stripped.startswith("["):
        try:
            loaded = load_json(stripped, max_bytes=MAX_CONFIG_BYTES, what="exec-form ADD")
        except (ValueError, OverLimit):
            loaded = None
        if isinstance(loaded, list) and all(isinstance(a, str) for a in loaded):
            argv = [Token(a, logical.first_line) for a in loaded]
    if not argv:
        argv = [t for t in _tokens(logical, rest, offset) if not t.text.startswith("--")]  # ``--checksum=``, ``--chown=``
    if len(argv) < 2:
        return
    dest, unknown = ctx.expand(argv[-1].text)
    for token in argv[:-1]:
        url, missing = ctx.expand(token.text)
        if not url.lower().startswith(("http://", "https://")):
            continue
        location = ctx.location(token.line, token.column)
        if missing:
            if weight_format(url.split("?", 1)[0]):
                ctx.add([UnresolvedReference(location, "file", token.text, _unset(missing))])
            continue
        name = PurePosixPath(urlsplit(url).path).name
        saved = "" if unknown else (dest + name if dest.endswith("/") else dest)
        ctx.add(url_references(url, saved, location, ctx.scope, "Dockerfile ADD"))


def _docker_command(ctx: _Context, instruction: str, logical: Logical, rest: str, offset: int, lines: list[str], index: int) -> int:
    stripped = rest.strip()
    if stripped.startswith("["):
        try:
            argv = load_json(stripped, max_bytes=MAX_CONFIG_BYTES, what="exec-form command")
        except (ValueError, OverLimit):
            argv = None  # not an exec form we can read: scanned as shell text below
        if isinstance(argv, list) and all(isinstance(a, str) for a in argv):
            if len(argv) >= 3 and argv[0] in ("sh", "/bin/sh", "bash", "/bin/bash") and argv[1] == "-c":
                # ``["sh", "-c", "yolo predict ..."]`` runs a shell string.
                script = Logical(argv[2], [(0, logical.first_line)])
                for command in _split_commands(_tokens(script)):
                    _scan_command(ctx, command)
            else:
                _scan_command(ctx, [Token(a, logical.first_line) for a in argv])
            return index
    tokens = _tokens(logical, rest, offset)
    # ``RUN --mount=type=cache,target=/root/.cache pip install ...``: BuildKit flags come first.
    while instruction == "RUN" and tokens and tokens[0].text.startswith("--"):
        tokens = tokens[1:]
    heredoc = _HEREDOC.search(rest)
    if heredoc:
        word = heredoc.group("word")
        body_start = index
        end = body_start
        while end < len(lines) and lines[end].strip() != word:
            end += 1
        before = [t.text for t in tokens if not t.text.startswith("<") and t.text.strip("'\"") != word]
        # ``RUN <<EOF`` (or ``RUN bash <<EOF``) is a shell script; ``RUN python <<EOF`` is not.
        if not before or PurePosixPath(before[0]).name in ("sh", "bash"):
            _shell_lines(ctx, lines[body_start:end], body_start + 1)
        return end + 1
    for command in _split_commands(tokens):
        _scan_command(ctx, command)
    return index


# --------------------------------------------------------------------------------------------- scan


def scan(path: Path, rel: str, scope: str) -> FileScan:
    """Scan one Dockerfile, shell script or Makefile; never raises (unreadable files become SkippedFile)."""
    kind = file_kind(rel)
    if kind is None:
        return FileScan()
    try:
        text = decode_text(read_bytes(path, MAX_CONFIG_BYTES))
    except Unreadable as exc:
        return FileScan(skipped=[SkippedFile(rel, f"{_KIND_WORDS[kind]} not scanned: {exc}")])
    except Exception as exc:  # noqa: BLE001
        return FileScan(skipped=[SkippedFile(rel, f"internal error while reading ({type(exc).__name__}: {exc})")])
    lines = text.splitlines()
    depth = len(PurePosixPath(rel).parts)
    root = path
    for _ in range(depth):
        root = root.parent
    group = "docker" if kind == "docker" else "script"
    ctx = _Context(rel, scope, root, group, "", lines)
    try:
        if kind == "docker":
            _dockerfile(ctx, lines)
        elif kind == "make":
            _make_lines(ctx, lines)
        else:
            _shell_lines(ctx, lines, 1)
    except Exception as exc:  # noqa: BLE001 - a scanner bug must not abort the audit; it is reported instead
        return FileScan(skipped=[SkippedFile(rel, f"internal error while scanning ({type(exc).__name__}: {exc})")])
    return _finish(ctx)


_KIND_WORDS = {"docker": "Dockerfile", "shell": "shell script", "make": "Makefile"}


def _finish(ctx: _Context) -> FileScan:
    result = ctx.result
    for name in ("models", "unresolved", "requirements"):
        items = getattr(result, name)
        seen: set = set()
        items[:] = [i for i in items if not (i in seen or seen.add(i))]
    return result


registry.register(SCANNER_NAME, SCANNER_VERSION, matches, scan)
