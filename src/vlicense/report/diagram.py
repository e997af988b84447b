"""Layout of the small "how it enters the project" diagram: chains of steps fanning into one component (no markup here)."""

from __future__ import annotations

from dataclasses import dataclass

from vlicense.model import Component, Location

# Geometry in SVG user units. Labels are drawn in a monospace font, so their width is predictable from the
# character count without measuring text (there is no browser at render time).
CHAR_WIDTH = 7.4
FONT_SIZE = 12
NODE_HEIGHT = 26
ROW_GAP = 10
COLUMN_GAP = 40
PAD_X = 10
MARGIN = 4
MAX_LABEL = 52
MAX_CHAINS = 6

_PROJECT_MARKERS = ("<project>", "project")


@dataclass(frozen=True)
class Node:
    """One box: ``kind`` is project | file | package | target (the blocked component); ``full`` is the untruncated label."""

    id: str
    kind: str
    text: str
    full: str
    x: float
    y: float
    width: float
    height: float

    @property
    def text_x(self) -> float:
        return _r(self.x + PAD_X)

    @property
    def text_y(self) -> float:
        return _r(self.y + self.height / 2 + FONT_SIZE * 0.35)


@dataclass(frozen=True)
class Edge:
    """A cubic connector from the right side of one node to the left side of the next."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def path(self) -> str:
        mid = _r((self.x1 + self.x2) / 2)
        return f"M{_n(self.x1)},{_n(self.y1)} C{_n(mid)},{_n(self.y1)} {_n(mid)},{_n(self.y2)} {_n(self.x2)},{_n(self.y2)}"


@dataclass(frozen=True)
class Diagram:
    """Everything a template needs to draw the SVG; ``hidden`` counts chains left out to keep it small."""

    id: str
    label: str
    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    hidden: int


def _r(value: float) -> float:
    return round(value, 1)


def _n(value: float) -> str:
    """Numbers as the SVG shows them: no trailing ``.0`` so output is short and stable."""
    value = _r(value)
    return str(int(value)) if value == int(value) else str(value)


def _truncate(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _where(loc: Location) -> str:
    text = f"{loc.path}:{loc.line}" if loc.line else loc.path
    if loc.cell is not None:
        text += f" (cell {loc.cell})"
    return text


def chains(component: Component, project: str) -> list[list[tuple[str, str]]]:
    """The ways ``component`` enters the project, each a list of (kind, label) steps ending before the component.

    Libraries: the dependency paths from resolution (``project → wrapper → lib``); a direct dependency is shown
    through the files that declare or import it, which says more than a bare ``project → lib``.
    Models: the code location that loads them (``project → file:line → model``).
    """
    root = ("project", project)
    out: list[list[tuple[str, str]]] = []
    by_file = [[root, ("file", _where(loc))] for loc in component.locations]
    if component.kind == "library":
        for path in sorted(component.introduced_by):
            steps = [s for s in path if s not in _PROJECT_MARKERS]
            if steps and steps[-1] == component.name:
                steps = steps[:-1]  # the path ends at the component itself, which the diagram draws once
            if steps:
                out.append([root, *(("package", s) for s in steps)])
            elif by_file:
                out.extend(by_file)
            else:
                out.append([root])
        if not component.introduced_by:
            out.extend(by_file or [[root]])
    else:
        out.extend(by_file or [[root]])
    unique: list[list[tuple[str, str]]] = []
    for chain in out:
        if chain not in unique:
            unique.append(chain)
    return unique


def layout(component: Component, project: str, diagram_id: str) -> Diagram:
    """Lay out the chains as a tree from the project on the left, all ending in the component on the right."""
    all_chains = chains(component, project)
    shown = all_chains[:MAX_CHAINS]
    # A trie over the chains: shared prefixes (the project, a common wrapper) are drawn once.
    order: list[tuple[tuple[str, str], ...]] = []
    children: dict[tuple, list[tuple]] = {}
    for chain in shown:
        for depth in range(1, len(chain) + 1):
            prefix = tuple(chain[:depth])
            if prefix not in children:
                children[prefix] = []
                order.append(prefix)
                if depth > 1:
                    children[tuple(chain[: depth - 1])].append(prefix)
    depth_max = max(len(c) for c in shown)
    col_width = [0.0] * (depth_max + 1)
    for prefix in order:
        col = len(prefix) - 1
        col_width[col] = max(col_width[col], _box_width(prefix[-1][1]))
    col_width[depth_max] = _box_width(component.id)
    col_x = [float(MARGIN)]
    for w in col_width[:-1]:
        col_x.append(col_x[-1] + w + COLUMN_GAP)

    # Leaves get consecutive rows in chain order; a parent sits midway between its first and last child.
    row_of: dict[tuple, float] = {}
    next_row = [0]

    def place(prefix: tuple) -> float:
        kids = children[prefix]
        if not kids:
            row_of[prefix] = float(next_row[0])
            next_row[0] += 1
        else:
            rows = [place(k) for k in kids]
            row_of[prefix] = (rows[0] + rows[-1]) / 2
        return row_of[prefix]

    roots = [p for p in order if len(p) == 1]
    for r in roots:
        place(r)
    leaves = [p for p in order if not children[p]]
    rows = max(next_row[0], 1)

    def y_of(row: float) -> float:
        return MARGIN + row * (NODE_HEIGHT + ROW_GAP)

    nodes: list[Node] = []
    edges: list[Edge] = []
    for i, prefix in enumerate(order):
        kind, label = prefix[-1]
        col = len(prefix) - 1
        # Every box in a column is as wide as the widest: edges then leave from one vertical line and never
        # cross a longer neighbour.
        nodes.append(
            Node(f"{diagram_id}-n{i}", kind, _truncate(label), label, _r(col_x[col]), _r(y_of(row_of[prefix])),
                 _r(col_width[col]), NODE_HEIGHT)
        )
    by_prefix = {prefix: node for prefix, node in zip(order, nodes)}
    target_row = (row_of[leaves[0]] + row_of[leaves[-1]]) / 2 if leaves else 0.0
    target = Node(f"{diagram_id}-target", "target", _truncate(component.id), component.id, _r(col_x[depth_max]),
                  _r(y_of(target_row)), _r(_box_width(component.id)), NODE_HEIGHT)
    for prefix in order:
        parent = by_prefix[prefix]
        ends = [by_prefix[k] for k in children[prefix]] or [target]
        for child in ends:
            edges.append(Edge(_r(parent.x + parent.width), _r(parent.y + NODE_HEIGHT / 2), _r(child.x - 2),
                              _r(child.y + NODE_HEIGHT / 2)))
    nodes.append(target)
    width = _r(col_x[depth_max] + col_width[depth_max] + MARGIN)
    height = _r(y_of(rows) - ROW_GAP + MARGIN)
    paths = "; ".join(" → ".join([*(label for _, label in chain), component.id]) for chain in shown)
    return Diagram(diagram_id, f"How {component.id} enters the project: {paths}", width, height, tuple(nodes),
                   tuple(edges), len(all_chains) - len(shown))


def _box_width(label: str) -> float:
    return len(_truncate(label)) * CHAR_WIDTH + 2 * PAD_X
