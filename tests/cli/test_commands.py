"""explain, kb info, policy list/check: what they print and their exit codes."""

from __future__ import annotations

import pytest

from vlicense.cli import main


def run(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    return done.value.code, out, err


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("AGPL-3.0-only", ["network-copyleft", "section 13"]),
        ("cc-by-nc-4.0", ["non-commercial", "NonCommercial"]),
        ("timm:convnextv2_tiny", ["CC-BY-NC-4.0", "convnextv2_tiny.fcmae_ft_in22k_in1k"]),
        ("timm:resnet50.a1_in1k", ["Apache-2.0", "source:"]),
        ("torchvision:ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1", ["CC-BY-NC-4.0"]),
        ("ultralytics:yolo11n.pt", ["AGPL-3.0-only"]),
        ("hf:nvidia/segformer-b0-finetuned-ade-512-512", ["non-commercial"]),
        ("pypi:ultralytics", ["AGPL-3.0-only", "source:"]),
        ("hf:someone/never-heard-of", ["unknown", "overrides:"]),
        ("network-copyleft", ["rule network-copyleft", "AGPL-3.0-only", "closed-source-saas error", "internal info", "how to fix:"]),
        ("unknown", ["rule unknown-license", "strict error", "overrides:"]),
        ("exception-expired", ["severity: error (fixed", "how to fix:"]),
        ("ultralytics:yolo11n.pt", ["alternatives:", "Apache-2.0", "Enterprise"]),
        ("pypi:ultralytics", ["alternatives:", "[commercial]"]),
        ("AGPL-3.0-only", ["rule: network-copyleft (closed-source-saas error"]),
        # loader catalog namespaces: an exact id, or the namespace's prefix rule (said so)
        ("super_gradients:yolo_nas_l.coco", ["LicenseRef-Deci-YOLO-NAS", "rule super_gradients:yolo_nas_*"]),
        ("insightface:buffalo_l", ["non-commercial", "rule insightface:*"]),
        ("keras:VGG16.imagenet", ["CC-BY-4.0", "source:"]),
        ("detectron2:COCO-Detection/faster_rcnn_R_50_FPN_3x", ["CC-BY-SA-3.0"]),
        ("keras_hub:xception_41_imagenet", ["unknown", "not in the knowledge base"]),
    ],
)
def test_explain(identifier, expected, capsys):
    code, out, err = run(["explain", identifier], capsys)
    assert code == 0, err
    for text in expected:
        assert text in out


def test_explain_permissive_components_list_no_alternatives(capsys):
    code, out, _ = run(["explain", "timm:resnet50.a1_in1k"], capsys)
    assert code == 0 and "alternatives:" not in out


@pytest.mark.parametrize("look_alike", ["network-copylef", "pypi:", "timm:", "AGPL-3.0-onl", "rule:network-copyleft", "insightface:",
                                       "notalibrary:buffalo_l"])
def test_explain_look_alikes_are_not_guessed(look_alike, capsys):
    code, out, err = run(["explain", look_alike], capsys)
    assert code == 2 and out == "" and ("nothing known" in err or "names no model" in err)


def test_explain_unknown_identifier_is_exit_2(capsys):
    code, out, err = run(["explain", "definitely-not-a-license"], capsys)
    assert code == 2 and "nothing known" in err and out == ""


def test_kb_info_lists_generated_tables_with_versions(capsys):
    code, out, _ = run(["kb", "info"], capsys)
    assert code == 0
    for table in ("timm", "torchvision", "ultralytics", "open_clip"):
        line = next(line for line in out.splitlines() if line.startswith(f"{table}:"))
        assert "version=" in line and "date=" in line and "count=" in line


def test_policy_list_and_check(capsys, tmp_path):
    code, out, _ = run(["policy", "list"], capsys)
    assert code == 0
    assert {"closed-source-saas", "closed-source-binary", "internal", "open-source"} <= set(out.split())
    assert run(["policy", "check", "internal"], capsys)[0] == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncontext:\n  distribution: [moon]\n")
    code, _, err = run(["policy", "check", str(bad)], capsys)
    assert code == 2 and f"{bad}:3" in err and "distribution" in err


def test_help_and_version(capsys):
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "audit" in out and "explain" in out
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and "vlicense" in out
