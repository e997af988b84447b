"""The audit command end to end: examples, formats, exit codes, bad input; in-process and as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from vlicense.cli import main
from vlicense.resources import schema_path

REPO = Path(__file__).resolve().parents[2]
FAILING = REPO / "examples" / "shelf-auditor"
CLEAN = REPO / "examples" / "shelf-auditor-clean"
SCHEMA = json.loads(schema_path().read_text())


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    return done.value.code, out, err


def audit_json(path: Path, capsys, *extra: str) -> tuple[int, dict]:
    code, out, err = run(["audit", str(path), "--format", "json", "--offline", *extra], capsys)
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    return code, report


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")  # 2025-11-29


# ------------------------------------------------------------------------------------------ the examples


def test_failing_example_fails_with_the_three_front_doors(capsys):
    code, report = audit_json(FAILING, capsys)
    assert code == 1
    assert report["verdict"] == "fail"
    assert report["context"] == {"policy": "closed-source-saas", "distribution": ["saas"], "commercial": True}
    components = {c["id"]: c for c in report["components"]}
    assert components["ultralytics:yolo11n.pt"]["license"] == "AGPL-3.0-only"
    assert components["timm:convnextv2_tiny.fcmae_ft_in22k_in1k"]["license"] == "CC-BY-NC-4.0"
    assert components["pypi:ultralytics"]["license"].startswith("AGPL-3.0")
    segformer = components["hf:nvidia/segformer-b0-finetuned-ade-512-512"]
    assert segformer["license"] is not None and "non-commercial" in segformer["categories"]
    errors = {(f["rule"], f["component"]) for f in report["findings"] if f["severity"] == "error"}
    assert any(component == "ultralytics:yolo11n.pt" for _, component in errors)
    assert any(component == "pypi:ultralytics" for _, component in errors)
    assert any(component == "timm:convnextv2_tiny.fcmae_ft_in22k_in1k" for _, component in errors)
    detector = components["ultralytics:yolo11n.pt"]["locations"][0]
    assert detector["path"] == "shelf_auditor/detector.py" and detector["line"] == 8
    unresolved = {(u["path"], u["loader"]) for u in report["unresolved"]}
    assert ("shelf_auditor/custom.py", "ultralytics") in unresolved


def test_failing_example_memo_names_clause_location_and_alternatives(capsys):
    code, out, _ = run(["audit", str(FAILING), "--format", "memo", "--offline"], capsys)
    assert code == 1
    assert "section 13" in out
    assert "NonCommercial" in out or "non-commercial" in out.lower()
    assert "shelf_auditor/detector.py:8" in out
    assert "Apache-2.0" in out  # at least one permissive alternative is named with its license
    assert "## Inventory" in out and out.index("Verdict: FAIL") < out.index("## Inventory")  # verdict first


def test_clean_example_passes(capsys):
    code, report = audit_json(CLEAN, capsys)
    assert report["verdict"] == "pass", [f for f in report["findings"] if f["severity"] != "info"]
    assert code == 0
    ids = {c["id"] for c in report["components"]}
    assert {"hf:PekingU/rtdetr_r50vd", "timm:convnext_tiny.fb_in22k_ft_in1k", "torchvision:ResNet50_Weights.IMAGENET1K_V2"} <= ids


def test_internal_policy_does_not_block_agpl_but_still_blocks_noncommercial_weights(capsys):
    code, report = audit_json(FAILING, capsys, "--policy", "internal")
    agpl = [f for f in report["findings"] if f["component"] in {"pypi:ultralytics", "ultralytics:yolo11n.pt"}]
    assert agpl and all(f["severity"] != "error" for f in agpl)
    assert any("13" in f["message"] or "network" in f["message"].lower() for f in agpl)
    assert code == 1  # CC-BY-NC weights in commercial use
    assert any(f["component"].startswith("timm:convnextv2") and f["severity"] == "error" for f in report["findings"])


def test_fail_on_never_exits_zero_and_fail_on_warning_is_stricter(capsys):
    assert run(["audit", str(FAILING), "--offline", "--fail-on", "never"], capsys)[0] == 0
    code, report = audit_json(CLEAN, capsys, "--fail-on", "warning")
    assert code == (1 if report["verdict"] == "warn" else 0)


def test_text_summary_is_short_and_names_the_verdict(capsys):
    code, out, _ = run(["audit", str(FAILING), "--offline"], capsys)
    assert code == 1
    assert "fail" in out.lower()
    assert len(out.splitlines()) < 60


def test_reports_are_deterministic(capsys):
    first = run(["audit", str(FAILING), "--format", "json", "--offline"], capsys)[1]
    second = run(["audit", str(FAILING), "--format", "json", "--offline"], capsys)[1]
    assert first == second
    memo1 = run(["audit", str(FAILING), "--format", "memo", "--offline"], capsys)[1]
    memo2 = run(["audit", str(FAILING), "--format", "memo", "--offline"], capsys)[1]
    assert memo1 == memo2
    assert "2025-11-29" in memo1


def test_audit_writes_only_the_requested_files(tmp_path, capsys):
    before = sorted(p for p in FAILING.rglob("*") if "__pycache__" not in p.parts)
    memo, data = tmp_path / "out" / "memo.md", tmp_path / "report.json"
    code, out, _ = run(["audit", str(FAILING), "--offline", "-f", "memo", "-o", str(memo), "-f", "json", "-o", str(data)], capsys)
    assert code == 1 and out == ""
    assert memo.read_text().strip() and json.loads(data.read_text())["verdict"] == "fail"
    after = sorted(p for p in FAILING.rglob("*") if "__pycache__" not in p.parts)
    assert before == after


# -------------------------------------------------------------------------------------------- bad input


def test_nonexistent_path_is_a_usage_error(capsys, tmp_path):
    code, out, err = run(["audit", str(tmp_path / "nope")], capsys)
    assert code == 2
    assert "does not exist" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_policy_is_exit_2(capsys):
    code, _, err = run(["audit", str(CLEAN), "--policy", "no-such-preset"], capsys)
    assert code == 2
    assert "no-such-preset" in err and "closed-source-saas" in err


def test_malformed_policy_names_file_line_and_key(capsys, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: mine\ncontext:\n  distribution: [saas]\n  commercial: yes\nbogus_key: 1\n")
    code, _, err = run(["audit", str(CLEAN), "--policy", str(policy)], capsys)
    assert code == 2
    assert f"{policy}:5" in err and "bogus_key" in err


def test_unknown_format_and_unpaired_outputs_are_usage_errors(capsys, tmp_path):
    assert run(["audit", str(CLEAN), "--format", "pdf"], capsys)[0] == 2
    assert run(["audit", str(CLEAN), "-f", "json", "-f", "memo"], capsys)[0] == 2
    assert run(["audit", str(CLEAN), "-o", str(tmp_path / "a"), "-o", str(tmp_path / "b")], capsys)[0] == 2


def test_unknown_pyproject_key_is_a_config_error(capsys, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.vlicense]\npolicy = "internal"\nfail_on = "warning"\n')
    code, _, err = run(["audit", str(tmp_path)], capsys)
    assert code == 2 and "fail_on" in err


def test_single_file_is_audited(capsys, tmp_path):
    app = tmp_path / "app.py"
    app.write_text("from ultralytics import YOLO\nmodel = YOLO('yolov8n.pt')\n")
    (tmp_path / "other.py").write_text("import timm\nm = timm.create_model('resnet50.fb_swsl_ig1b_ft_in1k', pretrained=True)\n")
    code, report = audit_json(app, capsys)
    ids = {c["id"] for c in report["components"]}
    assert "ultralytics:yolov8n.pt" in ids
    assert not any(i.startswith("timm:") for i in ids)
    assert code == 1


def test_empty_project_passes_and_says_nothing_was_found(capsys, tmp_path):
    code, report = audit_json(tmp_path, capsys)
    assert code == 0 and report["verdict"] == "pass"
    assert report["components"] == [] and report["stats"]["files_scanned"] == 0


def test_unreadable_and_invalid_files_are_listed_as_skipped(capsys, tmp_path):
    (tmp_path / "py2.py").write_text('print "hello"\n')
    (tmp_path / "binary.py").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    (tmp_path / "ok.py").write_text("import timm\nm = timm.create_model('resnet50', pretrained=True)\n")
    code, report = audit_json(tmp_path, capsys)
    skipped = {s["path"]: s["reason"] for s in report["skipped"]}
    assert set(skipped) == {"py2.py", "binary.py"}
    assert all(reason for reason in skipped.values())
    assert "timm:resnet50.a1_in1k" in {c["id"] for c in report["components"]}


# -------------------------------------------------------------------------------------------- subprocess


@pytest.mark.parametrize("command", [[sys.executable, "-m", "vlicense"], [str(Path(sys.executable).with_name("vlicense"))]])
def test_entry_points_as_subprocess(command, tmp_path):
    if not Path(command[0]).exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    env = dict(os.environ, SOURCE_DATE_EPOCH="1764374400", HF_HUB_OFFLINE="1")
    failing = subprocess.run([*command, "audit", str(FAILING), "--format", "json"], capture_output=True, text=True, env=env)
    assert failing.returncode == 1, failing.stderr
    jsonschema.validate(json.loads(failing.stdout), SCHEMA)
    clean = subprocess.run([*command, "audit", str(CLEAN)], capture_output=True, text=True, env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    missing = subprocess.run([*command, "audit", str(tmp_path / "missing")], capture_output=True, text=True, env=env)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_agpl_pulled_in_through_an_mit_wrapper_enters_where_the_wrapper_is_imported(capsys, tmp_path):
    """A real installed-metadata layout in the project's .venv: app -> shelfkit (MIT) -> ultralytics (AGPL)."""
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages"
    (tmp_path / ".venv" / "pyvenv.cfg").parent.mkdir(parents=True)
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    wrapper = site / "shelfkit-1.0.dist-info"
    wrapper.mkdir(parents=True)
    (wrapper / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: shelfkit\nVersion: 1.0\nLicense-Expression: MIT\nRequires-Dist: ultralytics>=8\n"
    )
    (wrapper / "top_level.txt").write_text("shelfkit\n")
    agpl = site / "ultralytics-8.2.0.dist-info"
    agpl.mkdir()
    (agpl / "METADATA").write_text("Metadata-Version: 2.1\nName: ultralytics\nVersion: 8.2.0\nLicense: AGPL-3.0\n")
    (tmp_path / "app.py").write_text("import shelfkit\n\ndetector = shelfkit.Detector()\n")

    code, report = audit_json(tmp_path, capsys)
    assert code == 1
    agpl_component = next(c for c in report["components"] if c["id"] == "pypi:ultralytics")
    assert agpl_component["direct"] is False
    assert agpl_component["introduced_by"] == [["<project>", "shelfkit", "ultralytics"]]
    assert agpl_component["license_source"] == "installed-metadata"
    assert [(loc["path"], loc["line"]) for loc in agpl_component["locations"]] == [("app.py", 1)]
    code, out, _ = run(["audit", str(tmp_path), "--offline"], capsys)
    assert "app.py:1  pypi:ultralytics (via shelfkit)" in out
    code, memo, _ = run(["audit", str(tmp_path), "--offline", "-f", "memo"], capsys)
    assert "shelfkit → ultralytics" in memo


def test_weights_the_tree_does_not_hold_and_weights_found_by_name_are_audited(capsys, tmp_path):
    (tmp_path / "app.py").write_text(
        "import torch\n"
        "from detkit import AutoDetectionModel  # a wrapper the catalog does not know\n"
        "sd = torch.load('./models/control_sd15_canny.pth')\n"
        "det = AutoDetectionModel.from_pretrained(model_type='yolov8', model_path='yolov8s.pt')\n"
    )
    code, report = audit_json(tmp_path, capsys)
    components = {c["id"]: c for c in report["components"]}
    canny = components["file:models/control_sd15_canny.pth"]
    # Not in the tree: still a component, license unknown (the policy decides), found through torch.load.
    assert (canny["license"], canny["categories"], canny["found_by"]) == (None, ["unknown"], "loader")
    assert any("not in the project" in n for n in canny["notes"])
    assert report["skipped"] == []
    yolo = components["ultralytics:yolov8s.pt"]
    assert (yolo["license"], yolo["found_by"]) == ("AGPL-3.0-only", "name")
    assert any(n.startswith("found by name (passed to AutoDetectionModel.from_pretrained") for n in yolo["notes"])
    assert components["pypi:torch"]["found_by"] is None
    assert code == 1
