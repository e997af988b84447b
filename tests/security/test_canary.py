"""Canary: auditing a hostile project runs none of its code (weights, setup.py, conftest.py, .pth, sitecustomize)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from weights.weight_files import (
    ExecCall,
    SystemCall,
    touch_command,
    ultralytics_checkpoint,
    write_legacy_torch,
    write_torch_zip,
)

from vlicense.cli import main
from vlicense.model import Component
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.resolution.weights_enrich import enrich_weight_components

PAYLOADS = ("weights-zip", "weights-legacy", "exec", "setup.py", "conftest.py", "site.pth", "sitecustomize.py", "app_init")


def _writer(canary: Path) -> str:
    return f"open({str(canary)!r}, 'w').write('pwned')"


def build_hostile_project(root: Path, canaries: Path) -> dict[str, Path]:
    """A project where every file that could run code would create its own canary file."""
    canaries.mkdir(parents=True, exist_ok=True)
    marks = {name: canaries / f"{name}.ran" for name in PAYLOADS}
    root.mkdir(parents=True, exist_ok=True)
    zip_pickle = pickle.dumps(
        {**{k: v for k, v in ultralytics_checkpoint("yolov8n.pt").items() if k != "model"},
         "model": SystemCall(touch_command(marks["weights-zip"])), "ema": ExecCall(_writer(marks["exec"]))},
        protocol=2,
    )
    write_torch_zip(root / "weights/best.pt", None, raw_pickle=zip_pickle)
    write_legacy_torch(root / "weights/old.pth", {"state_dict": SystemCall(touch_command(marks["weights-legacy"]))})
    (root / "setup.py").write_text(f"{_writer(marks['setup.py'])}\nfrom setuptools import setup\nsetup(name='hostile')\n")
    (root / "conftest.py").write_text(f"{_writer(marks['conftest.py'])}\n")
    (root / "hostile.pth").write_text(f"import os; {_writer(marks['site.pth'])}\n")
    (root / "sitecustomize.py").write_text(f"{_writer(marks['sitecustomize.py'])}\n")
    (root / "app").mkdir(exist_ok=True)
    (root / "app/__init__.py").write_text(f"{_writer(marks['app_init'])}\n")
    (root / "app/main.py").write_text(
        "from ultralytics import YOLO\nimport app\n\nmodel = YOLO('weights/best.pt')\nlegacy = 'weights/old.pth'\n"
    )
    (root / "requirements.txt").write_text("ultralytics==8.1.0\n")
    return marks


def test_payloads_are_live_when_executed(tmp_path):
    """Control: each payload really creates its canary when Python runs or loads it the normal way."""
    marks = build_hostile_project(tmp_path / "p", tmp_path / "c")
    root = tmp_path / "p"
    with (root / "weights/best.pt").open("rb") as f:
        import zipfile

        pickle.loads(zipfile.ZipFile(f).read("best/data.pkl"))
    data = (root / "weights/old.pth").read_bytes()
    stream = __import__("io").BytesIO(data)
    for _ in range(4):
        pickle.load(stream)
    env = {**os.environ, "PYTHONPATH": str(root)}
    for script in ("setup.py", "conftest.py"):
        subprocess.run([sys.executable, script, "--name"], cwd=root, env=env, capture_output=True, timeout=60, check=False)
    subprocess.run([sys.executable, "-c", "import app"], cwd=root, capture_output=True, timeout=60, check=False)
    subprocess.run([sys.executable, "-c", "import site, sys; site.addsitedir(sys.argv[1])", str(root)], capture_output=True, timeout=60, check=False)
    subprocess.run([sys.executable, "-c", "pass"], env=env, capture_output=True, timeout=60, check=False)  # sitecustomize on the path
    assert sorted(name for name, mark in marks.items() if mark.exists()) == sorted(PAYLOADS)


def _no_canary(marks: dict[str, Path]) -> None:
    ran = sorted(name for name, mark in marks.items() if mark.exists())
    assert ran == [], f"code from the scanned project ran: {ran}"


def test_enrich_reports_unsafe_pickles_and_runs_nothing(tmp_path):
    root = tmp_path / "p"
    marks = build_hostile_project(root, tmp_path / "c")
    components = [Component(id=f"file:{rel}", kind="model", name=rel) for rel in ("weights/best.pt", "weights/old.pth", "hostile.pth")]
    skipped = enrich_weight_components(components, root, KnowledgeBase.load())
    _no_canary(marks)
    best, old, pth = components
    assert [s.kind for s in best.signals if s.kind == "unsafe-pickle"] == ["unsafe-pickle"]
    assert "builtins.exec" in best.signals[0].message or any("builtins.exec" in s.message for s in best.signals)
    assert [s.kind for s in old.signals] == ["unsafe-pickle"]
    assert pth.signals == [] and [s.path for s in skipped] == ["hostile.pth"]  # text .pth: listed, never run


def _audit_json(stdout: str) -> dict:
    return json.loads(stdout)


def test_full_audit_in_process_runs_nothing(tmp_path, capsys, monkeypatch):
    root = tmp_path / "p"
    marks = build_hostile_project(root, tmp_path / "c")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit) as done:
        main(["audit", str(root), "--format", "json", "--offline"])
    assert done.value.code in (0, 1), capsys.readouterr().err
    report = _audit_json(capsys.readouterr().out)
    _no_canary(marks)
    assert "file:weights/best.pt" in {c["id"] for c in report["components"]}


def test_full_audit_subprocess_runs_nothing(tmp_path):
    root = tmp_path / "p"
    marks = build_hostile_project(root, tmp_path / "c")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    # cwd is the hostile project: a sitecustomize.py or .pth there must still not run.
    done = subprocess.run(
        [sys.executable, "-m", "vlicense", "audit", str(root), "--format", "json", "--offline"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    _no_canary(marks)
    assert "file:weights/best.pt" in {c["id"] for c in _audit_json(done.stdout)["components"]}


def test_full_audit_reports_the_unsafe_pickle(tmp_path, capsys, monkeypatch):
    root = tmp_path / "p"
    marks = build_hostile_project(root, tmp_path / "c")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(SystemExit) as done:
        main(["audit", str(root), "--format", "json", "--offline"])
    report = _audit_json(capsys.readouterr().out)
    _no_canary(marks)
    by_id = {c["id"]: c for c in report["components"]}
    assert [s["kind"] for s in by_id["file:weights/best.pt"]["signals"] if s["kind"] == "unsafe-pickle"] == ["unsafe-pickle"]
    assert [s["kind"] for s in by_id["file:weights/old.pth"]["signals"]] == ["unsafe-pickle"]
    unsafe = [f for f in report["findings"] if f["rule"] == "unsafe-pickle"]
    assert sorted(f["component"] for f in unsafe) == ["file:weights/best.pt", "file:weights/old.pth"]
    assert all(f["severity"] == "error" for f in unsafe)
    assert done.value.code == 1
    assert "hostile.pth" in {s["path"] for s in report["skipped"]}


def test_a_hostile_git_config_runs_nothing(tmp_path):
    """.git/config is part of the scanned project: core.fsmonitor would make `git ls-files` run a command."""
    import subprocess as sp

    from vlicense.cli import main

    project = tmp_path / "repo"
    project.mkdir()
    canary = tmp_path / "git-canary"
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
           "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    (project / "app.py").write_text("from ultralytics import YOLO\nYOLO('yolo11n.pt')\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"],
                 ["config", "core.fsmonitor", f"touch {canary}; true"], ["config", "core.hooksPath", str(tmp_path)]):
        sp.run(["git", "-C", str(project), *args], check=True, capture_output=True, env=env)
    # Control: plain git does run the configured command, so the canary can fire.
    sp.run(["git", "-C", str(project), "ls-files"], capture_output=True, env=env)
    assert canary.exists()
    canary.unlink()
    for argv in (["audit", str(project), "--offline", "--no-cache"],
                 ["audit", str(project), "--offline", "--no-cache", "--new-since", "HEAD"]):
        with pytest.raises(SystemExit):
            main(argv)
        assert not canary.exists(), argv
