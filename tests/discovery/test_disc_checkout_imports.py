"""Imports after a sys.path edit: marked when the folder is a checkout the tree does not hold (RawImport.checkout)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from vlicense.discovery import discover

DEMO = '''
    import sys
    import os
    import numpy as np
    sys.path.insert(0, "grounded-sam-osx")
    sys.path.append(os.path.join("third_party", "VISAM"))
    sys.path.append("vendored")
    sys.path.append("..")
    from osx import get_model
    from utils.vis import render
    import helpers
'''


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_imports_after_an_edit_adding_a_missing_folder_are_marked(tmp_path):
    write(tmp_path, "demo.py", DEMO)
    write(tmp_path, "vendored/helpers.py", "X = 1\n")  # a folder the tree holds: its modules are the project's
    found = discover(tmp_path, cache=False)
    marks = {ref.module: ref.checkout for ref in found.imports}
    assert marks["numpy"] is None  # before any edit
    # The last missing folder added before the import: the join's parts are constants.
    folder, where = marks["osx"]
    assert folder == "third_party/VISAM" and (where.path, where.line) == ("demo.py", 6)
    assert marks["utils"][0] == "third_party/VISAM"
    assert "helpers" not in marks  # first party (vendored/ is in the tree)


def test_a_folder_in_the_tree_marks_nothing_and_notebooks_are_read_too(tmp_path):
    write(tmp_path, "app.py", 'import sys\nsys.path.append("lib")\nfrom tool import run\n')
    write(tmp_path, "lib/tool.py", "def run():\n    pass\n")
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": ["import sys\n", "sys.path.append('VoxelNeXt')\n", "from voxelnext_3d_box.model import Model\n"]}]
    (tmp_path / "demo.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    found = discover(tmp_path, cache=False)
    marks = {ref.module: ref.checkout for ref in found.imports}
    assert "tool" not in marks
    folder, where = marks["voxelnext_3d_box"]
    assert folder == "VoxelNeXt" and where.path == "demo.ipynb" and where.cell == 0
