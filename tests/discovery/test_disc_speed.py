"""Fast import path, the per-file result cache (warm runs, invalidation, corruption) and parallel parsing."""

from __future__ import annotations

import ast
import os
import sqlite3

import pytest

from vlicense.discovery import discover, fastimports
from vlicense.discovery.cache import Cache


def write_tree(root, files):
    """Create ``files`` (relative path -> text) under ``root`` (text is dedented)."""
    import textwrap

    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def _ast_imports(source: str) -> list[tuple[str, int]]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(a.name.split(".")[0], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.append((node.module.split(".")[0], node.lineno))
    return sorted(out)


TRICKY = '''"""Docstring with code:

import fake_in_docstring
from fake2 import x
"""
import os, json as j
from a.b import (c,
    d)
import \\
    continued
from . import rel
from .x import y
x = "import not_a_statement"
# import commented
def f():
    """
    import fake3
    """
    import inner.mod as m; import second
    s = \'\'\'
from fake4 import z
\'\'\'
    return m
class K:
    from typing import List
'''


def test_fast_scan_agrees_with_the_parser_on_tricky_code():
    got = fastimports.scan(TRICKY, "t.py")
    assert got is not None
    assert sorted((r.module, r.location.line) for r in got[0]) == _ast_imports(TRICKY)
    assert set(got[1]) == {"os", "json", "a.b.c", "a.b.d", "continued", ".rel", ".x.y", "inner.mod", "second", "typing.List"}


@pytest.mark.parametrize("source", ['import os\nprint "x"\n', "import os\nexec 'x'\n", "try:\n    import a\nexcept E, e:\n    pass\n"])
def test_fast_scan_defers_python2_to_the_parser(source):
    assert fastimports.scan(source, "t.py") is None


def test_fast_scan_is_not_fooled_by_docstrings_mentioning_py2():
    assert [r.module for r in fastimports.scan('"""\nprint "x"\n"""\nimport yaml\n', "t.py")[0]] == ["yaml"]


def _project(tmp_path):
    return write_tree(tmp_path / "p", {
        "app/__init__.py": "",
        "app/settings.py": 'WEIGHTS = "yolov8n.pt"\n',
        "app/main.py": "from ultralytics import YOLO\nfrom app.settings import WEIGHTS\nYOLO(WEIGHTS)\nimport cv2\n",
        "app/util.py": "import numpy\n",
        "lib.py": "import timm\ndef make(a):\n    return timm.create_model(a, pretrained=True)\n",
        "caller.py": "from lib import make\nmake('resnet50')\n",
    })


def test_warm_run_reuses_results_and_reads_no_file(tmp_path, monkeypatch):
    root = _project(tmp_path)
    cold = discover(root)
    opened: list[str] = []
    import vlicense.discovery as disc
    import vlicense.discovery.project as proj

    real = disc.read_bytes

    def spy(path, limit):
        opened.append(str(path))
        return real(path, limit)

    monkeypatch.setattr(disc, "read_bytes", spy)
    monkeypatch.setattr(proj, "read_bytes", spy)
    warm = discover(root)
    assert warm == cold
    assert opened == []
    assert [m.name for m in cold.models] == ["yolov8n.pt", "resnet50"]


def test_changed_dependency_invalidates_the_dependent_file(tmp_path):
    root = _project(tmp_path)
    assert [m.name for m in discover(root).models] == ["yolov8n.pt", "resnet50"]
    (root / "app/settings.py").write_text('WEIGHTS = "yolo11x.pt"\n')
    (root / "caller.py").write_text("from lib import make\nmake('convnext_tiny')\n")
    assert [m.name for m in discover(root).models] == ["yolo11x.pt", "convnext_tiny"]
    # The wrapper's module changes: its callers are re-analyzed although their text did not change.
    (root / "lib.py").write_text("import timm\ndef make(a):\n    return timm.create_model('vit_tiny_patch16_224', pretrained=True)\n")
    assert [m.name for m in discover(root).models] == ["yolo11x.pt", "vit_tiny_patch16_224"]
    # A module that appears later shadows nothing it should not, and a removed one is noticed.
    (root / "app/settings.py").unlink()
    d = discover(root)
    assert [m.name for m in d.models] == ["vit_tiny_patch16_224"]
    assert [u.expression for u in d.unresolved] == ["WEIGHTS"]


def test_cache_off_and_on_agree(tmp_path):
    root = _project(tmp_path)
    assert discover(root, cache=False) == discover(root) == discover(root)


@pytest.mark.parametrize("damage", [b"not a database at all" * 100, b""])
def test_corrupt_cache_is_ignored(tmp_path, monkeypatch, damage):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(cache_dir))
    root = _project(tmp_path)
    expected = discover(root, cache=False)
    cache_dir.mkdir(exist_ok=True)
    (cache_dir / "discovery.sqlite3").write_bytes(damage)
    assert discover(root) == expected
    assert discover(root) == expected


def test_damaged_entries_are_cache_misses(tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(cache_dir))
    root = _project(tmp_path)
    expected = discover(root)
    db = sqlite3.connect(cache_dir / "discovery.sqlite3")
    with db:
        db.execute("UPDATE results SET data = x'00ff'")
        db.execute("UPDATE stats SET sha = 'bogus'")
    db.close()
    assert discover(root) == expected


def test_cache_dir_is_created_where_the_environment_says(tmp_path, monkeypatch):
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path / "here"))
    assert Cache().path == tmp_path / "here" / "discovery.sqlite3"


def _big_project(tmp_path, n=30):
    files = {f"pkg/m{i}.py": f"import timm\nimport cv2\nfrom pkg.consts import ARCHES\ntimm.create_model(ARCHES[{i % 3}], pretrained=True)\n" for i in range(n)}
    files["pkg/__init__.py"] = ""
    files["pkg/consts.py"] = "ARCHES = ('resnet18', 'resnet50', 'vit_base_patch16_224')\n"
    files["pkg/wrap.py"] = "import timm\ndef mk(a):\n    return timm.create_model(a, pretrained=True)\n"
    files.update({f"use/u{i}.py": f"from pkg.wrap import mk\nmk('convnext_{i}')\n" for i in range(n)})
    files["bad.py"] = "import timm\nprint 'py2'\n"
    return write_tree(tmp_path / "big", files)


def test_parallel_and_serial_results_are_identical(tmp_path):
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    root = _big_project(tmp_path)
    serial = discover(root, cache=False, jobs=1)
    parallel = discover(root, cache=False, jobs=2)
    assert serial == parallel
    assert len(serial.models) == 60 and [s.path for s in serial.skipped] == ["bad.py"]


def test_canary_files_that_would_run_code_are_never_executed(tmp_path):
    canary = tmp_path / "canary"
    payload = f"open({str(canary)!r}, 'w').write('ran')\n"
    root = write_tree(tmp_path / "p", {
        "setup.py": "import setuptools\n" + payload + "setuptools.setup(name='x', install_requires=['timm'])\n",
        "conftest.py": "import timm\n" + payload,
        "sitecustomize.py": payload,
        "hook.pth": "import os; " + payload,
        "app/__init__.py": payload,
        "app/settings.py": payload + "WEIGHTS = 'yolov8n.pt'\n",
        "main.py": "from ultralytics import YOLO\nfrom app.settings import WEIGHTS\nYOLO(WEIGHTS)\n",
    })
    (root / "weights.pt").write_bytes(b"\x80\x04cposix\nsystem\n(S'touch " + str(canary).encode() + b"'\ntR.")
    d = discover(root, jobs=2)
    discover(root, jobs=1)
    assert not canary.exists()
    assert [m.name for m in d.models if m.loader == "ultralytics"] == ["yolov8n.pt"]


def _parsed_files(monkeypatch) -> list[str]:
    """Spy on the full parser: the list fills with the path of every file that gets a full parse."""
    parsed: list[str] = []
    real = ast.parse

    def spy(source, filename="<unknown>", *args, **kwargs):
        parsed.append(str(filename))
        return real(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", spy)
    return parsed


def test_importing_a_loader_library_without_calling_a_loader_needs_no_full_parse(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "tensors.py": "import torch\n\ndef add(a, b):\n    return torch.add(a, b)\n",
        "hub.py": "import torch\nmodel = torch.hub.load('facebookresearch/dinov2', 'dinov2_vitb14')\n",
        "vision.py": "import torchvision\nnet = torchvision.models.resnet50(weights='DEFAULT')\n",
    })
    parsed = _parsed_files(monkeypatch)
    found = discover(tmp_path, cache=False, jobs=1)
    assert "tensors.py" not in parsed and {"hub.py", "vision.py"} <= set(parsed)
    assert {m.name for m in found.models} == {"facebookresearch/dinov2", "resnet50"}
    assert "torch" in {i.module for i in found.imports if i.location.path == "tensors.py"}


def test_a_wrapper_upgrades_its_callers_not_every_module_of_its_package(tmp_path, monkeypatch):
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/loading.py": "import timm\n\ndef backbone(name):\n    return timm.create_model(name, pretrained=True)\n",
        "app/utils.py": "def helper():\n    return 1\n",
        "app/service.py": "from app.loading import backbone\n\nnet = backbone('resnet50')\n",
        "app/other.py": "from app.utils import helper\n\nhelper()\n",
    })
    parsed = _parsed_files(monkeypatch)
    found = discover(tmp_path, cache=False, jobs=1)
    assert "app/service.py" in parsed and "app/other.py" not in parsed
    assert [(m.name, m.location.path) for m in found.models] == [("resnet50", "app/service.py")]


@pytest.mark.parametrize("source, expected", [
    # A triple quote inside a one-line string or a comment opens nothing: the import after it is real.
    ("x = '\"\"\"'\nimport real\ny = '\"\"\"'\n", ["real"]),
    ("# a stray ''' here\nimport real\n# '''\n", ["real"]),
    ("x = \"it's\"  # '''\nimport real\nz = 1  # '''\n", ["real"]),
    # Look-alikes: inside a (closed) triple-quoted string, also one opened after code on the same line.
    ("x = 1; s = '''\nimport fake\n'''\nimport real\n", ["real"]),
    ("s = f(\"\"\"a\n\"\"\", '''\nimport fake\n''')\nimport real\n", ["real"]),
    ('s = """\nimport fake\n"""  # """\nimport real\n', ["real"]),
])
def test_fast_scan_finds_triple_quoted_strings_like_the_tokenizer(source, expected):
    got = fastimports.scan(source, "t.py")
    assert got is not None and [r.module for r in got[0]] == expected
    assert sorted((r.module, r.location.line) for r in got[0]) == _ast_imports(source)


def test_fast_scan_memo_does_not_leak_between_files():
    first = fastimports.scan("import os, numpy as np\n", "a.py")
    second = fastimports.scan("x = 1\n\nimport os, numpy as np\n", "b.py")
    assert [(r.module, r.location.path, r.location.line) for r in second[0]] == [("os", "b.py", 3), ("numpy", "b.py", 3)]
    assert first[1] == second[1] == ["numpy", "os"]


def test_compact_imports_entries_round_trip_and_damage_is_a_miss(tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(cache_dir))
    root = write_tree(tmp_path / "p", {
        "a.py": "import os, numpy as np\nfrom json import dumps\nimport yaml; import requests\n",
        "b.py": "from pkg.mod import (x,\n    y)\nimport sys\n",
        "pkg/__init__.py": "",
        "pkg/mod.py": "x = y = 1\n",
    })
    cold = discover(root)
    assert [(i.module, i.location.path, i.location.line) for i in cold.imports] == [
        ("numpy", "a.py", 1), ("requests", "a.py", 3), ("yaml", "a.py", 3)]
    db = sqlite3.connect(cache_dir / "discovery.sqlite3")
    blobs = [row[0] for row in db.execute("SELECT data FROM results WHERE key NOT LIKE 'run:%'")]
    assert blobs and all(b[:1] == b"[" for b in blobs)  # per-file entries: compact, plain JSON
    assert discover(root) == cold
    with db:
        db.execute("UPDATE results SET data = CAST('[[\"np\"],[1,\"bad\"]]' AS BLOB)")
    db.close()
    assert discover(root) == cold


def test_parallel_cheap_pass_agrees_with_serial(tmp_path, monkeypatch):
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    import vlicense.discovery as disc

    files = {f"m{i}.py": f'"""Doc.\nimport fake{i}\n"""\nimport os, numpy as np\nfrom lib{i % 4} import thing\n' for i in range(40)}
    files["bad.py"] = "import numpy\nprint 'py2'\n"
    files["undecodable.py"] = "x = 1\n"
    root = write_tree(tmp_path / "p", files)
    (root / "undecodable.py").write_bytes(b"import numpy\nx = '\xff\xfe'\n")
    monkeypatch.setattr(disc, "PARALLEL_PREFILTER_BYTES", 1)  # jobs=None: workers as soon as there is a file
    parallel = discover(root, cache=False)
    serial = discover(root, cache=False, jobs=1)
    assert parallel == serial
    assert [s.path for s in serial.skipped] == ["bad.py", "undecodable.py"]
    assert {i.module for i in serial.imports} == {"numpy"} | {f"lib{i}" for i in range(4)}


def test_gc_threshold_is_restored(tmp_path):
    import gc

    before = gc.get_threshold()
    discover(write_tree(tmp_path / "p", {"a.py": "import numpy\n"}), cache=False)
    assert gc.get_threshold() == before


def test_cached_config_scan_is_redone_when_the_file_it_names_appears(tmp_path, monkeypatch):
    """A config naming models/detector is a Hub id until that folder exists in the project, cache or no cache."""
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path / "cache"))
    project = tmp_path / "p"
    project.mkdir()
    (project / "config.yaml").write_text("detector:\n  model: models/detector\n")
    before = discover(project)
    assert [(m.loader, m.name) for m in before.models] == [("huggingface", "models/detector")]
    (project / "models" / "detector").mkdir(parents=True)
    (project / "models" / "detector" / "model.safetensors").write_bytes(b"\x80\x04N.")
    after = discover(project)
    assert after.unresolved == []
    assert {(m.loader, m.name, m.variant) for m in after.models} >= {("file", "models/detector", "directory")}


def test_whole_run_cache_is_used_only_while_the_tree_and_its_outside_dependencies_are_unchanged(tmp_path, monkeypatch):
    """The warm path skips the per-file work entirely; any change it depends on sends it back to a full run."""
    import vlicense.discovery as disc

    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path / "cache"))
    root = write_tree(tmp_path / "p", {
        "app.py": "from transformers import AutoModel\nm = AutoModel.from_pretrained('models/detector')\n",
        "requirements.txt": "-r deps/base.txt\n",
        "deps/base.txt": "timm==1.0.9\n",
    })
    cold = discover(root)
    assert {(m.loader, m.name) for m in cold.models} == {("huggingface", "models/detector")}
    runs: list[int] = []
    real_run = disc._Run.run
    monkeypatch.setattr(disc._Run, "run", lambda self: runs.append(1) or real_run(self))
    assert discover(root) == cold and runs == []  # remembered: no per-file work at all
    # A folder the code names appears (empty: no walked file changes): the load becomes a local model folder.
    (root / "models" / "detector").mkdir(parents=True)
    local = discover(root)
    assert runs == [1] and {(m.loader, m.name) for m in local.models} == {("file", "models/detector")}
    # A requirements file included but not walked changes: its new requirement is seen.
    (root / "deps" / "base.txt").write_text("timm==1.0.9\nultralytics==8.2.0\n")
    changed = discover(root)
    assert len(runs) == 2 and {r.name for r in changed.requirements} >= {"timm", "ultralytics"}
    assert discover(root) == changed and len(runs) == 2
