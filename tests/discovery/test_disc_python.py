"""Python modules: third-party imports (stdlib and first-party excluded), bad input, determinism."""

from __future__ import annotations

from vlicense.discovery import discover


def test_third_party_imports_only(scan):
    d = scan(
        {
            "app.py": """
                from __future__ import annotations
                import os, sys, json
                import cv2
                import numpy as np
                from PIL import Image
                import torch.nn as nn
                from . import helpers
                from .models import net
                import mypkg.sub
                import util
                import namespace_dir.mod
                import srcpkg
                def f():
                    import sklearn.metrics
                try:
                    import onnxruntime
                except ImportError:
                    pass
                """,
            "mypkg/__init__.py": "",
            "mypkg/sub.py": "",
            "util.py": "",
            "namespace_dir/mod.py": "",
            "src/srcpkg/__init__.py": "",
            "helpers.py": "",
        }
    )
    got = [(i.module, i.location.line) for i in d.imports if i.location.path == "app.py"]
    assert got == [("cv2", 4), ("numpy", 5), ("PIL", 6), ("torch", 7), ("sklearn", 15), ("onnxruntime", 17)]
    assert {"mypkg", "util", "namespace_dir", "srcpkg", "helpers"} <= d.first_party
    assert "cv2" not in d.first_party


def test_script_neighbours_are_first_party(scan):
    d = scan({"scripts/train.py": "import common\nimport yaml\n", "scripts/common.py": "import torch\n"})
    assert [(i.module, i.location.path) for i in d.imports] == [("torch", "scripts/common.py"), ("yaml", "scripts/train.py")]


def test_strings_comments_docstrings_and_markdown_never_produce_references(scan):
    d = scan(
        {
            "app.py": '''
                """Uses YOLO("yolo11n.pt") and timm.create_model("vit", pretrained=True)."""
                import timm
                from ultralytics import YOLO
                # model = YOLO("yolov8x.pt")
                NOTE = 'pipeline("object-detection", model="facebook/detr-resnet-50")'
                print("YOLO('yolo11n.pt')")
                ''',
            "README.md": '```python\nfrom ultralytics import YOLO\nYOLO("yolo11n.pt")\n```\n',
            "notes.txt": "hf-hub:org/name facebook/detr-resnet-50",
        }
    )
    assert d.models == [] and d.unresolved == []
    assert [i.module for i in d.imports] == ["timm", "ultralytics"]


def test_bad_python_files_are_skipped_with_reasons(scan):
    d = scan(
        {
            "binary.py": b"\x7fELF\x00\x01\x02",
            "latin.py": "s = 'caf\xe9'\n".encode("latin-1"),
            "latin_cookie.py": "# -*- coding: latin-1 -*-\nimport cv2\ns = 'caf\xe9'\n".encode("latin-1"),
            "bad_cookie.py": b"# -*- coding: klingon -*-\nimport cv2\n",
            "py2.py": 'import os\n\nprint "hello"\n',
            "huge.py": b"x = 1\n" * (1024 * 1024),  # 6 MB
            "ok.py": "import yaml\n",
        }
    )
    reasons = {s.path: s.reason for s in d.skipped}
    assert reasons["binary.py"] == "binary file (contains NUL bytes), not Python source"
    assert reasons["latin.py"] == "not UTF-8 text (and no PEP 263 coding cookie)"
    assert reasons["bad_cookie.py"].startswith("unknown encoding in coding cookie")
    assert reasons["py2.py"].startswith("not valid Python 3 syntax (line 3: ")
    assert reasons["huge.py"] == "file larger than 5 MB"
    assert "latin_cookie.py" not in reasons and "ok.py" not in reasons
    assert sorted(i.module for i in d.imports) == ["cv2", "yaml"]
    assert d.files_scanned == 2


def test_deeply_nested_expression_does_not_crash(scan):
    deep = "import timm\nm = timm.create_model(" + "+".join(["'a'"] * 5000) + ", pretrained=True)\n"
    d = scan({"deep.py": deep, "ok.py": "import yaml\n"})
    assert "ok.py" in {i.location.path for i in d.imports}
    # Either the parser refuses it (reported) or it parses and the argument is resolved or unresolved.
    reported = [s.reason for s in d.skipped if s.path == "deep.py"]
    assert reported == ["source too deeply nested to parse"] or len(d.models) + len(d.unresolved) == 1


def test_results_are_deterministic_and_sorted(tmp_path):
    for name in ("b.py", "a.py", "c/d.py"):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_text('import timm\nfrom ultralytics import YOLO\nm = YOLO("yolo11n.pt")\nt = timm.create_model(X, pretrained=True)\n')
    first, second = discover(tmp_path), discover(tmp_path)
    assert first == second
    assert [m.location.path for m in first.models] == ["a.py", "b.py", "c/d.py"]
    assert [(i.location.path, i.module) for i in first.imports][:2] == [("a.py", "timm"), ("a.py", "ultralytics")]


def test_nested_projects_and_test_helpers_are_first_party(scan):
    d = scan(
        {
            "examples/demo/pyproject.toml": "[project]\nname = 'demo'\n",
            "examples/demo/src/demo_app/__init__.py": "",
            "examples/demo/src/demo_app/main.py": "import demo_app.util\nimport fastapi\n",
            "examples/demo/src/demo_app/util.py": "",
            "tests/support/__init__.py": "",
            "tests/unit/test_x.py": "import support\nimport pytest\n",
            "other/tool.py": "import demo_app\n",
        }
    )
    assert [(i.module, i.location.path) for i in d.imports] == [
        ("fastapi", "examples/demo/src/demo_app/main.py"),
        ("pytest", "tests/unit/test_x.py"),
    ]
    assert {"demo_app", "support", "examples", "tests", "other"} <= d.first_party


def test_a_module_defined_elsewhere_in_the_project_is_first_party(tmp_path):
    from vlicense.discovery import discover

    (tmp_path / "tests" / "kb").mkdir(parents=True)
    (tmp_path / "tests" / "kb" / "expected_table.py").write_text("ROWS = []\n")
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "run.py").write_text(
        "import sys\nsys.path.insert(0, 'tests/kb')\nimport expected_table\nimport requests\nimport timm\n"
    )
    (tmp_path / "vendor" / "timm").mkdir(parents=True)
    (tmp_path / "vendor" / "timm" / "shim.py").write_text("")
    found = discover(tmp_path, cache=False)
    third_party = {i.module for i in found.imports}
    assert "expected_table" not in third_party
    assert {"requests", "timm"} <= third_party  # a loader library's name stays third-party


def test_code_vendored_inside_a_package_does_not_make_the_library_first_party(tmp_path):
    from vlicense.discovery import discover

    vendored = tmp_path / "tool" / "_vendor" / "requests"
    vendored.mkdir(parents=True)
    for folder in (tmp_path / "tool", tmp_path / "tool" / "_vendor", vendored):
        (folder / "__init__.py").write_text("")
    (tmp_path / "app.py").write_text("import requests\nfrom tool._vendor import requests as vendored\n")
    found = discover(tmp_path, cache=False)
    assert "requests" in {i.module for i in found.imports}
