"""The knowledge base answers every weight id the wrapper-library fixtures expect, with a sourced, dated fact."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.knowledge.licenses import license_info

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "doors"
LOADERS = Path(__file__).resolve().parents[2] / "src" / "vlicense" / "knowledge" / "loaders"
EXPECTED = [
    (project.name, want)
    for project in sorted(FIXTURES.iterdir())
    if (project / "expected.yaml").is_file()
    for want in yaml.safe_load((project / "expected.yaml").read_text())["components"]
    # Hub ids are answered by the Hub (offline: unknown), not by these curated entries.
    if not want["id"].startswith("hf:")
]


@pytest.fixture(scope="module")
def kb():
    return KnowledgeBase.load()


@pytest.mark.parametrize(("project", "want"), EXPECTED, ids=[w["id"] for _, w in EXPECTED])
def test_fixture_weight_ids_resolve_to_the_expected_license(kb, project, want):
    fact = kb.model(want["id"])
    if want["license"] is None and fact is None:
        return  # an unknown library/weight stays unknown
    assert fact is not None, f"{project}: {want['id']} has no knowledge-base fact"
    assert fact.license == want["license"], (project, want["id"], fact.license)
    assert fact.source and fact.date, want["id"]


def test_prefix_rules_pick_the_most_specific_entry(kb):
    # roboflow:* (hosted terms only) is less specific than roboflow:yolov8* (AGPL-3.0 too) and an exact id wins over both.
    assert kb.model("roboflow:acme-widgets/3").license == "LicenseRef-roboflow-hosted-model"
    assert kb.model("roboflow:yolov8x-640").license.startswith("AGPL-3.0-only")
    assert kb.model("roboflow:rfdetr-2xlarge").license.startswith("LicenseRef-Roboflow-PML-1.0")
    assert kb.model("super_gradients:yolo_nas_pose_l.coco_pose").license == "LicenseRef-Deci-YOLO-NAS"
    assert kb.model("super_gradients:ppyoloe_s.coco").license is None
    assert kb.model("rfdetr:NotAModel") is None  # no rfdetr:* rule: an unknown class stays unknown


def test_new_license_keys_are_in_the_catalog(kb):
    for key in ("LicenseRef-insightface-non-commercial", "LicenseRef-roboflow-hosted-model"):
        info = license_info(key)
        assert info is not None and info.category in ("non-commercial", "proprietary"), key


@pytest.mark.parametrize("path", sorted(LOADERS.glob("*.yaml")), ids=lambda p: p.stem)
def test_loader_entries_say_where_their_facts_were_read(path):
    entry = yaml.safe_load(path.read_text())
    read_from = entry["read_from"]
    assert read_from["version"] and read_from["source"] and read_from["date"], path.name
    for call in entry.get("calls", []):
        for part in (call, *call.get("also", [])):
            default = part.get("default")
            if isinstance(default, dict):
                assert default.get("at") and any(ch.isdigit() for ch in default["at"]), (path.name, call["callee"][0])


def test_dinov2_and_detr_weights_are_apache(kb):
    # Both repositories' README 'License' sections cover the released model weights (models.yaml dinov2:*, detr:*).
    for component_id in ("dinov2:dinov2_vitl14_reg4_dinotxt_tet1280d20h24l_text_encoder.pth", "detr:detr-r50-e632da11.pth"):
        fact = kb.model(component_id)
        assert fact is not None and fact.license == "Apache-2.0" and "README.md" in fact.source, component_id


def test_easyocr_dbnet_weights_are_mhliao_db_weights_without_a_license(kb):
    # EasyOCR's DBNet README: dbnet18/dbnet50 are MhLiao/DB's trained models renamed; MhLiao/DB states no license, so
    # EasyOCR's Apache-2.0 does not reach them (they were Apache-2.0 through the easyocr:* rule before).
    for component_id in ("easyocr:dbnet18", "easyocr:dbnet50"):
        fact = kb.model(component_id)
        assert fact is not None and fact.license is None and "MhLiao/DB" in fact.source, component_id
    assert kb.model("easyocr:english_g2").license == "Apache-2.0"
    assert kb.weight_by_file_name("pretrained_ic15_res18.pt") == ("easyocr", "dbnet18")
