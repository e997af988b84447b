"""Model references (as code spells them) -> component ids and knowledge-base facts."""

from __future__ import annotations

import pytest

from vlicense.model import Location, ModelReference
from vlicense.resolution.identify import identify
from vlicense.knowledge.knowledge_base import KnowledgeBase

HERE = Location("app.py", 1)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def ref(loader, name, variant=None, **kw) -> ModelReference:
    return ModelReference(loader, name, HERE, variant=variant, **kw)


@pytest.mark.parametrize(
    ("reference", "component_id", "license_id"),
    [
        (ref("torchvision", "resnet50", "ResNet50_Weights.IMAGENET1K_V2"), "torchvision:ResNet50_Weights.IMAGENET1K_V2", "BSD-3-Clause"),
        (ref("torchvision", "resnet50", "IMAGENET1K_V1"), "torchvision:ResNet50_Weights.IMAGENET1K_V1", "BSD-3-Clause"),
        (ref("torchvision", "resnet50", "DEFAULT"), "torchvision:ResNet50_Weights.IMAGENET1K_V2", "BSD-3-Clause"),
        (ref("torchvision", "", "ResNet50_Weights.DEFAULT"), "torchvision:ResNet50_Weights.IMAGENET1K_V2", "BSD-3-Clause"),
        (ref("torchvision", "resnet50", "legacy-pretrained"), "torchvision:ResNet50_Weights.IMAGENET1K_V1", "BSD-3-Clause"),
        (ref("torchvision", "vit_h_14", "ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1"), "torchvision:ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1", "CC-BY-NC-4.0"),
        (ref("torchvision", "regnet_y_16gf", "IMAGENET1K_SWAG_LINEAR_V1"), "torchvision:RegNet_Y_16GF_Weights.IMAGENET1K_SWAG_LINEAR_V1", "CC-BY-NC-4.0"),
        (ref("timm", "resnet50"), "timm:resnet50.a1_in1k", "Apache-2.0"),
        (ref("timm", "resnet50.fb_swsl_ig1b_ft_in1k"), "timm:resnet50.fb_swsl_ig1b_ft_in1k", "CC-BY-NC-4.0"),
        (ref("timm", "convnextv2_tiny.fcmae_ft_in22k_in1k"), "timm:convnextv2_tiny.fcmae_ft_in22k_in1k", "CC-BY-NC-4.0"),
        (ref("timm", "fastvit_mci0.apple_mclip"), "timm:fastvit_mci0.apple_mclip", "LicenseRef-apple-amlr"),
        (ref("ultralytics", "yolo11n.pt", "YOLO"), "ultralytics:yolo11n.pt", "AGPL-3.0-only"),
        (ref("ultralytics", "yolo_nas_s.pt", "NAS"), "ultralytics:yolo_nas_s.pt", "LicenseRef-Deci-YOLO-NAS"),
        (ref("ultralytics", "sam_b.pt", "SAM"), "ultralytics:sam_b.pt", "Apache-2.0"),
        (ref("huggingface", "nvidia/segformer-b0-finetuned-ade-512-512"), "hf:nvidia/segformer-b0-finetuned-ade-512-512", "LicenseRef-NVIDIA-SegFormer"),
        (ref("huggingface", "PekingU/rtdetr_r50vd"), "hf:PekingU/rtdetr_r50vd", "Apache-2.0"),
        (ref("torchhub", "ultralytics/yolov5", "yolov5s"), "torchhub:ultralytics/yolov5:yolov5s", "AGPL-3.0-only"),
        (ref("torchhub", "facebookresearch/dinov2", "dinov2_vitb14"), "torchhub:facebookresearch/dinov2:dinov2_vitb14", "Apache-2.0"),
        (ref("open_clip", "ViT-B-32", "laion2b_s34b_b79k"), "open_clip:ViT-B-32:laion2b_s34b_b79k", "MIT"),
    ],
)
def test_known_references(kb, reference, component_id, license_id):
    result = identify(reference, kb)
    assert result.component_id == component_id
    assert result.fact is not None and result.fact.license == license_id


def test_default_resolutions_are_noted(kb):
    assert any("default pretrained tag" in n for n in identify(ref("timm", "resnet50"), kb).notes)
    assert any("DEFAULT resolved" in n for n in identify(ref("torchvision", "resnet50", "DEFAULT"), kb).notes)


def test_pipeline_without_model_loads_the_task_default(kb):
    result = identify(ModelReference("huggingface", "", HERE, task="object-detection"), kb)
    assert result.component_id == "hf:facebook/detr-resnet-50"
    assert result.fact is not None and result.fact.license == "Apache-2.0"
    assert any("default" in n for n in result.notes)


@pytest.mark.parametrize(
    "reference",
    [
        ref("timm", "not_a_real_arch"),
        ref("timm", "resnet50.no_such_tag"),
        ref("torchvision", "resnet50", "ResNet50_Weights.NO_SUCH_MEMBER"),
        ref("torchvision", "my_builder", "DEFAULT"),
        ref("ultralytics", "best.pt", "YOLO"),
        ref("huggingface", "someone/unheard-of-model"),
        ref("torchhub", "someone/repo", "entry"),
    ],
)
def test_unknown_names_stay_unknown(kb, reference):
    result = identify(reference, kb)
    assert result.fact is None or result.fact.license is None
    assert result.notes or reference.loader == "huggingface"


def test_project_files_win_over_remote_names(kb):
    local = identify(ref("ultralytics", "weights/yolo11n.pt", "YOLO"), kb, lambda name: "weights/yolo11n.pt")
    assert local.component_id == "file:weights/yolo11n.pt"
    assert local.project_path == "weights/yolo11n.pt"
    folder = identify(ref("huggingface", "./models/detector"), kb, lambda name: "models/detector")
    assert folder.component_id == "local:models/detector"
    assert folder.hub_repo is None


def test_hub_ids_through_ultralytics_and_timm(kb):
    assert identify(ref("ultralytics", "Ultralytics/YOLOv8", "YOLO"), kb).hub_repo == "Ultralytics/YOLOv8"
    assert identify(ref("huggingface", "timm/resnet50.a1_in1k"), kb).component_id == "hf:timm/resnet50.a1_in1k"


@pytest.mark.parametrize(
    ("reference", "component_id", "license_id"),
    [
        (ref("detectron2", "COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml"), "detectron2:COCO-Detection/faster_rcnn_R_50_FPN_3x", "CC-BY-SA-3.0"),
        (ref("torchhub", "facebookresearch/dino:main", "dino_vits16"), "torchhub:facebookresearch/dino:dino_vits16", "Apache-2.0"),
        (ref("torchhub", "ultralytics/yolov5", "custom"), "torchhub:ultralytics/yolov5:custom", "AGPL-3.0-only"),
        (ref("torchhub", "facebookresearch/dinov2", "dinov2_vitl14_reg"), "torchhub:facebookresearch/dinov2:dinov2_vitl14_reg", "Apache-2.0"),
    ],
)
def test_model_zoos_and_torch_hub_repos(kb, reference, component_id, license_id):
    result = identify(reference, kb)
    assert result.component_id == component_id
    assert result.fact is not None and result.fact.license == license_id and result.fact.source and result.fact.date


def test_model_zoo_weights_are_not_the_code_license(kb):
    # detectron2's code is Apache-2.0; its model zoo weights are CC-BY-SA-3.0 (MODEL_ZOO.md License).
    fact = identify(ref("detectron2", "COCO-InstanceSegmentation/mask_rcnn_R_50_FPN_3x.yaml"), kb).fact
    assert fact.license == "CC-BY-SA-3.0" and "MODEL_ZOO.md" in fact.source
    # mmdetection states no license for its checkpoints: unknown, never the code's Apache-2.0 guessed.
    mmdet = identify(ref("mmdet", "configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py"), kb)
    assert mmdet.fact is not None and mmdet.fact.license is None and "no license" in mmdet.fact.note
    custom = identify(ref("torchhub", "ultralytics/yolov5", "custom"), kb).fact
    assert "origin" in custom.note


def test_unknown_loader_is_identified_without_a_license(kb):
    result = identify(ModelReference("somelib", "thing", HERE), kb)  # type: ignore[arg-type]
    assert result.fact is None and result.notes


@pytest.mark.parametrize(("task", "repo"), [("object-detection", "facebook/detr-resnet-50"), ("depth-estimation", "Intel/dpt-large"),
                                            ("zero-shot-image-classification", "openai/clip-vit-base-patch32")])
def test_pipeline_task_defaults_resolve_with_kb_licenses(kb, task, repo):
    result = identify(ModelReference("huggingface", "", HERE, task=task), kb)
    assert result.hub_repo == repo and result.fact is not None and result.fact.license


def test_pipeline_task_without_a_known_default_stays_unknown(kb):
    result = identify(ModelReference("huggingface", "", HERE, task="text-to-unicorn"), kb)
    assert result.fact is None and result.hub_repo is None and "no known default" in result.notes[0]


# ------------------------------------------------------------------------- catalog namespaces and files


@pytest.fixture
def acme_kb(tmp_path) -> KnowledgeBase:
    (tmp_path / "models.yaml").write_text(
        "models:\n"
        "  acme:large:\n    license: CC-BY-NC-4.0\n    source: https://acme.example/models\n    date: 2026-12-05\n"
        "  acme:*:\n    license: Apache-2.0\n    source: https://acme.example/LICENSE\n    date: 2026-12-05\n",
        encoding="utf-8",
    )
    return KnowledgeBase.load(tmp_path)


def test_namespace_ids_exact_then_the_namespace_rule(acme_kb):
    exact = identify(ref("acme", "large"), acme_kb)
    assert (exact.component_id, exact.fact.license, exact.notes) == ("acme:large", "CC-BY-NC-4.0", [])
    rule = identify(ref("acme", "small"), acme_kb)
    assert (rule.component_id, rule.fact.license) == ("acme:small", "Apache-2.0")
    assert "acme:*" in rule.notes[0]
    other = identify(ref("zeta", "x"), acme_kb)
    assert (other.component_id, other.fact) == ("zeta:x", None) and "not in the knowledge base" in other.notes[0]


def test_namespace_weight_file_in_the_project_is_a_file(acme_kb):
    result = identify(ref("acme", "large.pt"), acme_kb, lambda name: "weights/large.pt" if name == "large.pt" else None)
    assert (result.component_id, result.project_path) == ("file:weights/large.pt", "weights/large.pt")


def test_a_weight_file_the_tree_does_not_hold_is_a_component_with_unknown_license(kb):
    missing = identify(ref("file", "models/control_sd15_canny.pth", "pth"), kb)
    assert missing.component_id == "file:models/control_sd15_canny.pth" and missing.fact is None
    assert any("not in the project" in n for n in missing.notes)
    downloaded = identify(ref("file", "weights/restorer_v2.pth", "pth", url="https://github.com/x/y/releases/download/v1/restorer_v2.pth"), kb)
    assert downloaded.fact is None and any("downloaded from https://github.com/x/y/" in n for n in downloaded.notes)
    named = identify(ref("file", "weights/yolov8n.pt", "pt"), kb, lambda name: None)
    assert named.fact is not None and named.fact.license == "AGPL-3.0-only"  # the name is an official asset


@pytest.mark.parametrize(
    ("name", "official", "license_id"),
    [
        ("groundingdino_swint_ogc.pth", "groundingdino:groundingdino_swint_ogc.pth", "Apache-2.0"),
        ("/ckpt/sam_vit_h_4b8939.pth", "segment_anything:sam_vit_h_4b8939.pth", "Apache-2.0"),
        ("models/yolov5s.pt", "yolov5:yolov5s.pt", "AGPL-3.0-only"),
        # WongKinYiu/yolov7 release assets: the GPL-3.0 repository publishes them with no license of their own.
        ("weights/yolov7-e6e.pt", "yolov7:yolov7-e6e.pt", "GPL-3.0-only"),
        ("cfg/training/yolov7_training.pt", "yolov7:yolov7_training.pt", "GPL-3.0-only"),
        ("yolov7-w6-pose.pt", "yolov7:yolov7-w6-pose.pt", "GPL-3.0-only"),
    ],
)
def test_a_file_named_like_a_librarys_official_checkpoint_has_its_license(kb, name, official, license_id):
    result = identify(ref("file", name, "pth", url=f"https://example.org/mirror/{name.rsplit('/', 1)[-1]}"), kb, lambda n: None)
    assert result.component_id == f"file:{name}"  # still the file the code expects, not the library's own load
    assert result.fact is not None and result.fact.license == license_id
    assert any(f"official checkpoint {official}" in n for n in result.notes)
    assert any("downloaded from https://example.org/mirror/" in n for n in result.notes)


def test_a_file_saved_under_another_name_is_known_by_the_name_it_was_published_under(kb):
    # wget https://.../sam2.1_hiera_tiny.pt -O weights/tiny.pt
    result = identify(ref("file", "weights/tiny.pt", "pt", url="https://dl.fbaipublicfiles.com/segment_anything_2/092824/sam2.1_hiera_tiny.pt?x=1"),
                      kb, lambda n: None)
    assert result.component_id == "file:weights/tiny.pt"
    assert result.fact is not None and result.fact.license == "Apache-2.0"
    assert any("official checkpoint sam2:sam2.1_hiera_tiny.pt" in n for n in result.notes)


def test_a_file_saved_from_a_table_url_gets_that_weights_license(kb):
    url = "https://download.pytorch.org/models/resnet50-0676ba61.pth"
    result = identify(ref("file", "weights/backbone.pth", "pth", url=url), kb, lambda n: None)
    assert result.fact is not None and result.fact.license == "BSD-3-Clause"
    assert any("official checkpoint torchvision:ResNet50_Weights.IMAGENET1K_V1" in n for n in result.notes)


def test_a_name_only_like_an_official_checkpoint_is_not_one(kb):
    for name in ("sam_vit_h.pth", "my_yolov5s.pt.bak", "GFPGANv1.4.pth.tmp"):
        assert identify(ref("file", name, "pth"), kb, lambda n: None).fact is None


def test_found_by_name_is_noted(kb):
    result = identify(ref("ultralytics", "yolov8n.pt", api="found by name: passed to foo()", found_by="name"), kb)
    assert result.component_id == "ultralytics:yolov8n.pt"
    assert "found by name (passed to foo()), not through a known loader call" in result.notes
