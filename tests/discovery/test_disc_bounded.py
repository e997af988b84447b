"""Bounded value flow: memoized, cycle-safe, budgeted, and linear in the code examined (adversarial inputs)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from vlicense.discovery import analyze_python, budget
from vlicense.discovery.project import ProjectIndex

REPRO_ROUND = "    X = X.mT\n    X = X.contiguous()\n    A = X.norm()\n"


def repro(rounds: int) -> str:
    return ("import torch\nfrom ultralytics import YOLO\n\ndef f(G):\n    X = G.bfloat16()\n" + REPRO_ROUND * rounds
            + '    return YOLO("yolov8n.pt")\n')


def test_rebinding_repro_is_fast(scan):
    # Issue 9: five rounds took minutes when every use re-walked every binding of X.
    start = time.perf_counter()
    d = scan({"app.py": repro(5)}, cache=False)
    assert time.perf_counter() - start < 2.0
    assert [(m.name, m.location.line) for m in d.models] == [("yolov8n.pt", 21)]


def analyze(root: Path, source: str, files: dict[str, str] | None = None) -> tuple[int, object]:
    """(evaluation steps, FileResult) of app.py analyzed alone in a fresh index."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in {"app.py": source, **(files or {})}.items():
        (root / rel).write_text(text, encoding="utf-8")
    index = ProjectIndex(root, ["app.py", *(files or {})], {""})
    result = analyze_python(index, "app.py")
    return index.tracker.steps, result


def rebinding_chain(n: int) -> str:
    return repro(n).replace('YOLO("yolov8n.pt")', "YOLO(X)")


def name_chain(n: int) -> str:
    lines = ["from ultralytics import YOLO", 'a0 = "yolov8n.pt"']
    lines += [f"a{i} = a{i - 1}" for i in range(1, n)]
    lines += [f"YOLO(a{i})" for i in range(0, n, 7)]
    return "\n".join(lines) + "\n"


def attribute_chain(n: int) -> str:
    return "from ultralytics import YOLO\nimport cfg\n" + "".join(f"YOLO(cfg{'.b' * (n + i)})\n" for i in range(20))


def huge_dict(n: int) -> str:
    items = ", ".join(f'"k{i}": "yolov8{i}.pt"' for i in range(n))
    return f"from ultralytics import YOLO\nTABLE = {{{items}}}\ndef f(k):\n    return YOLO(TABLE[k])\nYOLO(TABLE['k1'])\n"


def many_subclasses(n: int) -> str:
    lines = ["from ultralytics import YOLO", "class Base:", '    WEIGHTS = None', "    def load(self):", "        return YOLO(self.WEIGHTS)"]
    lines += [f"class Sub{i}(Base):\n    WEIGHTS = 'w{i}.pt'" for i in range(n)]
    return "\n".join(lines) + "\n"


def recursive_wrappers(n: int) -> str:
    lines = ["from ultralytics import YOLO"]
    for i in range(n):
        lines += [f"def a{i}(x):", f"    return b{i}(x) if x else YOLO(x)", f"def b{i}(x):", f"    return a{i}(x)"]
        lines += [f"a{i}('yolov8n.pt')"]
    return "\n".join(lines) + "\n"


def loop_cycles(n: int) -> str:
    lines = ["from ultralytics import YOLO", 'w = "yolov8n.pt"', "for i in range(9):"]
    for i in range(n):
        lines += [f"    w{i} = w + str(i)", f"    w = w{i}"]
    lines += ["    YOLO(w)"]
    return "\n".join(lines) + "\n"


def doubling_chain(n: int) -> str:
    # Each rebinding reads the previous value twice: without a memo below the depth cut, 2**n paths.
    return "from ultralytics import YOLO\nimport os\ns = 'x'\n" + "s = s + s\np = os.path.join(s, s)\n" * n + "YOLO(s)\nYOLO(p)\n"


GENERATORS = [rebinding_chain, name_chain, attribute_chain, huge_dict, many_subclasses, recursive_wrappers, loop_cycles,
              doubling_chain]


@pytest.mark.parametrize("generate", GENERATORS, ids=lambda g: g.__name__)
def test_adversarial_inputs_cost_linear_work(tmp_path, generate):
    small, _ = analyze(tmp_path / "n", generate(150))
    large, result = analyze(tmp_path / "2n", generate(300))
    # Doubling the input at most doubles the evaluation steps (plus a constant), never squares them.
    assert large <= 2.2 * small + 50, (small, large)
    assert large < 20_000
    assert all(r.reason != "analysis budget exceeded in app.py" for r in result.references if hasattr(r, "reason"))


def test_cycles_and_depth_give_reasons_not_hangs(tmp_path):
    _, result = analyze(tmp_path / "cycle", loop_cycles(3))
    # At the call, ``w`` is the loop body's last ``w = w2`` (it hides the literal before the loop), a value
    # computed from itself round the loop.
    assert [(r.reason, r.candidates) for r in result.references] == [("not a constant (the value depends on itself)", ())]
    chain = name_chain(100).split("YOLO(")[0] + "YOLO(a99)\n"
    _, result = analyze(tmp_path / "chain", chain)
    assert [(r.expression, r.reason) for r in result.references] == [("a99", "not a constant (too many indirections)")]


def test_budget_overflow_becomes_an_unresolved_reference(scan, monkeypatch):
    monkeypatch.setattr(budget, "FILE_STEPS", 50)
    d = scan({"app.py": huge_dict(100), "ok.py": 'from ultralytics import YOLO\nYOLO("yolo11n.pt")\n'}, cache=False, jobs=1)
    assert [(m.name, m.location.path) for m in d.models] == [("yolo11n.pt", "ok.py")]
    ((line, loader, reason),) = [(u.location.line, u.loader, u.reason) for u in d.unresolved]
    assert line == 4 and loader == "python"
    assert reason == "analysis budget exceeded in app.py; the rest of the file was not analyzed"


def test_run_budget_overflow_is_reported_per_file(scan, monkeypatch):
    monkeypatch.setattr(budget, "RUN_STEPS", 1)
    d = scan({f"m{i}.py": 'from ultralytics import YOLO\nW = "a" + "b.pt"\nYOLO(W)\n' for i in range(3)}, cache=False, jobs=1)
    assert d.models == []
    assert sorted((u.location.path, u.reason) for u in d.unresolved) == [
        (f"m{i}.py", f"analysis budget exceeded in m{i}.py; the rest of the file was not analyzed") for i in range(3)]


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        # A format width would build a gigabyte string before anything could look at it.
        ("f\"{'a':999999999}.pt\"", "f-string that cannot be formatted statically"),
        ("'%999999999d.pt' % 1", "not a constant (computed at run time)"),
        ("'%*d.pt' % (999999999, 1)", "not a constant (computed at run time)"),
    ],
)
def test_format_widths_are_capped(tmp_path, expression, reason):
    start = time.perf_counter()
    _, result = analyze(tmp_path / "fmt", f"from ultralytics import YOLO\nYOLO({expression})\n")
    assert time.perf_counter() - start < 2.0
    assert [r.reason for r in result.references] == [reason]


def test_long_computed_strings_are_not_ids(tmp_path):
    source = "from ultralytics import YOLO\ns = 'yolov8n'\n" + "s = s + s\n" * 12 + "YOLO(s + '.pt')\n"
    _, result = analyze(tmp_path / "long", source)
    # 7 * 2**12 characters: unresolved (the reason passes through the name it was bound to), never a model id.
    assert [type(r).__name__ for r in result.references] == ["UnresolvedReference"]
    from vlicense.discovery.values import MAX_TEXT, TOO_LONG, combine
    from vlicense.discovery.loaders.base import Value

    long = combine([Value("const", "a" * MAX_TEXT), Value("const", "b")], lambda v: v[0] + v[1], "t", None, "", "")
    assert (long.kind, long.reason) == ("unresolved", TOO_LONG)


def test_a_sys_path_argument_over_the_budget_is_reported_not_an_internal_error(scan, monkeypatch):
    # The folder of ``sys.path.insert`` is evaluated like any value: an overflow there is the budget's entry.
    monkeypatch.setattr(budget, "FILE_STEPS", 50)
    folder = "[" + ", ".join(f"'p{i}'" for i in range(200)) + "][0]"  # a 200-item literal: over 50 steps
    d = scan({"app.py": f"import sys\nsys.path.insert(0, {folder})\nimport foo\n"}, cache=False, jobs=1)
    assert [s.reason for s in d.skipped if "internal error" in s.reason] == []
    assert [u.reason for u in d.unresolved] == ["analysis budget exceeded in app.py; the rest of the file was not analyzed"]
    assert [i.module for i in d.imports] == ["foo"]
