"""Notebooks: code cells only, magics blanked, cell-aware locations, malformed notebooks and cells."""

from __future__ import annotations

import json


def notebook(*cells: tuple[str, str], nbformat: int = 4) -> str:
    out = []
    for kind, source in cells:
        lines = source.splitlines(keepends=True)
        out.append({"cell_type": kind, "metadata": {}, "source": lines, **({"outputs": [], "execution_count": None} if kind == "code" else {})})
    return json.dumps({"cells": out, "metadata": {}, "nbformat": nbformat, "nbformat_minor": 5})


def test_code_cells_with_magics_and_cell_locations(scan):
    nb = notebook(
        ("markdown", 'Load `YOLO("yolov8x.pt")` and `timm.create_model("vit", pretrained=True)`\n'),
        ("code", "!pip install ultralytics timm\n%matplotlib inline\nimport timm\n"),
        ("code", "%%bash\nls -la\necho hi\n"),
        ("code", "from ultralytics import YOLO\n\nfiles = !ls\nmodel = YOLO('yolo11n.pt')\n"),
        ("code", "%%time\nif True:\n    %timeit x = 1\n    m = timm.create_model('resnet50', pretrained=True)\n"),
    )
    d = scan({"demo.ipynb": nb})
    assert d.skipped == []
    assert [(i.module, i.scope, i.location.cell, i.location.cell_line) for i in d.imports] == [
        ("timm", "notebook", 0, 3),
        ("ultralytics", "notebook", 2, 1),
    ]
    got = [(m.loader, m.name, m.location.line, m.location.cell, m.location.cell_line, m.location.snippet) for m in d.models]
    assert got == [
        ("ultralytics", "yolo11n.pt", 10, 2, 4, "model = YOLO('yolo11n.pt')"),
        ("timm", "resnet50", 14, 3, 4, "m = timm.create_model('resnet50', pretrained=True)"),
    ]


def test_cell_that_is_not_python3_is_reported_and_others_scanned(scan):
    nb = notebook(("code", "import timm\n"), ("code", 'print "py2"\n'), ("code", "m = timm.create_model('resnet50', pretrained=True)\n"))
    d = scan({"nb.ipynb": nb})
    assert [(m.name, m.location.cell) for m in d.models] == [("resnet50", 2)]
    assert [(s.path, s.reason.split("(")[0]) for s in d.skipped] == [("nb.ipynb", "code cell 1 not valid Python 3 syntax ")]
    assert "line 1:" in d.skipped[0].reason


def test_source_as_single_string_and_nbformat3(scan):
    v4 = json.dumps({"cells": [{"cell_type": "code", "source": "import timm\nm = timm.create_model('vit_small_patch16_224', pretrained=True)"}], "nbformat": 4})
    v3 = json.dumps({"worksheets": [{"cells": [{"cell_type": "code", "input": ["import torchvision\n", "m = torchvision.models.resnet18(pretrained=True)\n"]}]}], "nbformat": 3})
    d = scan({"a.ipynb": v4, "b.ipynb": v3})
    assert [(m.loader, m.name) for m in d.models] == [("timm", "vit_small_patch16_224"), ("torchvision", "resnet18")]


def test_malformed_notebooks_are_skipped(scan):
    d = scan({"broken.ipynb": "{not json", "list.ipynb": "[]", "nocells.ipynb": "{}", "binary.ipynb": b"\x00\x01"})
    reasons = {s.path: s.reason for s in d.skipped}
    assert reasons["broken.ipynb"].startswith("malformed notebook (not valid JSON")
    assert reasons["list.ipynb"] == "malformed notebook (top level is not an object)"
    assert reasons["nocells.ipynb"] == "malformed notebook (no cells)"
    assert reasons["binary.ipynb"] == "binary file (contains NUL bytes)"
    assert d.files_scanned == 0
