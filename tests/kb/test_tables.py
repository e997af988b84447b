"""Generated tables (timm, torchvision, Ultralytics, open_clip) as the loader exposes them; look-alikes miss."""

from __future__ import annotations

import pytest

from vlicense.knowledge.knowledge_base import KnowledgeBase, normalize_raw_license


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


# ------------------------------------------------------------------------------------------------- timm


def test_timm_counts(kb: KnowledgeBase) -> None:
    tags = kb._timm["tags"]
    assert len(tags) >= 1800
    nc = [name for name in tags if kb.timm_tag(name).license == "CC-BY-NC-4.0"]
    assert len(nc) == 88
    assert len(kb.timm_archs()) >= 1100


def test_timm_default_tags_match_the_library(kb: KnowledgeBase) -> None:
    # Verified with timm 1.0.31: get_pretrained_cfg(arch).tag (what create_model(arch, pretrained=True) loads);
    # not the alphabetically first tag (convnext_tiny's first listed tag is dinov3_lvd1689m).
    assert kb.timm_default_tag("resnet50") == "a1_in1k"
    assert kb.timm_default_tag("convnext_tiny") == "in12k_ft_in1k"
    assert kb.timm_default_tag("vit_base_patch16_224") == "augreg2_in21k_ft_in1k"
    assert kb.timm_default_tag("convnextv2_tiny") == "fcmae_ft_in22k_in1k"
    assert (
        kb.timm_default_tag("resnet50.a1_in1k") is None
    )  # a tagged name is not an arch
    assert kb.timm_default_tag("resnet50x") is None


def test_timm_arch_only_id_resolves_default(kb: KnowledgeBase) -> None:
    fact = kb.model("timm:convnextv2_tiny")
    assert fact.license == "CC-BY-NC-4.0"
    assert "convnextv2_tiny.fcmae_ft_in22k_in1k" in fact.note


def test_timm_lookalikes_miss(kb: KnowledgeBase) -> None:
    assert kb.timm_tag("resnet50.a1_in1k_fake") is None
    assert kb.timm_tag("resnet50") is None  # tag-level API wants arch.tag
    assert kb.model("timm:not_a_model.x") is None
    assert kb.model("timm:") is None


def test_timm_fact_shape(kb: KnowledgeBase) -> None:
    fact = kb.timm_tag("fastvit_mci0.apple_mclip")
    assert fact.license == "LicenseRef-apple-amlr" and fact.raw == "apple-amlr"
    assert fact.source.startswith("timm 1.0.31 get_pretrained_cfg(")
    assert fact.hf_hub_id == "apple/mobileclip_s0_timm"
    assert kb.timm_tag("resnet50.bamboo").license is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("apache-2.0", "Apache-2.0"),
        ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
        ("mit", "MIT"),
        ("bsd-3-clause", "BSD-3-Clause"),
        ("cc-by-4.0", "CC-BY-4.0"),
        ("agpl-3.0", "AGPL-3.0-only"),
        ("apple-amlr", "LicenseRef-apple-amlr"),
        ("dinov3-license", "LicenseRef-dinov3-license"),
        ("isc", "ISC"),  # not in the explicit table: validated against the SPDX list
        ("my license 2", "LicenseRef-my-license-2"),
        ("bsd", "LicenseRef-vlicense-BSD-unspecified"),  # a family, not one license
        ("unknown", None),
        (None, None),
    ],
)
def test_normalize_raw_license(raw: str | None, expected: str | None) -> None:
    assert normalize_raw_license(raw) == expected


def test_every_spdx_value_in_the_table_is_a_real_spdx_id() -> None:
    from license_expression import get_spdx_licensing

    from vlicense.knowledge.knowledge_base import RAW_LICENSE_IDS

    licensing = get_spdx_licensing()
    for raw, value in RAW_LICENSE_IDS.items():
        if value is None or value.startswith("LicenseRef-"):
            continue
        assert licensing.validate(value).errors == [], (raw, value)
        assert licensing.parse(value).render() == value


# ------------------------------------------------------------------------------------------ torchvision


def test_torchvision_swag_and_library_default(kb: KnowledgeBase) -> None:
    weights = kb._tv["weights"]
    assert len(weights) == 166
    swag = {k for k in weights if kb.torchvision_weight(k).license == "CC-BY-NC-4.0"}
    assert len(swag) == 12 and all("_SWAG_" in k for k in swag)
    for key, entry in weights.items():
        if key not in swag:
            assert (
                entry["license"] == "BSD-3-Clause" and entry["library_default"] is True
            ), key
            assert "library default" in kb.torchvision_weight(key).note


def test_torchvision_builders_enums_defaults(kb: KnowledgeBase) -> None:
    assert len(kb._tv["builders"]) == 121
    assert kb.torchvision_enum_for_builder("resnet50") == "ResNet50_Weights"
    assert (
        kb.torchvision_enum_for_builder("quantized_resnet50")
        == "ResNet50_QuantizedWeights"
    )
    assert (
        kb.torchvision_enum_for_builder("fasterrcnn_resnet50_fpn")
        == "FasterRCNN_ResNet50_FPN_Weights"
    )
    assert kb.torchvision_default_member("ResNet50_Weights") == "IMAGENET1K_V2"
    assert (
        kb.torchvision_default_member("ViT_B_16_Weights") == "IMAGENET1K_V1"
    )  # DEFAULT is not SWAG
    # legacy pretrained=True loads V1, not DEFAULT
    assert kb.torchvision_legacy_member("resnet50") == "ResNet50_Weights.IMAGENET1K_V1"
    assert kb.torchvision_legacy_member("quantized_resnet50", quantize=True) == (
        "ResNet50_QuantizedWeights.IMAGENET1K_FBGEMM_V1"
    )
    assert "ViT_B_16_Weights" in kb.torchvision_enums()
    modules = kb._tv["modules"]
    assert set(modules) == {
        "classification",
        "quantization",
        "detection",
        "segmentation",
        "video",
        "optical_flow",
    }
    assert "raft_large" in modules["optical_flow"] and "mvit_v2_s" in modules["video"]
    assert (
        kb.torchvision_weight("Raft_Large_Weights.C_T_SKHT_V2").task == "optical-flow"
    )


def test_torchvision_default_alias_and_lookalikes(kb: KnowledgeBase) -> None:
    fact = kb.torchvision_weight("ResNet50_Weights.DEFAULT")
    assert fact.license == "BSD-3-Clause" and "IMAGENET1K_V2" in fact.note
    assert kb.torchvision_weight("ResNet50_Weights.IMAGENET1K_V3") is None
    assert kb.torchvision_weight("ResNet51_Weights.IMAGENET1K_V1") is None
    assert kb.torchvision_enum_for_builder("resnet51") is None


# ------------------------------------------------------------------------------------------ ultralytics


def test_ultralytics_assets(kb: KnowledgeBase) -> None:
    assets = kb.ultralytics_assets()
    assert len(assets) == 199
    families = {a["family"] for a in kb._ul["assets"].values()}
    assert families <= set(kb._families)  # every family has a license rule
    others = [name for name, a in kb._ul["assets"].items() if a["family"] == "other"]
    assert others == ["calibration_image_sample_data_20x128x128x3_float32.npy.zip"]
    for name in assets:
        fact = kb.ultralytics_asset(name)
        assert fact.license is not None and fact.source and fact.date, name


@pytest.mark.parametrize(
    ("name", "license", "task"),
    [
        ("yolo11x-pose.pt", "AGPL-3.0-only", "pose"),
        ("yolov8m-seg.pt", "AGPL-3.0-only", "segment"),
        ("yolo26s-obb.pt", "AGPL-3.0-only", "obb"),
        ("yolov8l-cls.pt", "AGPL-3.0-only", "classify"),
        ("yolo_nas_l.pt", "LicenseRef-Deci-YOLO-NAS", "detect"),
        ("sam2_t.pt", "Apache-2.0", "segment"),
        ("FastSAM-x.pt", "AGPL-3.0-only", "segment"),
        ("rtdetr-x.pt", "Apache-2.0", "detect"),
        ("mobileclip2_b.ts", "LicenseRef-apple-amlr", "text-image-embedding"),
        ("yolov9e-seg.pt", "AGPL-3.0-only", "segment"),
    ],
)
def test_ultralytics_family_rules(
    kb: KnowledgeBase, name: str, license: str, task: str
) -> None:
    fact = kb.model(f"ultralytics:{name}")
    assert (fact.license, fact.task) == (license, task)


@pytest.mark.parametrize(
    "name",
    [
        "yolo11n",
        "yolo11n.yaml",
        "my_yolo11n.pt",
        "weights/yolo11n.pt",
        "YOLO11N.PT",
        "yolo13n.pt",
    ],
)
def test_ultralytics_lookalikes_are_not_official(kb: KnowledgeBase, name: str) -> None:
    assert kb.ultralytics_asset(name) is None


# -------------------------------------------------------------------------------------------- open_clip


def test_open_clip(kb: KnowledgeBase) -> None:
    assert len(kb._oc["pretrained"]) == 196
    # derived through the timm/ mirror's cfg
    derived = kb.open_clip("ViT-B-32", "metaclip_fullcc")
    assert derived is not None and derived.license == "CC-BY-NC-4.0"
    assert derived.hf_hub_id == "timm/vit_base_patch32_clip_224.metaclip_2pt5b"
    # laion hub repo without a curated snapshot: unknown, with the Hub id to resolve
    unknown = kb.open_clip("ViT-g-14", "laion2b_s34b_b88k")
    assert (
        unknown.license is None
        and unknown.hf_hub_id == "laion/CLIP-ViT-g-14-laion2B-s34B-b88K"
    )
    assert kb.open_clip("ViT-B-32", "nope") is None
    assert kb.open_clip("ViT-B-33", "openai") is None


# --------------------------------------------------------------------------------------------- basis


def test_hub_entries_say_card_or_inferred_and_it_reaches_derived_facts(tmp_path) -> None:
    (tmp_path / "models.yaml").write_text(
        "models:\n  hf:org/m:\n    license: MIT\n    source: https://github.com/org/m/blob/main/LICENSE\n"
        "    date: '2026-01-01'\n    basis: inferred\n")
    assert KnowledgeBase.load(tmp_path).hub_model("ORG/m").basis == "inferred"
    shipped = KnowledgeBase.load()
    bases = {entry.get("basis") for key, entry in shipped._models.items() if key.startswith("hf:")}
    assert bases <= {"card", "inferred"}  # every shipped Hub entry says which
