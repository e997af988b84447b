"""Import statements of a module that cannot load a model, read by a lexer instead of a full parse (fast path).

Only lines that start (after indentation) with ``import``/``from`` are read, minus those inside triple-quoted
strings. When the text looks like something the full parser should judge (a Python 2 statement, a line this
reader cannot take apart), ``scan`` returns None and the caller parses the file properly, so such files are
still reported as skipped with the parser's reason.
"""

from __future__ import annotations

import bisect
import functools
import re

from vlicense.discovery.python_ast import RawImport, import_name
from vlicense.model import Location

# Candidate lines, in one pass (matched against "\n" + source: a literal first character lets the regex engine skip
# ahead fast): import statements (group "imp") and Python 2 only statements (the full parser must see those files:
# they are reported as not Python 3). The possessive indentation makes a failed attempt give up at once.
_LINE = re.compile(
    r"\n[ \t]*+(?:(?P<imp>(?:import|from)[ \t\\(])"
    r"|(?:print|exec)[ \t]+(?![ \t]*[=(.,:;)\]}+\-*/%<>!&|^@])\S"
    r"|except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:"
    r"|raise[ \t]+[\w.]+[ \t]*,)"
)
# Comments and one-line strings: a triple quote inside one of them does not open a string.
_SHORT = re.compile(r'''\#[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*\'''')
_MODULE = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*$")


def scan(source: str, rel: str) -> tuple[list[RawImport], list[str]] | None:
    """(absolute imports with locations, the dotted path of everything imported), or None when a full parse is
    needed.

    The paths (``from lib.io import load`` -> ``lib.io.load``; ``from .io import load`` -> ``.io.load``;
    ``import lib.io as x`` -> ``lib.io``) let the caller decide later, without re-reading the file, whether it
    may call one of the project's wrapper functions (callers.py).
    """
    starts: list[int] = []
    py2: list[int] = []
    # m.start() in "\n" + source is the position in ``source`` of the first character of the matching line.
    for m in _LINE.finditer("\n" + source):
        (starts if m.group("imp") else py2).append(m.start())
    if not starts and not py2:
        return [], []
    # Strings after the last candidate line cannot hide it.
    spans = triple_strings(source, max(starts + py2))
    begins = [s for s, _ in spans]

    def in_string(pos: int) -> bool:
        i = bisect.bisect_right(begins, pos) - 1
        return i >= 0 and spans[i][0] < pos < spans[i][1]

    if any(not in_string(p) for p in py2):
        return None
    out: list[RawImport] = []
    names: set[str] = set()
    line, cursor = 1, 0
    for start in starts:
        if in_string(start):
            continue
        line += source.count("\n", cursor, start)
        cursor = start
        end = source.find("\n", start)
        text = source[start:] if end < 0 else source[start:end]
        statement = text.split("#", 1)[0]
        # Backslash continuations and parenthesized name lists (bounded).
        for _ in range(200):
            open_paren = statement.count("(") > statement.count(")")
            if not (statement.rstrip().endswith("\\") or open_paren) or end < 0:
                break
            nxt = source.find("\n", end + 1)
            more = (source[end + 1:] if nxt < 0 else source[end + 1:nxt]).split("#", 1)[0]
            statement = (statement.rstrip()[:-1] if statement.rstrip().endswith("\\") else statement) + " " + more
            end = nxt
        parsed = _line(statement)
        if parsed is None:
            return None
        modules, bound = parsed
        stripped = text.lstrip()
        location = Location(rel, line, len(text) - len(stripped) + 1, stripped.rstrip()[:200])
        out += [RawImport(m, location) for m in modules]
        names.update(bound)
    return out, sorted(names)


@functools.lru_cache(maxsize=8192)
def _line(statement: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(top-level modules, dotted paths imported) of one logical line of import statements; None when not understood.

    Memoized: a tree repeats the same import lines (``import os``) in many files.
    """
    modules: list[str] = []
    bound: list[str] = []
    for piece in statement.split(";"):
        piece = piece.strip()
        if not piece.startswith(("import", "from")):
            if piece:
                return None
            continue
        parsed = _statement(piece)
        if parsed is None:
            return None
        modules += parsed[0]
        bound += parsed[1]
    return tuple(modules), tuple(bound)


def triple_strings(source: str, last: int) -> list[tuple[int, int]]:
    """Spans of the triple-quoted strings that open at or before ``last`` (unterminated ones are not strings).

    Jumps from one triple quote to the next with str.find (fast) instead of tokenizing the whole text: a triple
    quote opens a string unless a comment or one-line string on its line, before it, covers it. Outside triple
    strings no token spans a line, so the line start (or the end of the previous string) is a safe place to
    look for such a cover.
    """
    spans: list[tuple[int, int]] = []
    find = source.find
    pos = 0
    dq, sq = find('"""'), find("'''")
    while True:
        if 0 <= dq < pos:
            dq = find('"""', pos)
        if 0 <= sq < pos:
            sq = find("'''", pos)
        if dq < 0 and sq < 0:
            return spans
        q = sq if dq < 0 or 0 <= sq < dq else dq
        if q > last:
            return spans
        cursor = max(pos, source.rfind("\n", 0, q) + 1)
        while (token := _SHORT.search(source, cursor)) is not None and token.start() < q:
            cursor = token.end()
            if cursor > q:
                break
        if cursor > q:  # inside a comment or a one-line string
            pos = cursor
            continue
        close = find(source[q:q + 3], q + 3)
        if close < 0:
            pos = q + 2  # unterminated: "" (an empty string) then a lone quote, as a tokenizer reads it
        else:
            pos = close + 3
            spans.append((q, pos))


def _statement(code: str) -> tuple[list[str], list[str]] | None:
    """(top-level modules, dotted paths imported) of one import statement; None when not understood."""
    if code.startswith("from"):
        rest = code[4:].strip()
        module, sep, imported = rest.partition(" import")
        if not sep:
            return None
        module = module.strip()
        names = [n.strip().split(" as ")[0].strip() for n in imported.replace("(", " ").replace(")", " ").split(",")]
        names = [n for n in names if n]
        dots = len(module) - len(module.lstrip("."))
        if dots:
            tail = module[dots:]
            if tail and not _MODULE.match(tail):
                return None
            prefix = module if not tail else f"{module}."
            return [], [f"{prefix}{n}" for n in names]
        if not _MODULE.match(module):
            return None
        return [import_name(module)], [f"{module}.{n}" for n in names]
    modules, paths = [], []
    for part in code[6:].split(","):
        name, _, _alias = part.strip().partition(" as ")
        name = name.strip()
        if not _MODULE.match(name):
            return None
        modules.append(import_name(name))
        paths.append(name)
    return modules, paths
