"""Jupyter notebooks: code cells concatenated into one module (magics blanked), with a line -> cell map."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from vlicense.discovery.sources import Unreadable

# Cell magics whose body is still Python; any other ``%%magic`` cell (bash, html, writefile...) is not.
PYTHON_CELL_MAGICS = frozenset({"%%time", "%%timeit", "%%capture", "%%prun", "%%memit", "%%debug"})
# Shell escapes, line magics, help (``obj?``) and ``x = !cmd`` / ``x = %magic`` assignments.
_IPYTHON_LINE = re.compile(r"^\s*(?:[%!?]|[\w.]+\s*=\s*[%!]|[\w.]+\?{1,2}\s*$)")


@dataclass
class NotebookCode:
    """The concatenated code of a notebook's code cells; ``cells[i]`` is the (cell, cell_line) of line i+1."""

    cell_sources: list[list[str]] = field(default_factory=list)

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

    def first_line(self, cell: int) -> int:
        return sum(len(c) for c in self.cell_sources[:cell]) + 1

    def blank_cell(self, cell: int) -> None:
        self.cell_sources[cell] = ["pass"] * len(self.cell_sources[cell])


def extract(text: str) -> NotebookCode:
    """Parse notebook JSON (nbformat 3 or 4); markdown and raw cells are ignored."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
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
    code = NotebookCode()
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        raw = cell.get(key, cell.get("source", ""))
        if isinstance(raw, list):
            raw = "".join(str(part) for part in raw)
        if not isinstance(raw, str):
            raise Unreadable("malformed notebook (cell source is not text)")
        code.cell_sources.append(_python_lines(raw))
    return code


def _python_lines(raw: str) -> list[str]:
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # a trailing newline does not add a line
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.startswith("%%") and first.split()[0] not in PYTHON_CELL_MAGICS:
        return ["pass"] * len(lines)
    # Replacing (not deleting) keeps every line number, and the indentation keeps blocks valid.
    return [_blank(line) if _IPYTHON_LINE.match(line) else line for line in lines]


def _blank(line: str) -> str:
    return line[: len(line) - len(line.lstrip())] + "pass"
