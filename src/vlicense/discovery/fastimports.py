"""Import statements of a module that cannot load a model, read by a lexer instead of a full parse (fast path).

Only lines that start (after indentation) with ``import``/``from`` are read, minus those inside triple-quoted
strings. When the text looks like something the full parser should judge (a Python 2 statement, a line this
reader cannot take apart), ``scan`` returns None and the caller parses the file properly, so such files are
still reported as skipped with the parser's reason.
"""

from __future__ import annotations

import bisect
import re

from vlicense.discovery.python_ast import RawImport
from vlicense.model import Location

# Matched against "\n" + source: a literal first character lets the regex engine skip ahead fast.
_IMPORT_LINE = re.compile(r"\n[ \t]*(?:import|from)[ \t\\(]")
# Comments, triple-quoted and one-line strings, so that ``import x`` inside a docstring is not an import.
_TOKEN = re.compile(r'''\#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*\'''')
# Python 2 only statements: the full parser must see these files (they are reported as not Python 3).
_PY2 = re.compile(
    r"\n[ \t]*(?:(?:print|exec)[ \t]+(?![ \t]*[=(.,:;)\]}+\-*/%<>!&|^@])\S"
    r"|except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:"
    r"|raise[ \t]+[\w.]+[ \t]*,)"
)
_MODULE = re.compile(r"^[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*$")


def scan(source: str, rel: str) -> tuple[list[RawImport], list[str]] | None:
    """(absolute imports with locations, every name the imports bind or name), or None when a full parse is needed.

    The names (``from lib import load`` -> ``lib``, ``load``) let the caller decide later, without re-reading
    the file, whether it may call one of the project's wrapper functions.
    """
    padded = "\n" + source
    # m.start() in ``padded`` is the position in ``source`` of the first character of the matching line.
    starts = [m.start() for m in _IMPORT_LINE.finditer(padded)]
    py2 = [m.start() for m in _PY2.finditer(padded)]
    if not starts and not py2:
        return [], []
    last = max(starts + py2)
    spans = []
    for m in _TOKEN.finditer(source):
        if m.start() > last:
            break  # strings after the last candidate line cannot hide it
        if m.group()[:3] in ('"""', "'''"):
            spans.append(m.span())
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
        indent = len(text) - len(text.lstrip())
        location = Location(rel, line, indent + 1, text.strip()[:200])
        for piece in statement.split(";"):
            piece = piece.strip()
            if not piece.startswith(("import", "from")):
                if piece:
                    return None
                continue
            parsed = _statement(piece)
            if parsed is None:
                return None
            modules, bound = parsed
            out += [RawImport(m, location) for m in modules]
            names.update(bound)
    return out, sorted(names)


def _statement(code: str) -> tuple[list[str], list[str]] | None:
    """(top-level modules, names bound or named) of one import statement; None when not understood."""
    if code.startswith("from"):
        rest = code[4:].strip()
        module, sep, imported = rest.partition(" import")
        if not sep:
            return None
        module = module.strip()
        bound = [n.strip().split(" as ")[0].strip() for n in imported.replace("(", " ").replace(")", " ").split(",")]
        bound = [n for n in bound if n]
        if module.strip(".") == "" and module:
            return [], bound
        if module.startswith("."):
            return [], [*module.strip(".").split("."), *bound]
        if not _MODULE.match(module):
            return None
        return [module.split(".", 1)[0]], [*module.split("."), *bound]
    modules, bound = [], []
    for part in code[6:].split(","):
        name, _, alias = part.strip().partition(" as ")
        name = name.strip()
        if not _MODULE.match(name):
            return None
        modules.append(name.split(".", 1)[0])
        bound += name.split(".") + ([alias.strip()] if alias.strip() else [])
    return modules, bound
