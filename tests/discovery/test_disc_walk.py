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
        ("pkg/loop", "symlink to a directory, not followed (it may loop or leave the project)"),
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


def write_tree(root, files):
    """Create ``files`` (relative path -> text) under ``root`` (text is dedented)."""
    import textwrap

    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def _git(cwd, *args):
    import subprocess

    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull})


@pytest.mark.skipif(__import__("shutil").which("git") is None, reason="git is not installed")
def test_gitignore_is_honored_inside_a_git_work_tree(tmp_path):
    root = tmp_path / "repo"
    write_tree(root, {
        ".gitignore": "generated/\n*.local.py\n",
        "app.py": IMPORT,
        "untracked_new.py": "import cv2\n",
        "generated/out.py": "import torch\n",
        "notes.local.py": "import timm\n",
        "sub/node_modules/pkg/x.py": "import leftpad\n",  # tracked, but always pruned
        "deleted.py": "import gone\n",
    })
    _git(root, "init", "-q")
    _git(root, "add", "app.py", ".gitignore", "deleted.py", "sub")
    _git(root, "commit", "-qm", "x")
    (root / "deleted.py").unlink()
    d = discover(root)
    assert paths(d) == ["app.py", "untracked_new.py"]
    assert d.skipped == []
    # A subdirectory of the work tree is scanned the same way (paths relative to it).
    write_tree(root, {"sub/inner/generated/y.py": "import torch\n", "sub/inner/ok.py": "import yaml\n"})
    assert paths(discover(root / "sub" / "inner")) == ["ok.py"]
    # Without git (or with use_git=False) the ignored files are scanned too.
    assert "generated/out.py" in paths(discover(root, use_git=False))


def test_registered_scanners_run_on_every_matching_file(scan, monkeypatch):
    from vlicense.discovery import registry
    from vlicense.model import Location, ModelReference, SkippedFile

    seen: list[tuple[str, str]] = []

    def fake_scan(path, rel, scope):
        seen.append((rel, scope))
        if rel.endswith("bad.weird"):
            raise RuntimeError("boom")
        return registry.FileScan(models=[ModelReference("huggingface", "org/model", Location(rel, 1))],
                                 skipped=[SkippedFile(rel, "partly read")])

    monkeypatch.setattr(registry, "_SCANNERS", dict(registry._SCANNERS))
    registry.register("fake", "1", lambda rel: rel.endswith(".weird"), fake_scan)
    d = scan({"a.weird": "x", "docs/b.weird": "y", "bad.weird": "z", "c.weirdo": "no", "app.py": IMPORT})
    assert sorted(seen) == [("a.weird", "runtime"), ("bad.weird", "runtime"), ("docs/b.weird", "docs")]
    assert [(m.name, m.location.path) for m in d.models] == [("org/model", "a.weird"), ("org/model", "docs/b.weird")]
    reasons = {(s.path, s.reason.split(" (")[0]) for s in d.skipped}
    assert reasons == {("a.weird", "partly read"), ("docs/b.weird", "partly read"), ("bad.weird", "internal error in fake scanner")}
