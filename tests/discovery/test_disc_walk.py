"""The walk: pruned and excluded directories, scopes, symlinks, special files, single-file and empty roots."""

from __future__ import annotations

import os
import sys

import pytest

from vlicense.discovery import discover
from vlicense.discovery.walk import scope_of

IMPORT = "import ultralytics\n"


def paths(d):
    return sorted({i.location.path for i in d.imports})


def test_environments_caches_and_build_output_are_not_scanned(scan):
    files = {
        "app.py": IMPORT,
        ".venv/lib/x.py": IMPORT,
        "venv/x.py": IMPORT,
        "myenv/pyvenv.cfg": "home = /usr/bin\n",
        "myenv/lib/x.py": IMPORT,
        "node_modules/pkg/x.py": IMPORT,
        "lib/site-packages/x.py": IMPORT,
        "__pycache__/x.py": IMPORT,
        ".git/hooks/x.py": IMPORT,
        ".tox/py/x.py": IMPORT,
        "build/lib/x.py": IMPORT,
        "dist/x.py": IMPORT,
        "pkg.egg-info/x.py": IMPORT,
        ".ipynb_checkpoints/x.py": IMPORT,
        # A package that happens to be called "build" is code, not build output.
        "src/mypkg/build/__init__.py": IMPORT,
    }
    d = scan(files)
    assert paths(d) == ["app.py", "src/mypkg/build/__init__.py"]


def test_exclude_globs(scan):
    d = scan(
        {"app.py": IMPORT, "legacy/old.py": IMPORT, "data/gen/x.py": IMPORT, "nb.ipynb": "{}", "keep/ok.py": IMPORT},
        exclude=["legacy", "data/*", "*.ipynb"],
    )
    assert paths(d) == ["app.py", "keep/ok.py"]
    assert d.skipped == []  # the malformed notebook was excluded, not read


@pytest.mark.parametrize(
    ("rel", "scope"),
    [
        ("app.py", "runtime"),
        ("src/pkg/model.py", "runtime"),
        ("tests/test_model.py", "test"),
        ("pkg/tests/helpers.py", "test"),
        ("test_x.py", "test"),
        ("pkg/x_test.py", "test"),
        ("conftest.py", "test"),
        ("docs/conf.py", "docs"),
        ("examples/demo.py", "example"),
        ("scripts/train.py", "script"),
        ("notebooks/demo.ipynb", "notebook"),
        ("examples/demo.ipynb", "example"),
        ("contest.py", "runtime"),
        ("latest_model.py", "runtime"),
    ],
)
def test_scope_labels(rel, scope):
    assert scope_of(rel) == scope


def test_scope_is_carried_into_references(scan):
    d = scan({"tests/test_app.py": 'import timm\nm = timm.create_model("resnet50", pretrained=True)\n'})
    assert [i.scope for i in d.imports] == ["test"]
    assert [m.scope for m in d.models] == ["test"]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks and FIFOs")
def test_symlink_loop_broken_link_and_fifo(tmp_path):
    root = tmp_path / "p"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text(IMPORT)
    os.symlink(root, root / "pkg" / "loop")  # a directory link back to the root
    os.symlink(root / "missing.py", root / "broken.py")
    os.mkfifo(root / "fifo.py")  # reading it would block forever, even as root
    d = discover(root)
    assert paths(d) == ["pkg/a.py"]
    assert [(s.path, s.reason) for s in d.skipped] == [
        ("broken.py", "broken symbolic link"),
        ("fifo.py", "not a regular file (FIFO)"),
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlinked_file_is_scanned(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (tmp_path / "real.py").write_text(IMPORT)
    os.symlink(tmp_path / "real.py", root / "link.py")
    assert paths(discover(root)) == ["link.py"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can list any directory")
def test_unlistable_directory(tmp_path):
    root = tmp_path / "p"
    (root / "locked").mkdir(parents=True)
    (root / "locked" / "a.py").write_text(IMPORT)
    os.chmod(root / "locked", 0)
    try:
        d = discover(root)
    finally:
        os.chmod(root / "locked", 0o755)
    assert [(s.path, s.reason) for s in d.skipped] == [("locked", "permission denied (directory cannot be listed)")]


def test_empty_project(tmp_path):
    d = discover(tmp_path)
    assert (d.imports, d.models, d.requirements, d.unresolved, d.skipped, d.files_scanned) == ([], [], [], [], [], 0)


def test_single_file_root(tmp_path):
    (tmp_path / "other.py").write_text("import torch\n")
    script = tmp_path / "infer.py"
    script.write_text('from ultralytics import YOLO\nm = YOLO("yolo11n.pt")\n')
    d = discover(script)
    assert d.files_scanned == 1
    assert [(i.module, i.location.path) for i in d.imports] == [("ultralytics", "infer.py")]
    assert [(m.name, m.location.path) for m in d.models] == [("yolo11n.pt", "infer.py")]


def test_missing_root_is_reported_not_raised(tmp_path):
    d = discover(tmp_path / "nope")
    assert [s.reason for s in d.skipped] == ["path does not exist"]
