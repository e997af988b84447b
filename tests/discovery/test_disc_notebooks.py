"""Notebooks: code cells only, magics blanked, cell-aware locations, malformed notebooks and cells."""

from __future__ import annotations

import json


def notebook(*cells: tuple[str, str], nbformat: int = 4) -> str:
    out = []
    for kind, source in cells:
        lines = source.splitlines(keepends=True)
        out.append({"cell_type": kind, "metadata": {}, "source": lines, **({"outputs": [], "execution_count": None} if kind == "code" else {})})
    # indent=1 and one JSON string per source line, as Jupyter writes notebooks.
    return json.dumps({"cells": out, "metadata": {}, "nbformat": nbformat, "nbformat_minor": 5}, indent=1)


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
    # line = the line of the .ipynb file (what an editor opens); cell and cell_line locate it in Jupyter.
    got = [(m.loader, m.name, m.location.line, m.location.cell, m.location.cell_line, m.location.snippet) for m in d.models]
    assert got == [
        ("ultralytics", "yolo11n.pt", 39, 2, 4, "model = YOLO('yolo11n.pt')"),
        ("timm", "resnet50", 51, 3, 4, "m = timm.create_model('resnet50', pretrained=True)"),
    ]
    assert [(r.name, r.group, r.location.line, r.location.cell, r.location.cell_line) for r in d.requirements] == [
        ("timm", "notebook", 14, 0, 1),
        ("ultralytics", "notebook", 14, 0, 1),
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


def test_shell_lines_yolo_cli_and_pip_install(scan):
    nb = notebook(
        ("markdown", "!yolo predict model=yolov8x.pt\n!pip install torch\n"),
        ("code", "%pip install -q 'ultralytics>=8.1' -r req.txt git+https://x/y.git ./local\n!python -m pip install timm==1.0.9 && echo ok\n"),
        ("code", "!yolo detect predict model=yolov8n.pt source=img.jpg\n!yolo train data=coco8.yaml model=yolov8s.yaml\n"),
        ("code", "%%bash\nyolo segment val model=yolo11n-seg.pt\nyolo settings\n"),
        ("code", "!yolo predict source=bus.jpg\n# !yolo predict model=commented.pt\nx = '!yolo predict model=string.pt'\n"),
    )
    d = scan({"nb.ipynb": nb})
    assert [(m.name, m.api, m.location.cell, m.location.cell_line) for m in d.models] == [
        ("yolov8n.pt", "yolo CLI", 1, 1),
        ("yolo11n-seg.pt", "yolo CLI", 2, 2),
        ("yolo26n.pt", "yolo CLI (default weights in ultralytics 8.4.190)", 3, 1),
    ]
    assert [(r.name, r.specifier, r.group, r.location.cell) for r in d.requirements] == [
        ("ultralytics", ">=8.1", "notebook", 0),
        ("timm", "==1.0.9", "notebook", 0),
    ]
    assert d.imports == []


def test_shell_helpers_reject_lookalikes():
    from vlicense.discovery.loaders.cli import cli_hits
    from vlicense.discovery.notebooks import pip_installs, split_commands

    def yolo_models(words):
        return [None if h.index is None else h.value for h in cli_hits(words)]

    assert pip_installs(["pip", "list"]) == [] and pip_installs(["pipx", "install", "black"]) == []
    assert pip_installs(["pip", "install", "--index-url", "https://x", "Pillow"]) == [("pillow", "")]
    assert yolo_models(["yolo", "settings"]) == [] and yolo_models(["yolov8", "predict"]) == []
    assert yolo_models(["yolo", "export", "model=best.pt", "format=onnx"]) == ["best.pt"]
    assert split_commands("a 'b c' && d; e | f") == [["a", "b c"], ["d"], ["e"], ["f"]]
    assert split_commands("echo 'unterminated") == []


def test_notebook_without_loader_code_is_read_by_the_lexer_unless_it_calls_a_wrapper(scan):
    plain = notebook(("code", "import numpy as np\n"), ("code", "import pandas\nx = np.zeros(3)\n"))
    caller = notebook(("markdown", "Run the detector\n"), ("code", "from lib.loading import load\n\nm = load('yolov8s.pt')\n"))
    d = scan({
        "plain.ipynb": plain,
        "caller.ipynb": caller,
        "lib/__init__.py": "",
        "lib/loading.py": "from ultralytics import YOLO\ndef load(name):\n    return YOLO(name)\n",
    })
    # Imports of a notebook that is not parsed keep their cell locations.
    assert [(i.module, i.location.path, i.location.cell, i.location.cell_line) for i in d.imports if i.module in ("numpy", "pandas")] == [
        ("numpy", "plain.ipynb", 0, 1), ("pandas", "plain.ipynb", 1, 1)]
    # A notebook importing a project wrapper is analyzed in full: the wrapper call is the load.
    assert [(m.name, m.location.path, m.location.cell, m.location.cell_line) for m in d.models] == [("yolov8s.pt", "caller.ipynb", 0, 3)]
