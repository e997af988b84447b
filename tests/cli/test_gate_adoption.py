"""Adopting the gate on a legacy project: --write-baseline/--baseline and --new-since GIT_REF, end to end."""

from __future__ import annotations

import json
import subprocess

import pytest

from vlicense.cli import main


def run(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    return done.value.code, out, err


def git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(root), "PATH": "/usr/bin:/bin"})


LEGACY = "import timm\nbackbone = timm.create_model('convnextv2_tiny.fcmae_ft_in22k_in1k', pretrained=True)\n"
NEW = "from ultralytics import YOLO\ndetector = YOLO('yolo11n.pt')\n"


def test_baseline_lets_legacy_findings_through_but_not_new_ones(capsys, tmp_path):
    project = tmp_path / "app"
    project.mkdir()
    (project / "legacy.py").write_text(LEGACY)
    baseline = tmp_path / "baseline.json"
    code, _, err = run(["audit", str(project), "--offline", "--python", "none", "--write-baseline", str(baseline)], capsys)
    assert code == 1 and baseline.is_file()
    assert run(["audit", str(project), "--offline", "--python", "none", "--baseline", str(baseline)], capsys)[0] == 0
    (project / "detector.py").write_text(NEW)
    code, out, _ = run(["audit", str(project), "--offline", "--python", "none", "--baseline", str(baseline), "-f", "json"], capsys)
    report = json.loads(out)
    assert code == 1
    gating = {f["component"] for f in report["findings"] if f["severity"] == "error"}
    assert gating == {"pypi:ultralytics", "ultralytics:yolo11n.pt"}
    legacy = [f for f in report["findings"] if f["component"].startswith("timm:")]
    assert legacy and all(f["severity"] == "info" and "baseline" in f["message"] for f in legacy)


def test_new_since_gates_only_what_the_change_adds(capsys, tmp_path):
    (tmp_path / "legacy.py").write_text(LEGACY)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "legacy")
    assert run(["audit", str(tmp_path), "--offline", "--python", "none", "--new-since", "HEAD"], capsys)[0] == 0
    (tmp_path / "detector.py").write_text(NEW)
    code, out, _ = run(["audit", str(tmp_path), "--offline", "--python", "none", "--new-since", "HEAD", "-f", "json"], capsys)
    assert code == 1
    errors = {f["component"] for f in json.loads(out)["findings"] if f["severity"] == "error"}
    assert errors == {"pypi:ultralytics", "ultralytics:yolo11n.pt"}
    status = subprocess.run(["git", "-C", str(tmp_path), "status", "--porcelain"], capture_output=True, text=True).stdout
    assert status.strip() == "?? detector.py"  # the user's work tree is untouched


def test_new_since_outside_git_is_a_usage_error(capsys, tmp_path):
    (tmp_path / "app.py").write_text(LEGACY)
    code, _, err = run(["audit", str(tmp_path), "--offline", "--new-since", "HEAD"], capsys)
    assert code == 2 and "git" in err.lower()
