"""Loader idioms: each positive case and its look-alike negative, through the public discover()."""

from __future__ import annotations

import pytest


def one_file(scan, code: str, extra: dict | None = None):
    return scan({"app.py": code, **(extra or {})})


def models(d):
    return [(m.loader, m.name, m.variant) for m in d.models if m.location.path == "app.py"]


# ------------------------------------------------------------------------------------------ torchvision

TV = "import torchvision\nimport torchvision.models as tvm\nfrom torchvision import models\nfrom torchvision.models import resnet50, ResNet50_Weights, get_weight\n"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("resnet50(weights=ResNet50_Weights.IMAGENET1K_V2)", ("resnet50", "ResNet50_Weights.IMAGENET1K_V2")),
        ("resnet50(weights=ResNet50_Weights.DEFAULT)", ("resnet50", "ResNet50_Weights.DEFAULT")),
        ('tvm.resnet18(weights="IMAGENET1K_V1")', ("resnet18", "IMAGENET1K_V1")),
        ('tvm.resnet18(weights="ResNet18_Weights.IMAGENET1K_V1")', ("resnet18", "ResNet18_Weights.IMAGENET1K_V1")),
        ("models.vit_b_16(weights=models.ViT_B_16_Weights.DEFAULT)", ("vit_b_16", "ViT_B_16_Weights.DEFAULT")),
        ("torchvision.models.resnet50(weights=tvm.ResNet50_Weights.IMAGENET1K_V1)", ("resnet50", "ResNet50_Weights.IMAGENET1K_V1")),
        (
            "tvm.detection.fasterrcnn_resnet50_fpn(weights=tvm.detection.FasterRCNN_ResNet50_FPN_Weights.COCO_V1)",
            ("fasterrcnn_resnet50_fpn", "FasterRCNN_ResNet50_FPN_Weights.COCO_V1"),
        ),
        ('models.get_model("resnet50", weights="DEFAULT")', ("resnet50", "DEFAULT")),
        ('get_weight("ResNet50_Weights.IMAGENET1K_V2")', ("", "ResNet50_Weights.IMAGENET1K_V2")),
        ('tvm.resnet50(weights=get_weight("ResNet50_Weights.IMAGENET1K_V2"))', ("resnet50", "ResNet50_Weights.IMAGENET1K_V2")),
        ("ResNet50_Weights.IMAGENET1K_V1.get_state_dict(progress=True)", ("", "ResNet50_Weights.IMAGENET1K_V1")),
        ("tvm.alexnet(pretrained=True)", ("alexnet", "legacy-pretrained")),
    ],
)
def test_torchvision_weights(scan, call, expected):
    d = one_file(scan, TV + f"m = {call}\n")
    assert models(d) == [("torchvision", *expected)]
    assert d.unresolved == []


@pytest.mark.parametrize(
    "call",
    [
        "resnet50(weights=None)",
        "resnet50()",
        "tvm.alexnet(pretrained=False)",
        "tvm.get_model_weights('resnet50')",
        "tvm.list_models()",
        "tvm.ResNet(block, layers)",
    ],
)
def test_torchvision_without_weights(scan, call):
    d = one_file(scan, TV + f"m = {call}\n")
    assert models(d) == [] and d.unresolved == []


def test_torchvision_module_constant_enum_and_star_import(scan):
    d = one_file(
        scan,
        """
        from torchvision.models import *
        W = ResNet50_Weights.IMAGENET1K_V2
        m = resnet50(weights=W)
        """,
    )
    assert models(d) == [("torchvision", "resnet50", "ResNet50_Weights.IMAGENET1K_V2")]


def test_torchvision_backbone_weights_are_a_second_reference(scan):
    d = one_file(
        scan,
        TV + "m = tvm.detection.fasterrcnn_resnet50_fpn(weights=None, weights_backbone=ResNet50_Weights.IMAGENET1K_V1)\n",
    )
    assert models(d) == [("torchvision", "", "ResNet50_Weights.IMAGENET1K_V1")]


def test_torchvision_variable_weights_is_unresolved(scan):
    d = one_file(scan, TV + "def build(w):\n    return resnet50(weights=w)\n")
    assert models(d) == []
    assert [(u.loader, u.expression, u.reason) for u in d.unresolved] == [
        ("torchvision", "w", "argument is a function parameter")
    ]


def test_torchvision_builder_looked_up_by_name(scan):
    d = one_file(
        scan,
        """
        import argparse
        import torchvision
        import torchvision.models as models
        parser = argparse.ArgumentParser()
        parser.add_argument("--arch", default="resnet18")
        args = parser.parse_args()
        a = models.__dict__[args.arch](pretrained=True)
        b = getattr(torchvision.models, "vit_b_16")(weights="DEFAULT")
        c = models.__dict__["alexnet"]()
        def build(name):
            return getattr(models, name)(weights="IMAGENET1K_V1")
        """,
    )
    assert models(d) == [("torchvision", "resnet18", "legacy-pretrained"), ("torchvision", "vit_b_16", "DEFAULT")]
    assert [(u.loader, u.expression, u.reason) for u in d.unresolved] == [("torchvision", "name", "builder argument is a function parameter")]


def test_torchvision_lookalike_not_from_torchvision(scan):
    d = one_file(scan, "from mylib import resnet50\nm = resnet50(weights='DEFAULT')\ndef vgg16(weights=None): ...\nvgg16(weights='X')\n")
    assert models(d) == [] and d.unresolved == []


# ------------------------------------------------------------------------------------------------ timm


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('import timm\nm = timm.create_model("resnet50", pretrained=True)', [("timm", "resnet50", None)]),
        ('import timm as t\nm = t.create_model("resnet50.a1_in1k", True)', [("timm", "resnet50.a1_in1k", None)]),
        ('from timm import create_model\nm = create_model(model_name="vit_base_patch16_224", pretrained=True)', [("timm", "vit_base_patch16_224", None)]),
        ('from timm.models import create_model as cm\nm = cm("convnext_tiny", pretrained=1)', [("timm", "convnext_tiny", None)]),
        ('import timm\nm = timm.create_model("hf-hub:timm/vit_small_patch16_224.augreg_in21k", pretrained=True)', [("huggingface", "timm/vit_small_patch16_224.augreg_in21k", None)]),
        ('import timm\nm = timm.create_model("hf_hub:org/name", pretrained=True)', [("huggingface", "org/name", None)]),
        (
            'import timm\nm = timm.create_model("resnet50", pretrained=True, pretrained_cfg_overlay=dict(file="weights/r50.pth"))',
            [("timm", "resnet50", None), ("file", "weights/r50.pth", "pth")],
        ),
        ('import timm\nm = timm.create_model("resnet50", checkpoint_path="ckpt/best.pth")', [("file", "ckpt/best.pth", "pth")]),
        ('import timm\nm = timm.create_model("resnet50", pretrained=False)', []),
        ('import timm\nm = timm.create_model("resnet50")', []),
        ('import timm\nm = timm.create_model("resnet50", False)', []),
    ],
)
def test_timm(scan, code, expected):
    d = one_file(scan, code + "\n")
    assert sorted(models(d), key=str) == sorted(expected, key=str)
    assert d.unresolved == []


def test_timm_hf_hub_revision_and_api(scan):
    d = one_file(scan, 'import timm\nm = timm.create_model("hf-hub:org/name@v1.0", pretrained=True)\n')
    (m,) = d.models
    assert (m.name, m.revision, m.api) == ("org/name", "v1.0", "timm.create_model")


def test_timm_lookalikes(scan):
    d = one_file(
        scan,
        """
        import timm
        def create_model(name, pretrained=False):
            return None
        m = create_model("resnet50", pretrained=True)      # local function, not timm's
        s = "timm.create_model('vit_base', pretrained=True)"  # a plain string
        # timm.create_model("convnext", pretrained=True)
        def f():
            '''timm.create_model("deit", pretrained=True)'''
        """,
    )
    assert models(d) == [] and d.unresolved == []


# -------------------------------------------------------------------------------------------- Hugging Face


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('from transformers import pipeline\np = pipeline("object-detection", model="facebook/detr-resnet-50")', ("huggingface", "facebook/detr-resnet-50", "object-detection", None)),
        ('from transformers import pipeline\np = pipeline("object-detection", "facebook/detr-resnet-50", revision="r1")', ("huggingface", "facebook/detr-resnet-50", "object-detection", "r1")),
        ('from transformers import pipeline\np = pipeline("image-classification")', ("huggingface", "", "image-classification", None)),
        ('from transformers import pipeline\np = pipeline(task="depth-estimation")', ("huggingface", "", "depth-estimation", None)),
        ('import transformers\nm = transformers.AutoModel.from_pretrained("google/vit-base-patch16-224", revision="main")', ("huggingface", "google/vit-base-patch16-224", None, "main")),
        ('from transformers import AutoImageProcessor as P\np = P.from_pretrained("microsoft/resnet-50")', ("huggingface", "microsoft/resnet-50", None, None)),
        ('from transformers import DetrForObjectDetection\nm = DetrForObjectDetection.from_pretrained(pretrained_model_name_or_path="facebook/detr-resnet-50")', ("huggingface", "facebook/detr-resnet-50", None, None)),
        ('from diffusers import StableDiffusionPipeline\np = StableDiffusionPipeline.from_pretrained("runwayml/stable-diffusion-v1-5")', ("huggingface", "runwayml/stable-diffusion-v1-5", None, None)),
        ('from sentence_transformers import SentenceTransformer\nm = SentenceTransformer("sentence-transformers/clip-ViT-B-32")', ("huggingface", "sentence-transformers/clip-ViT-B-32", None, None)),
        ('from transformers import AutoModel\nm = AutoModel.from_pretrained("bert-base-uncased")', ("huggingface", "bert-base-uncased", None, None)),
    ],
)
def test_huggingface(scan, code, expected):
    d = one_file(scan, code + "\n")
    assert [(m.loader, m.name, m.task, m.revision) for m in d.models] == [expected]
    assert d.unresolved == []


def test_hf_hub_download_positional_and_keyword(scan):
    d = one_file(
        scan,
        """
        from huggingface_hub import hf_hub_download, snapshot_download
        a = hf_hub_download("Ultralytics/YOLOv8", "yolov8n.pt", revision="abc123")
        b = hf_hub_download(repo_id="org/model", filename="model.safetensors")
        c = snapshot_download(repo_id="org/other")
        d = hf_hub_download(repo_id="org/data", filename="x.csv", repo_type="dataset")
        """,
    )
    assert [(m.name, m.variant, m.revision) for m in d.models] == [
        ("Ultralytics/YOLOv8", "yolov8n.pt", "abc123"),
        ("org/model", "model.safetensors", None),
        ("org/other", None, None),
    ]
    assert [u.reason for u in d.unresolved] == ["repo_type dataset: only model repositories are audited"]


@pytest.mark.parametrize(
    ("arg", "name"),
    [('"./models/x"', "models/x"), ('"/abs/path/model"', "/abs/path/model"), ('"models/my_model"', "models/my_model"), ('"a/b/c"', "a/b/c")],
)
def test_hf_local_path_is_a_file_reference(scan, arg, name):
    d = one_file(scan, f"from transformers import AutoModel\nm = AutoModel.from_pretrained({arg})\n", {"models/my_model/config.json": "{}"})
    assert [(m.loader, m.name, m.variant) for m in d.models] == [("file", name, "directory")]


def test_hf_org_name_that_is_not_a_project_dir_is_a_hub_id(scan):
    d = one_file(scan, 'from transformers import AutoModel\nm = AutoModel.from_pretrained("models/other")\n', {"models/my_model/config.json": "{}"})
    assert models(d) == [("huggingface", "models/other", None)]


def test_from_pretrained_of_a_project_class_deriving_from_a_library_class(scan):
    d = one_file(
        scan,
        """
        from huggingface_hub import PyTorchModelHubMixin
        from transformers import PreTrainedModel
        import torch.nn as nn
        class DepthAnything(nn.Module, PyTorchModelHubMixin):
            pass
        class Tuned(DepthAnything):
            pass
        class Head(PreTrainedModel):
            pass
        class Plain:
            @classmethod
            def from_pretrained(cls, name): ...
        a = DepthAnything.from_pretrained("LiheYoung/depth_anything_vitl14")
        b = Tuned.from_pretrained("org/tuned")
        c = Head.from_pretrained(pretrained_model_name_or_path="org/head")
        d = Plain.from_pretrained("org/plain")
        """,
    )
    assert models(d) == [("huggingface", "LiheYoung/depth_anything_vitl14", None), ("huggingface", "org/tuned", None),
                         ("huggingface", "org/head", None)]


def test_peft_adapters_are_loads_of_their_own(scan):
    # PeftModel.from_pretrained(base, adapter): argument 0 is the model object, argument 1 the adapter (peft 0.21.2
    # peft_model.py:418); AutoPeftModel* take the adapter first (auto.py:89); load_adapter adds one more (:1417).
    d = one_file(
        scan,
        """
        import peft
        from peft import AutoPeftModelForCausalLM, LoraConfig, PeftModel, get_peft_model
        from transformers import AutoModelForImageClassification
        base = AutoModelForImageClassification.from_pretrained("google/vit-base-patch16-224-in21k")
        model = PeftModel.from_pretrained(base, "org/vit-lora-food101")
        model.load_adapter("org/vit-lora-cats", adapter_name="cats")
        other = peft.PeftModelForSequenceClassification.from_pretrained(base, model_id="org/seq-lora", revision="v1")
        auto = AutoPeftModelForCausalLM.from_pretrained("org/llm-lora")
        tuned = get_peft_model(base, LoraConfig(r=16))
        tuned.save_pretrained("./out")
        """,
    )
    assert sorted((m.name, m.revision) for m in d.models) == [
        ("google/vit-base-patch16-224-in21k", None), ("org/llm-lora", None), ("org/seq-lora", "v1"),
        ("org/vit-lora-cats", None), ("org/vit-lora-food101", None)]
    assert {m.loader for m in d.models} == {"huggingface"}
    assert d.unresolved == []


def test_peft_adapter_folder_and_lookalike(scan):
    d = one_file(
        scan,
        """
        from peft import PeftModel
        from mylib import PeftModel as Other

        def build(base, adapter_path):
            return PeftModel.from_pretrained(base, adapter_path)

        m = build(None, "./lora-model1")
        n = Other.from_pretrained(None, "org/not-peft")
        """,
    )
    # The notebook's own adapter folder is a local reference; mylib's PeftModel is not peft's.
    assert [(m.name, m.location.line) for m in d.models] == [("lora-model1", 8)]
    assert d.unresolved == []


def test_lightning_load_from_checkpoint_of_a_project_module(scan):
    # A LightningModule subclass loads its weights with load_from_checkpoint(checkpoint_path) (pytorch-lightning
    # 2.6.6 core/module.py:1702), also from a module that imports only the project class.
    d = scan({
        "src/__init__.py": "",
        "src/model_cls.py": """
            import pytorch_lightning as pl
            import lightning as L

            class ClsModel(pl.LightningModule):
                pass

            class Segmenter(L.LightningModule):
                pass

            class Plain:
                @classmethod
                def load_from_checkpoint(cls, path): ...

            seg = Segmenter.load_from_checkpoint(checkpoint_path="https://example.com/ckpts/seg.ckpt")
            """,
        "app.py": """
            from src.model_cls import ClsModel, Plain

            ckpt = "outputs/cls.ckpt"
            model = ClsModel.load_from_checkpoint(ckpt)
            other = Plain.load_from_checkpoint("outputs/plain.ckpt")
            """,
    })
    assert sorted((m.loader, m.name, m.location.path, m.location.line) for m in d.models) == [
        ("file", "outputs/cls.ckpt", "app.py", 5), ("file", "seg.ckpt", "src/model_cls.py", 15)]
    assert d.unresolved == []


def test_hf_lookalikes(scan):
    d = one_file(
        scan,
        """
        from mylib import AutoModel
        def pipeline(task, model=None):
            return None
        m = AutoModel.from_pretrained("org/name")
        p = pipeline("object-detection", model="facebook/detr-resnet-50")
        """,
    )
    # Neither call is Hugging Face's loader; a Hub id the knowledge base knows still counts, found by name.
    assert [(m.name, m.found_by) for m in d.models] == [("facebook/detr-resnet-50", "name")]
    assert d.unresolved == []


def test_hf_variable_model_is_unresolved(scan):
    d = one_file(
        scan,
        """
        import os
        from transformers import AutoModel
        MODEL_ID = os.environ["MODEL_ID"]
        m = AutoModel.from_pretrained(MODEL_ID)
        """,
    )
    assert models(d) == []
    (u,) = d.unresolved
    assert (u.loader, u.expression, u.location.line) == ("huggingface", "MODEL_ID", 5)
    assert "computed at run time" in u.reason or "not a constant" in u.reason


# ------------------------------------------------------------------------------------------- Ultralytics


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('from ultralytics import YOLO\nm = YOLO("yolo11n.pt")', [("ultralytics", "yolo11n.pt", "YOLO")]),
        ('from ultralytics import YOLO as Detector\nm = Detector("yolov8s-seg.pt")', [("ultralytics", "yolov8s-seg.pt", "YOLO")]),
        ('import ultralytics\nm = ultralytics.RTDETR(model="rtdetr-l.pt")', [("ultralytics", "rtdetr-l.pt", "RTDETR")]),
        ('from ultralytics.models import NAS\nm = NAS("yolo_nas_s.pt")', [("ultralytics", "yolo_nas_s.pt", "NAS")]),
        ('from ultralytics import SAM, FastSAM\na = SAM("sam_b.pt")\nb = FastSAM("FastSAM-s.pt")', [("ultralytics", "sam_b.pt", "SAM"), ("ultralytics", "FastSAM-s.pt", "FastSAM")]),
        ('from ultralytics import YOLO\nm = YOLO("yolov8n.onnx")', [("ultralytics", "yolov8n.onnx", "YOLO")]),
        # A URL is a download (engine/model.py _load -> attempt_download_asset), not a Hub id.
        ('from ultralytics import YOLO\nm = YOLO("https://hub.ultralytics.com/models/abc")', [("file", "abc", "directory")]),
        ('from ultralytics import YOLO\nm = YOLO("yolo11n.yaml")', []),
        ('from ultralytics import YOLO\nm = YOLO("cfg/custom.yml")', []),
    ],
)
def test_ultralytics(scan, code, expected):
    d = one_file(scan, code + "\n")
    assert models(d) == expected
    assert d.unresolved == []


def test_ultralytics_yaml_still_counts_the_import(scan):
    d = one_file(scan, 'from ultralytics import YOLO\nm = YOLO("yolo11n.yaml")\n')
    assert [i.module for i in d.imports] == ["ultralytics"]


def test_ultralytics_default_weights(scan):
    d = one_file(scan, "from ultralytics import YOLO\nm = YOLO()\n")
    (m,) = d.models
    assert (m.loader, m.name, m.variant) == ("ultralytics", "yolo26n.pt", "YOLO")
    assert "default weights" in m.api


def test_ultralytics_lookalikes(scan):
    d = one_file(
        scan,
        """
        import ultralytics
        class YOLO:
            def __init__(self, weights):
                self.weights = weights
        m = YOLO("yolo11n.pt")
        """,
    )
    # The project's own class is not Ultralytics' loader; the official asset name still counts, found by name.
    assert [(m.loader, m.name, m.found_by) for m in d.models] == [("ultralytics", "yolo11n.pt", "name")]
    assert d.unresolved == []


def test_ultralytics_import_fallback_does_not_hide_the_library(scan):
    d = one_file(
        scan,
        """
        try:
            from ultralytics import YOLO
        except ImportError:
            YOLO = None
        m = YOLO("yolo11s.pt")
        """,
    )
    assert models(d) == [("ultralytics", "yolo11s.pt", "YOLO")]


def test_ultralytics_path_constant(scan):
    d = one_file(scan, 'from pathlib import Path\nfrom ultralytics import YOLO\nW = Path("weights") / "best.pt"\nm = YOLO(W)\n')
    assert models(d) == [("ultralytics", "weights/best.pt", "YOLO")]


# ---------------------------------------------------------------------------------------------- torch.hub


def test_torchhub(scan):
    d = one_file(
        scan,
        """
        import torch
        from torch import hub
        a = torch.hub.load("ultralytics/yolov5", "yolov5s", pretrained=True)
        b = hub.load("facebookresearch/dinov2:main", model="dinov2_vits14")
        c = torch.hub.load("./third_party/yolov5", "custom", source="local")
        """,
    )
    assert [(m.loader, m.name, m.variant, m.revision) for m in d.models] == [
        ("torchhub", "ultralytics/yolov5", "yolov5s", None),
        ("torchhub", "facebookresearch/dinov2", "dinov2_vits14", "main"),
        ("file", "third_party/yolov5", "directory", None),
    ]


def test_torch_url_download_is_a_file_component_and_lookalike_ignored(scan):
    d = one_file(
        scan,
        """
        import torch
        sd = torch.hub.load_state_dict_from_url("https://example.com/w.pth")
        class hub:
            @staticmethod
            def load(repo, entry): ...
        hub.load("a/b", "c")
        """,
    )
    # A weight file the tree does not hold is still a component: its path, the URL it comes from (issue 9 part 2).
    assert [(m.loader, m.name, m.variant, m.url) for m in d.models] == [("file", "w.pth", "pth", "https://example.com/w.pth")]
    assert d.unresolved == []


# ----------------------------------------------------------------------------------------------- open_clip


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('import open_clip\nm, _, p = open_clip.create_model_and_transforms("ViT-B-32", pretrained="laion2b_s34b_b79k")', [("open_clip", "ViT-B-32", "laion2b_s34b_b79k")]),
        ('import open_clip\nm = open_clip.create_model("ViT-B-32", "openai")', [("open_clip", "ViT-B-32", "openai")]),
        ('from open_clip import create_model_from_pretrained\nm = create_model_from_pretrained("hf-hub:laion/CLIP-ViT-g-14-laion2B-s12B-b42K")', [("huggingface", "laion/CLIP-ViT-g-14-laion2B-s12B-b42K", None)]),
        ('import open_clip\nm = open_clip.create_model("ViT-B-32", pretrained="ckpt/epoch_10.pt")', [("file", "ckpt/epoch_10.pt", "pt")]),
        ('import open_clip\nm = open_clip.create_model("ViT-B-32")', []),
        ('import open_clip\nm = open_clip.create_model("ViT-B-32", pretrained=None)', []),
    ],
)
def test_open_clip(scan, code, expected):
    d = one_file(scan, code + "\n")
    assert models(d) == expected
    assert d.unresolved == []


# ---------------------------------------------------------------------------------------- argument values


def test_constants_fstrings_and_unresolved_reasons(scan):
    d = one_file(
        scan,
        """
        import timm
        ARCH: str = "vit_base_patch16_224"
        TAG = "augreg_in21k"
        DUP = "resnet18"
        if BIG:
            DUP = "resnet34"
        a = timm.create_model(f"{ARCH}.{TAG}", pretrained=True)
        b = timm.create_model("resnet" + "50", pretrained=True)
        c = timm.create_model(DUP, pretrained=True)
        def build(cfg, size):
            x = timm.create_model(cfg.arch, pretrained=True)
            y = timm.create_model(f"resnet{size}", pretrained=True)
            z = timm.create_model(make_name(), pretrained=True)
            local = "efficientnet_b0"
            return timm.create_model(local, pretrained=True)
        """,
    )
    # A name assigned several constants (one conditionally) is a complete choice: one reference per candidate.
    assert models(d) == [
        ("timm", "vit_base_patch16_224.augreg_in21k", None),
        ("timm", "resnet50", None),
        ("timm", "resnet18", None),
        ("timm", "resnet34", None),
        ("timm", "efficientnet_b0", None),
    ]
    assert [m.api for m in d.models if m.name in ("resnet18", "resnet34")] == [
        "timm.create_model [one of resnet18, resnet34 for DUP]"
    ] * 2
    got = {u.expression: (u.reason, u.candidates) for u in d.unresolved}
    assert got["cfg.arch"][0] == "attribute of a function parameter"
    assert got['f"resnet{size}"'][0] == "f-string with a non-constant part"
    assert got["make_name()"][0] == "not a constant (result of a call)"
    assert len(d.unresolved) == 3


def test_parameter_default_of_uncalled_function_is_reported_as_a_default(scan):
    d = one_file(scan, 'from ultralytics import YOLO\ndef load(weights="yolo11n.pt"):\n    return YOLO(weights)\n')
    assert d.unresolved == []
    (m,) = d.models
    assert (m.name, m.api) == ("yolo11n.pt", "ultralytics.YOLO [default of parameter 'weights']")


def test_kwargs_passthrough_is_unresolved(scan):
    d = one_file(scan, 'import timm\ndef f(**kw):\n    return timm.create_model("resnet50", **kw)\n')
    assert models(d) == []
    assert [u.reason for u in d.unresolved] == ["pretrained flag: the argument may be passed through *args/**kwargs"]


def test_location_and_snippet(scan):
    d = one_file(scan, 'import timm\n\nmodel = timm.create_model(\n    "resnet50", pretrained=True\n)\n')
    (m,) = d.models
    assert (m.location.path, m.location.line, m.location.column, m.location.snippet) == ("app.py", 3, 9, "model = timm.create_model(")
    assert m.api == "timm.create_model" and m.scope == "runtime"


def test_weights_fetched_by_another_loader_call_are_not_unresolved(scan):
    d = one_file(
        scan,
        """
        from huggingface_hub import hf_hub_download
        from transformers import AutoModelForImageClassification, pipeline
        from ultralytics import YOLO
        path = hf_hub_download("Ultralytics/YOLOv8", "yolov8n.pt")
        det = YOLO(path)
        m = AutoModelForImageClassification.from_pretrained("google/vit-base-patch16-224")
        clf = pipeline("image-classification", model=m)
        other = YOLO(make_path())
        """,
    )
    assert [(m.loader, m.name, m.variant) for m in d.models] == [
        ("huggingface", "Ultralytics/YOLOv8", "yolov8n.pt"),
        ("huggingface", "google/vit-base-patch16-224", None),
    ]
    assert [(u.expression, u.reason) for u in d.unresolved] == [("make_path()", "not a constant (result of a call)")]


def test_every_catalog_entry_is_a_loader_with_known_reference_names():
    from typing import get_args

    from vlicense.discovery.loaders import CATALOG, LOADERS, LOADERS_BY_MODULE
    from vlicense.model import Loader

    assert sorted(loader.name for loader in LOADERS) == sorted(e.library for e in CATALOG.entries)
    from vlicense.discovery import command_calls

    assert set(LOADERS_BY_MODULE) == {m for loader in (*LOADERS, command_calls.LOADER) for m in loader.modules}
    # Every mapping emits a built-in loader name, or its component namespace.
    for entry in CATALOG.entries:
        for rule in entry.calls:
            for part in rule.parts:
                cases = [c.mapping for _, c in (part.dispatch.cases if part.dispatch else ())]
                for m in (part.mapping, *(part.mapping.overlay(c) for c in cases)):
                    m = CATALOG.effective(m)
                    assert m.unresolved or m.map == "none" or m.loader in get_args(Loader) or m.map == "component", (entry.library, m)


def test_torchvision_private_helpers_are_not_builders(scan):
    d = one_file(
        scan,
        "from torchvision.models._utils import handle_legacy_interface\n"
        "from torchvision.models import ResNet50_Weights\n"
        '@handle_legacy_interface(weights=("pretrained", ResNet50_Weights.IMAGENET1K_V1))\n'
        "def my_builder(*, weights=None): ...\n",
    )
    assert models(d) == [] and d.unresolved == []


def test_flag_a_run_time_call_decides_still_reports_the_weights(scan):
    # DETR's backbone: ``getattr(torchvision.models, name)(pretrained=is_main_process())`` loads the ImageNet
    # weights on the main process; the weights are listed (saying what decides), not hidden behind the flag.
    d = scan(
        {
            "util.py": "import torch.distributed as dist\ndef is_main_process():\n    return dist.get_rank() == 0\n",
            "app.py": (
                "import timm, torchvision\nfrom util import is_main_process\n"
                "a = torchvision.models.resnet50(pretrained=is_main_process())\n"
                "b = timm.create_model('convnext_tiny', pretrained=is_main_process())\n"
                "c = getattr(torchvision.models, 'resnet101')(pretrained=is_main_process())\n"
            ),
        }
    )
    assert d.unresolved == []
    assert [(m.loader, m.name, m.variant, m.location.line) for m in d.models] == [
        ("torchvision", "resnet50", "legacy-pretrained", 3),
        ("timm", "convnext_tiny", None, 4),
        ("torchvision", "resnet101", "legacy-pretrained", 5),
    ]
    assert all(m.api.endswith("(loads when is_main_process() is true)") for m in d.models)


def test_flag_that_is_not_a_call_stays_unresolved(scan):
    d = one_file(scan, "import torchvision\ndef f(flag):\n    return torchvision.models.resnet50(pretrained=flag)\n")
    assert models(d) == []
    assert [u.reason for u in d.unresolved] == ["pretrained flag: argument is a function parameter"]


def test_mmcv_and_mmengine_load_checkpoint(scan):
    # DINOv2's notebooks, mmdet/mmseg research code: load_checkpoint(model, filename) was not in the catalog, so
    # these loads were neither reported nor listed as unresolved.
    d = one_file(
        scan,
        "from mmcv.runner import load_checkpoint\n"
        "from mmengine.runner import load_checkpoint as mme_load, CheckpointLoader\n"
        "from mmengine.runner.checkpoint import _load_checkpoint\n"
        "BASE = 'https://dl.fbaipublicfiles.com/dinov2'\n"
        "load_checkpoint(model, f'{BASE}/dinov2_vits14/dinov2_vits14_nyu_dpt_head.pth', map_location='cpu')\n"
        "mme_load(model, filename='checkpoints/latest.pth')\n"
        "CheckpointLoader.load_checkpoint('torchvision://resnet50')\n"
        "_load_checkpoint('modelzoo://resnet50.imagenet1k_v2')\n"
        "mme_load(model, 'open-mmlab://resnet50_v1c')\n"
        "def restore(model, path):\n"
        "    load_checkpoint(model, path)\n",
    )
    assert [(m.loader, m.name, m.variant, m.location.line) for m in d.models] == [
        ("dinov2", "dinov2_vits14_nyu_dpt_head.pth", None, 5),  # a known URL (models.yaml weight_urls)
        ("file", "checkpoints/latest.pth", "pth", 6),
        ("torchvision", "resnet50", "legacy-pretrained", 7),
        ("torchvision", "resnet50", "IMAGENET1K_V2", 8),
    ]
    assert d.models[0].url == "https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_nyu_dpt_head.pth"
    assert [(u.location.line, u.reason) for u in d.unresolved] == [
        (9, "OpenMMLab model-zoo alias open-mmlab://resnet50_v1c: its weights and license are not known statically"),
        (11, "argument is a function parameter"),
    ]


def test_torchvision_download_url_saves_into_its_root(scan):
    # LAVIS/BLIP fetch checkpoints with torchvision.datasets.utils.download_url(url, root): a weight URL is a
    # reference saved as root/<file name>; a URL that names no weight (a dataset archive) is not.
    d = one_file(
        scan,
        "from torchvision.datasets.utils import download_url\n"
        "URL = 'https://storage.googleapis.com/sfr-vision-language-research/BLIP/models/model_base.pth'\n"
        "download_url(URL, 'checkpoints')\n"
        "download_url('https://example.com/data/train.zip', root='data')\n"
        "download_url(URL, 'ckpt', filename='blip.pth')\n",
    )
    assert [(m.loader, m.name, m.url, m.location.line) for m in d.models] == [
        ("file", "checkpoints/model_base.pth", "https://storage.googleapis.com/sfr-vision-language-research/BLIP/models/model_base.pth", 3),
        ("file", "ckpt/blip.pth", "https://storage.googleapis.com/sfr-vision-language-research/BLIP/models/model_base.pth", 5),
    ]
    assert d.unresolved == []


def test_face_recognition_calls_name_the_dlib_models_they_run(scan):
    # face_recognition (ageitgey) calls were not in the catalog: its apps listed no model, although face_landmarks()
    # runs dlib's 68-point predictor, whose iBUG 300-W training data excludes commercial use.
    d = one_file(
        scan,
        "import face_recognition as fr\n"
        "import dlib\n"
        "fr.face_encodings(img)\n"
        "fr.face_encodings(img, None, 1, 'large')\n"
        "fr.face_landmarks(img)\n"
        "fr.face_landmarks(img, model='small')\n"
        "fr.face_locations(img)\n"
        "fr.face_locations(img, model='cnn')\n"
        "fr.batch_face_locations(frames)\n"
        "dlib.shape_predictor('shape_predictor_68_face_landmarks.dat')\n"
        "dlib.cnn_face_detection_model_v1('weights/mmod_human_face_detector.dat')\n"
        "dlib.shape_predictor('my_landmarks.dat')\n"
        "def detect(img, model):\n"
        "    return fr.face_locations(img, model=model)\n",
    )
    assert [(m.loader, m.name, m.location.line) for m in d.models] == [
        ("dlib", "dlib_face_recognition_resnet_model_v1", 3),
        ("dlib", "shape_predictor_5_face_landmarks", 3),
        ("dlib", "dlib_face_recognition_resnet_model_v1", 4),
        ("dlib", "shape_predictor_68_face_landmarks", 4),
        ("dlib", "shape_predictor_68_face_landmarks", 5),
        ("dlib", "shape_predictor_5_face_landmarks", 6),
        ("dlib", "mmod_human_face_detector", 8),  # line 7: the HOG detector has no model file
        ("dlib", "mmod_human_face_detector", 9),
        ("dlib", "shape_predictor_68_face_landmarks", 10),
        ("dlib", "mmod_human_face_detector", 11),
        ("file", "my_landmarks.dat", 12),
    ]
    assert [(u.location.line, u.reason) for u in d.unresolved] == [(14, "argument is a function parameter")]
