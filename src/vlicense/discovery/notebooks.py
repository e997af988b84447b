"""Jupyter notebooks: code cells as one module (magics blanked), shell lines kept, line -> (cell, file line) map."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from vlicense.bounded import Budget, OverLimit, load_json, size_text
from vlicense.discovery.sources import MAX_NOTEBOOK_BYTES, MAX_PYTHON_BYTES, Unreadable

# A real notebook has hundreds of cells and thousands of lines; far beyond that is not worth the time it costs.
MAX_CELLS = 20_000
MAX_CELL_CHARS = 1024 * 1024
MAX_SOURCE_LINES = 200_000
MAX_LOCATE_MISSES = 16

# Cell magics whose body is still Python; any other ``%%magic`` cell (bash, html, writefile...) is not.
PYTHON_CELL_MAGICS = frozenset({"%%time", "%%timeit", "%%capture", "%%prun", "%%memit", "%%debug"})
# Cell magics whose body is shell commands (scanned for ``pip install`` and ``yolo``).
SHELL_CELL_MAGICS = frozenset({"%%bash", "%%sh", "%%script", "%%system", "%%!"})
# Shell escapes, line magics, help (``obj?``) and ``x = !cmd`` / ``x = %magic`` assignments.
_IPYTHON_LINE = re.compile(r"^\s*(?:[%!?]|[\w.]+\s*=\s*[%!]|[\w.]+\?{1,2}\s*$)")
# ``!cmd``, ``%pip ...``, ``%conda ...``, ``%system cmd``, ``x = !cmd`` -> the shell command.
_SHELL_LINE = re.compile(r"^\s*(?:[\w.]+\s*=\s*)?(?:!{1,2}|%(?=pip\b|conda\b|mamba\b)|%system\s+|%sx\s+)(?P<cmd>.*)$")


@dataclass
class ShellLine:
    """A shell command in a notebook: its code-cell index, line in the cell, and line in the concatenated code."""

    cell: int
    cell_line: int
    line: int
    command: str


@dataclass
class NotebookCode:
    """The concatenated code of a notebook's code cells; see ``position`` for the line map."""

    cell_sources: list[list[str]] = field(default_factory=list)
    # Per code cell, per line: the 1-based line of the .ipynb file holding it (0 when not found).
    file_lines: list[list[int]] = field(default_factory=list)
    shell: list[ShellLine] = field(default_factory=list)
    # Code cells left out because they broke a limit: (code-cell index, reason). The cell is blanked, the rest scanned.
    skipped_cells: list[tuple[int, str]] = field(default_factory=list)

    @property
    def source(self) -> str:
        return "\n".join(line for cell in self.cell_sources for line in cell)

    def position(self, line: int) -> tuple[int | None, int | None]:
        """(code-cell index, 1-based line inside the cell) for a 1-based line of ``source``."""
        remaining = line
        for index, cell in enumerate(self.cell_sources):
            if remaining <= len(cell):
                return index, remaining
            remaining -= len(cell)
        return None, None

    def file_line(self, cell: int | None, cell_line: int | None) -> int:
        if cell is None or cell_line is None or cell >= len(self.file_lines):
            return 0
        lines = self.file_lines[cell]
        return lines[cell_line - 1] if 0 < cell_line <= len(lines) else 0

    def first_line(self, cell: int) -> int:
        return sum(len(c) for c in self.cell_sources[:cell]) + 1

    def blank_cell(self, cell: int) -> None:
        self.cell_sources[cell] = ["pass"] * len(self.cell_sources[cell])


def extract(text: str) -> NotebookCode:
    """Parse notebook JSON (nbformat 3 or 4); markdown and raw cells are ignored.

    Bounded: JSON depth and size, number of cells, source lines and code characters (a notebook declaring a
    huge cell or countless lines is refused with the limit it broke, in Unreadable's message).
    """
    try:
        data = load_json(text, max_bytes=MAX_NOTEBOOK_BYTES, what="notebook JSON")
    except OverLimit as exc:
        raise Unreadable(str(exc)) from None
    except ValueError as exc:
        raise Unreadable(f"malformed notebook (not valid JSON: {exc})") from exc
    if not isinstance(data, dict):
        raise Unreadable("malformed notebook (top level is not an object)")
    if isinstance(data.get("cells"), list):
        cells = data["cells"]
        key = "source"
    elif isinstance(data.get("worksheets"), list):
        cells = [c for ws in data["worksheets"] if isinstance(ws, dict) for c in ws.get("cells") or []]
        key = "input"
    else:
        raise Unreadable("malformed notebook (no cells)")
    if len(cells) > MAX_CELLS:
        raise Unreadable(f"notebook with more than {MAX_CELLS:,} cells")
    code = NotebookCode()
    locator = _FileLines(text)
    budget = Budget("notebook")
    lines_seen = code_chars = 0
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        budget.check()
        raw = cell.get(key, cell.get("source", ""))
        parts = raw if isinstance(raw, list) else [raw]
        lines_seen += len(parts)
        if lines_seen > MAX_SOURCE_LINES:
            raise Unreadable(f"notebook with more than {MAX_SOURCE_LINES:,} source lines")
        positions = locator.find(parts)
        if cell.get("cell_type") != "code":
            continue
        if isinstance(raw, list):
            raw = "".join(str(part) for part in raw)
        if not isinstance(raw, str):
            raise Unreadable("malformed notebook (cell source is not text)")
        index = len(code.cell_sources)
        if len(raw) > MAX_CELL_CHARS:
            # One huge cell (pasted data, a generated blob) is left out; the notebook's other cells still count.
            code.skipped_cells.append((index, f"larger than {size_text(MAX_CELL_CHARS)}"))
            raw = "pass"
        code_chars += len(raw)
        if code_chars > MAX_PYTHON_BYTES:
            raise Unreadable(f"notebook code larger than {size_text(MAX_PYTHON_BYTES)} (the limit for a Python file)")
        first = sum(len(c) for c in code.cell_sources) + 1
        lines, shell = python_lines(raw)
        code.cell_sources.append(lines)
        code.file_lines.append(_expand(parts, positions, len(lines)))
        code.shell += [ShellLine(index, n, first + n - 1, cmd) for n, cmd in shell]
    return code


# Text whose JSON string form needs no escape other than a newline's ``\n``.
_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*\n?')


class _FileLines:
    """Finds each cell's source strings in the raw JSON text, in order, to map code lines to file lines."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.cursor = 0
        self.line = 1
        # A string written with unusual escapes is not found, and each miss searches the rest of the file: after
        # a few misses, lines are no longer looked up (locations fall back to code lines), so the work stays linear.
        self.misses = 0

    def find(self, parts: list[object]) -> list[int]:
        out = []
        for part in parts:
            found = -1
            if isinstance(part, str) and self.misses < MAX_LOCATE_MISSES:
                # Most lines need no escape but their final newline: their JSON form is built without the encoder.
                plain = _PLAIN.fullmatch(part) is not None
                needles = ('"' + part.replace("\n", "\\n") + '"',) if plain and part.isascii() else \
                    (json.dumps(part, ensure_ascii=False), json.dumps(part))
                for needle in needles:
                    found = self.text.find(needle, self.cursor)
                    if found >= 0:
                        self.line += self.text.count("\n", self.cursor, found)
                        self.cursor = found + len(needle)
                        break
                else:
                    self.misses += 1
            out.append(self.line if found >= 0 else 0)
        return out


def _expand(parts: list[object], positions: list[int], count: int) -> list[int]:
    """File line of every code line: a list item is one line; a single string spans one JSON line."""
    out: list[int] = []
    for part, pos in zip(parts, positions):
        n = str(part).count("\n") + (0 if str(part).endswith("\n") else 1)
        out += [pos] * max(n, 1 if part else 0)
    out = out[:count]
    return out + [out[-1] if out else 0] * (count - len(out))


def python_lines(raw: str) -> tuple[list[str], list[tuple[int, str]]]:
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # a trailing newline does not add a line
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%") and first.split()[0] not in PYTHON_CELL_MAGICS:
        magic = first.split()
        shell: list[tuple[int, str]] = []
        if magic[0] in SHELL_CELL_MAGICS and (magic[0] != "%%script" or (len(magic) > 1 and magic[1] in ("bash", "sh"))):
            i = next(i for i, line in enumerate(lines) if line.strip()) + 1
            while i < len(lines):
                command, after = _continued(lines, i)
                if command.strip():
                    shell.append((i + 1, command.strip()))
                i = after
        return ["pass"] * len(lines), shell
    shell = []
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not _IPYTHON_LINE.match(line):
            out.append(line)
            i += 1
            continue
        m = _SHELL_LINE.match(line)
        # ``!cmd \`` continues on the next lines (one logical line, as IPython reads it).
        joined, after = _continued(lines, i) if m else (line, i + 1)
        if m:
            cmd = _SHELL_LINE.match(joined).group("cmd").strip()  # type: ignore[union-attr]
            if line.lstrip().startswith("%") and not line.lstrip().startswith(("%system", "%sx")):
                cmd = joined.strip()[1:]  # %pip install x -> pip install x
            shell.append((i + 1, cmd))
        # Replacing (not deleting) keeps every line number, and the indentation keeps blocks valid.
        out += [line[: len(line) - len(line.lstrip())] + "pass"] * (after - i)
        i = after
    return out, shell


def _continued(lines: list[str], start: int) -> tuple[str, int]:
    """The logical line starting at ``lines[start]`` (backslash continuations joined) and the index after it."""
    pieces = []
    i = start
    while i < len(lines):
        text = lines[i].rstrip()
        i += 1
        if text.endswith("\\") and not text.endswith("\\\\"):
            pieces.append(text[:-1])
            continue
        pieces.append(text)
        break
    return " ".join(pieces), i


# ------------------------------------------------------------------------------------------ shell commands

_PIP_VALUE_OPTIONS = frozenset({"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
                                "--extra-index-url", "-f", "--find-links", "--target", "-t", "--prefix", "--root",
                                "--platform", "--python-version", "--implementation", "--abi", "--upgrade-strategy",
                                "--progress-bar", "--src", "--trusted-host", "--proxy", "--cache-dir", "--log"})


def split_commands(command: str) -> list[list[str]]:
    """``a && b; c | d`` -> token lists of each simple command (quotes honored; unparseable -> [])."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
    except ValueError:
        return []
    out: list[list[str]] = [[]]
    for token in tokens:
        if token and set(token) <= set(";&|"):
            out.append([])
        else:
            out[-1].append(token)
    return [c for c in out if c]


def pip_installs(tokens: list[str]) -> list[tuple[str, str]]:
    """(canonical name, specifier) for each requirement of ``pip install ...`` (also ``python -m pip``, ``uv pip``)."""
    words = list(tokens)
    while words and words[0] in ("sudo", "python", "python3", "uv", "-m", "-q") or (words and "=" in words[0] and not words[0].startswith("-")):
        words.pop(0)
    if len(words) < 2 or words[0] not in ("pip", "pip3", "mamba", "conda") or words[1] != "install":
        return []
    out: list[tuple[str, str]] = []
    skip = False
    for word in words[2:]:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            skip = word in _PIP_VALUE_OPTIONS
            continue
        if "/" in word or word.startswith(".") or word.endswith((".whl", ".tar.gz", ".zip")) or "://" in word:
            continue  # a path, URL or VCS link: not a name this step can identify
        try:
            req = Requirement(word)
        except InvalidRequirement:
            continue
        out.append((canonicalize_name(req.name), str(req.specifier)))
    return out
