"""Python files that do not parse as a whole: IPython lines become commands, broken top-level statements are blanked.

A Colab export (``!pip install``, ``!wget ...``) or a file with one syntax error (a missing comma in a call) still
holds loads in the rest of its text. ``parse_module`` parses the file as is; when that fails it blanks the IPython
lines (``!cmd``, ``%magic``, as notebooks do; the shell commands are returned for the shell scanner), then blanks
the smallest top-level statement around each remaining syntax error, and parses again (at most MAX_ROUNDS times:
linear in the file's size). Python 2 files are not repaired: the first error says so, and the file is skipped.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from vlicense.bounded import FILE_SECONDS, Budget, OverLimit
from vlicense.discovery.fastimports import triple_strings
from vlicense.discovery.notebooks import python_lines
from vlicense.discovery.python_ast import PythonSyntaxError, parse

# Each round is one parse of the file: the cap keeps a file full of errors linear (and says so).
MAX_ROUNDS = 20
# Messages and lines that only Python 2 writes: such a file is skipped whole, with the reason, at the first error.
PY2_MESSAGES = (
    "Missing parentheses in call to 'print'",
    "Missing parentheses in call to 'exec'",
    "multiple exception types must be parenthesized",
    "leading zeros in decimal integer literals",
)
_PY2_LINE = re.compile(
    r"^[ \t]*(?:(?:print|exec)[ \t]+(?![ \t]*[=(.,:;)\]}+\-*/%<>!&|^@])\S"
    r"|except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:"
    r"|raise[ \t]+[\w.]+[ \t]*,)"
)
# A line of IPython syntax (``!cmd``, ``%magic``, ``x = !cmd``): only looked for when the file does not parse.
_IPYTHON = re.compile(r"^[ \t]*(?:[!%]|[\w.]+[ \t]*=[ \t]*[!%])", re.MULTILINE)
# IPython lines that run shell commands (``!wget``, ``%pip``, ``%%bash``): worth a full read of any file holding one.
# (A literal first character lets the regex engine skip ahead fast.)
_SHELL = re.compile(r"\n(?:![^\s=]|%%?(?:bash|sh|system|sx|pip|conda)\b)")
# Column-0 words that continue the statement above them (``else:`` belongs to the ``if``).
_CONTINUATIONS = re.compile(r"^(?:else|elif|except|finally)\b|^[)\]}]")


@dataclass
class Parsed:
    """The tree of a module and what it took to get it.

    ``source`` is the text that was parsed (IPython lines and broken statements replaced, line numbers kept);
    ``shell``: (1-based line, command) of the IPython shell lines; ``blanked``: (first line, last line, reason)
    of every top-level statement left out.
    """

    tree: ast.Module
    source: str
    shell: list[tuple[int, str]] = field(default_factory=list)
    blanked: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def skipped_reason(self) -> str | None:
        """The reason to list the file as skipped in part, or None when every line was scanned."""
        if not self.blanked:
            return None
        parts = [f"{_lines(first, last)} not valid Python 3 ({reason})" for first, last, reason in self.blanked]
        return "; ".join(parts) + "; the rest of the file was scanned"


def parse_module(source: str, rel: str) -> Parsed:
    """Parse ``source``, repairing what can be repaired; PythonSyntaxError when nothing can be scanned."""
    try:
        return Parsed(parse(source, rel), source)
    except PythonSyntaxError as first:
        error = first
    if error.line <= 0 or _python2(error, source):
        if error.line > 0:
            raise PythonSyntaxError(f"{error.reason}: Python 2 source, not scanned", error.line) from None
        raise error
    lines = source.split("\n")
    strings = _string_lines(source)
    shell: list[tuple[int, str]] = []
    if _IPYTHON.search(source):
        lines, shell = _blank_ipython(lines, strings)
    blanked: list[tuple[int, int, str]] = []
    budget = Budget("repairing the file", seconds=2 * FILE_SECONDS)  # each round parses the whole file again
    for _ in range(MAX_ROUNDS):
        text = "\n".join(lines)
        try:
            return Parsed(parse(text, rel), text, shell, blanked)
        except PythonSyntaxError as exc:
            error = exc
        try:
            budget.check()
        except OverLimit as over:
            raise PythonSyntaxError(f"{error.reason}; {over}", error.line) from None
        region = _statement_around(lines, strings, error.line) if error.line > 0 else None
        if region is None:
            break
        first, last = region
        for n in range(first, last + 1):
            lines[n - 1] = ""
        blanked.append((first, last, error.reason.removeprefix("not valid Python 3 syntax (").removesuffix(")")))
    else:
        raise PythonSyntaxError(f"{error.reason}; more than {MAX_ROUNDS} statements are not valid Python 3", error.line)
    raise error


def has_shell_lines(source: str) -> bool:
    """Whether a Python file holds IPython shell lines at the start of a line (a Colab export): such a file needs
    the full analysis. (Asked of every file: one fast regex; an indented ``!cmd`` in a file that is analyzed anyway
    is still found by parse_module.)"""
    return _SHELL.search(source) is not None or (source[:1] in ("!", "%") and _SHELL.match("\n" + source[:40]) is not None)


def _python2(error: PythonSyntaxError, source: str) -> bool:
    if any(marker in error.reason for marker in PY2_MESSAGES):
        return True
    lines = source.split("\n", error.line)
    return 0 < error.line <= len(lines) and bool(_PY2_LINE.match(lines[error.line - 1]))


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _string_lines(source: str) -> set[int]:
    """1-based lines that start inside a triple-quoted string (their first column is text, not code)."""
    inside: set[int] = set()
    for start, end in triple_strings(source, len(source)):
        first = source.count("\n", 0, start) + 1
        last = first + source.count("\n", start, end)
        inside.update(range(first + 1, last + 1))
    return inside


def _blank_ipython(lines: list[str], strings: set[int]) -> tuple[list[str], list[tuple[int, str]]]:
    """Lines with IPython syntax blanked as notebooks blank them (outside strings), and the shell commands."""
    out = list(lines)
    shell: list[tuple[int, str]] = []
    for n, line in enumerate(lines, 1):
        if n in strings or not _IPYTHON.match(line):
            continue
        kept, commands = python_lines(line)
        if kept != [line]:
            out[n - 1] = kept[0] if kept else ""
            shell += [(n, command) for _, command in commands]
    return out, shell


def _statement_around(lines: list[str], strings: set[int], line: int) -> tuple[int, int] | None:
    """(first, last) 1-based lines of the top-level statement holding ``line``; None when that is blank already."""
    if not 0 < line <= len(lines):
        return None

    def opens(n: int) -> bool:
        text = lines[n - 1]
        return bool(text) and n not in strings and not text[0].isspace() and text[0] != "#" and not _CONTINUATIONS.match(text)

    # A statement starts at a column-0 line of code, except a def right under its decorators (they start it).
    opening = [n for n in range(1, len(lines) + 1) if opens(n)]
    starts = {n for i, n in enumerate(opening) if i == 0 or not lines[opening[i - 1] - 1].startswith("@")}
    starts.add(1)

    first = line
    while first > 1 and first not in starts:
        first -= 1
    last = line
    while last < len(lines) and last + 1 not in starts:
        last += 1
    while last > first and not lines[last - 1].strip():
        last -= 1
    if all(not lines[n - 1].strip() for n in range(first, last + 1)):
        return None
    return first, last
