"""Each door (torchvision, timm, Hugging Face, open_clip) with the mistake and the correct form: the mistake is
reported with the values the weights really declare, the correct form is not."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hygiene.conftest import CLIP_CONFIG, VIT_CONFIG, hygiene

IMAGENET = "mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]"


def only(result, rule):
    found = hygiene(result)
    assert [f.rule for f in found] == [rule], [(f.rule, f.component, f.message) for f in found]
    return found[0]


# ------------------------------------------------------------------------------------------------ torchvision


RESNET_V2_HAND_COPIED = """
    import torch
    from PIL import Image
    from torchvision import transforms
    from torchvision.models import ResNet50_Weights, resnet50

    model = resnet50(weights=ResNet50_Weights.IMAGENET1K_V2).eval()
    preprocess = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])

    def classify(path):
        batch = preprocess(Image.open(path).convert("RGB")).unsqueeze(0)
        with torch.no_grad():
            return model(batch).softmax(1)
"""


def test_torchvision_v2_weights_with_the_v1_resize_are_reported_with_232(audit) -> None:
    f = only(audit({"app/classify.py": RESNET_V2_HAND_COPIED}), "preprocessing-mismatch")
    assert f.component == "torchvision:ResNet50_Weights.IMAGENET1K_V2" and f.severity == "warning"
    issue = f.hygiene
    assert issue.expected["resize"] == 232 and issue.expected["crop"] == 224
    assert issue.expected["mean"] == [0.485, 0.456, 0.406] and issue.expected["interpolation"] == "bilinear"
    assert "torchvision 0.29.1 ResNet50_Weights.IMAGENET1K_V2.transforms()" in issue.expected["source"]
    assert issue.found["resize"] == [256] and issue.found["crop"] == [224, 224]
    assert "resize to 256 before the 224x224 crop instead of 232" in f.message
    assert issue.fix == "preprocess = ResNet50_Weights.IMAGENET1K_V2.transforms()"
    assert [(loc.path, loc.line) for loc in f.locations[:3]] == [("app/classify.py", 18), ("app/classify.py", 7), ("app/classify.py", 9)]


def test_torchvision_weights_transforms_is_clean(audit) -> None:
    result = audit({"app/classify.py": """
        from PIL import Image
        from torchvision.models import ResNet50_Weights, resnet50

        weights = ResNet50_Weights.IMAGENET1K_V2
        model = resnet50(weights=weights).eval()
        preprocess = weights.transforms()

        def classify(path):
            return model(preprocess(Image.open(path)).unsqueeze(0))
    """})
    assert hygiene(result) == []


def test_legacy_pretrained_true_with_the_v1_recipe_is_clean(audit) -> None:
    # pretrained=True loads IMAGENET1K_V1, whose own transform is resize 256, crop 224.
    result = audit({"app/classify.py": RESNET_V2_HAND_COPIED.replace("weights=ResNet50_Weights.IMAGENET1K_V2", "pretrained=True")})
    assert hygiene(result) == []


def test_torchvision_training_on_totensor_only_is_missing_normalization(audit) -> None:
    f = only(audit({"train.py": """
        import torch
        from torch.utils.data import DataLoader
        from torchvision import datasets, models, transforms

        tf = transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(), transforms.ToTensor()])
        loader = DataLoader(datasets.ImageFolder("data/train", transform=tf), batch_size=32, shuffle=True)
        model = models.efficientnet_b0(weights=models.EfficientNet_B0_Weights.DEFAULT)
        optimizer = torch.optim.AdamW(model.parameters())

        def train_epoch(model, loader):
            for images, labels in loader:
                loss = torch.nn.functional.cross_entropy(model(images), labels)
                loss.backward()
                optimizer.step()

        train_epoch(model, loader)
    """}), "missing-normalization")
    assert f.component == "torchvision:EfficientNet_B0_Weights.IMAGENET1K_V1"
    assert f.hygiene.expected["mean"] == [0.485, 0.456, 0.406] and f.hygiene.found["mean"] is None
    assert "scaled to [0, 1]" in f.message and f.locations[0].line == 13  # inside train_epoch, reached through the call


def test_training_pipeline_with_the_right_normalize_is_clean(audit) -> None:
    # Random crops are augmentation: only the normalization is compared in a training pipeline.
    result = audit({"train.py": f"""
        from torch.utils.data import DataLoader
        from torchvision import datasets, models, transforms

        tf = transforms.Compose([transforms.RandomResizedCrop(176), transforms.ToTensor(), transforms.Normalize({IMAGENET})])
        model = models.resnet50(weights="IMAGENET1K_V2")
        for images, labels in DataLoader(datasets.ImageFolder("train", transform=tf)):
            model(images)
    """})
    assert hygiene(result) == []


def test_detection_weights_given_a_normalize_are_normalized_twice(audit) -> None:
    f = only(audit({"detect.py": f"""
        import torchvision
        from torchvision import transforms
        from PIL import Image

        detector = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights="DEFAULT").eval()
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize({IMAGENET})])
        boxes = detector([tf(Image.open("shelf.jpg"))])
    """}), "preprocessing-mismatch")
    assert f.component == "torchvision:FasterRCNN_ResNet50_FPN_Weights.COCO_V1"
    assert f.hygiene.expected["mean"] is None and "second normalization" in f.message


def test_cv2_and_hand_arithmetic_with_other_means_is_a_mismatch(audit) -> None:
    result = audit({"infer.py": """
        import cv2
        import numpy as np
        import torch
        import torchvision

        MEAN = np.array([0.5, 0.5, 0.5])
        STD = np.array([0.5, 0.5, 0.5])
        net = torchvision.models.resnet18(pretrained=True).eval()

        def run(path):
            img = cv2.resize(cv2.imread(path), (224, 224))
            img = (img / 255.0 - MEAN) / STD
            return net(torch.from_numpy(img).permute(2, 0, 1).float().unsqueeze(0))

        def run_right(path):
            img = cv2.resize(cv2.imread(path), (224, 224))
            img = (img / 255.0 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
            return net(torch.from_numpy(img).permute(2, 0, 1).float()[None])
    """})
    f = only(result, "preprocessing-mismatch")
    assert f.locations[0].line == 14 and f.hygiene.found["mean"] == [0.5, 0.5, 0.5] and f.hygiene.found["std"] == [0.5, 0.5, 0.5]


def test_raw_pixels_into_a_pretrained_model_are_missing_normalization(audit) -> None:
    f = only(audit({"infer.py": """
        import cv2
        import torch
        import torchvision

        net = torchvision.models.resnet18(weights="IMAGENET1K_V1").eval()
        img = cv2.resize(cv2.imread("a.jpg"), (224, 224))
        out = net(torch.from_numpy(img).permute(2, 0, 1).float()[None])
    """}), "missing-normalization")
    assert "raw 0-255 pixel values" in f.message


# ---------------------------------------------------------------------------------------------------- timm


def test_augreg_vit_given_imagenet_statistics_is_a_mismatch(audit) -> None:
    f = only(audit({"embed.py": f"""
        import timm
        from PIL import Image
        from torchvision import transforms as T

        model = timm.create_model("vit_base_patch16_224.augreg_in21k", pretrained=True).eval()
        tf = T.Compose([T.Resize(248), T.CenterCrop(224), T.ToTensor(), T.Normalize({IMAGENET})])
        features = model(tf(Image.open("a.jpg")).unsqueeze(0))
    """}), "preprocessing-mismatch")
    assert f.component == "timm:vit_base_patch16_224.augreg_in21k"
    assert f.hygiene.expected["mean"] == [0.5, 0.5, 0.5] and f.hygiene.expected["resize"] == 248
    assert f.hygiene.expected["interpolation"] == "bicubic" and "bilinear resizing instead of bicubic" in f.message
    assert f.hygiene.fix == "transform = timm.data.create_transform(**timm.data.resolve_model_data_config(model))"


def test_timm_resolved_data_config_is_clean(audit) -> None:
    result = audit({"embed.py": """
        import timm
        from PIL import Image

        model = timm.create_model("vit_base_patch16_224.augreg_in21k", pretrained=True).eval()
        transform = timm.data.create_transform(**timm.data.resolve_model_data_config(model))
        features = model(transform(Image.open("a.jpg")).unsqueeze(0))
    """})
    assert hygiene(result) == []


def test_timm_constants_are_read_from_the_library(audit) -> None:
    result = audit({"embed.py": """
        import timm
        from timm.data import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD
        from torchvision import transforms as T
        from PIL import Image

        vit = timm.create_model("vit_base_patch16_224.augreg_in21k", pretrained=True)
        clip = timm.create_model("vit_base_patch16_clip_224.openai", pretrained=True)
        wrong = T.Compose([T.ToTensor(), T.Normalize(IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD)])
        right = T.Compose([T.ToTensor(), T.Normalize(OPENAI_CLIP_MEAN, OPENAI_CLIP_STD)])
        image = Image.open("a.jpg")
        vit(wrong(image)[None])
        clip(right(image)[None])
    """})
    f = only(result, "preprocessing-mismatch")
    assert f.component == "timm:vit_base_patch16_224.augreg_in21k" and f.hygiene.found["mean"] == [0.485, 0.456, 0.406]


def test_timm_divided_by_255_only_is_missing_normalization(audit) -> None:
    f = only(audit({"infer.py": """
        import numpy as np
        import timm
        import torch
        from PIL import Image

        model = timm.create_model("resnet50.a1_in1k", pretrained=True).eval()
        x = torch.from_numpy(np.asarray(Image.open("a.jpg").resize((224, 224)))).permute(2, 0, 1).float() / 255.0
        logits = model(x[None])
    """}), "missing-normalization")
    assert f.component == "timm:resnet50.a1_in1k"


# ------------------------------------------------------------------------------------------- Hugging Face


def test_hub_model_from_the_snapshot_given_imagenet_statistics_is_a_mismatch(audit) -> None:
    f = only(audit({"classify.py": f"""
        from transformers import ViTForImageClassification
        from torchvision import transforms
        from PIL import Image

        model = ViTForImageClassification.from_pretrained("google/vit-base-patch16-224")
        tf = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(), transforms.Normalize({IMAGENET})])
        logits = model(pixel_values=tf(Image.open("a.jpg")).unsqueeze(0)).logits
    """}), "preprocessing-mismatch")
    assert f.component == "hf:google/vit-base-patch16-224" and f.hygiene.expected["mean"] == [0.5, 0.5, 0.5]
    assert f.hygiene.expected["source"].startswith("https://huggingface.co/google/vit-base-patch16-224/blob/")
    assert f.hygiene.fix == "processor = AutoImageProcessor.from_pretrained('google/vit-base-patch16-224')"


def test_hub_processor_from_the_same_id_is_clean(audit) -> None:
    result = audit({"classify.py": """
        from transformers import AutoImageProcessor, ViTForImageClassification
        from PIL import Image

        processor = AutoImageProcessor.from_pretrained("google/vit-base-patch16-224")
        model = ViTForImageClassification.from_pretrained("google/vit-base-patch16-224")
        inputs = processor(images=Image.open("a.jpg"), return_tensors="pt")
        logits = model(**inputs).logits
    """})
    assert hygiene(result) == []


PROCESSOR_FROM_ANOTHER_ID = """
    from transformers import AutoImageProcessor, AutoModelForImageClassification
    from PIL import Image

    processor = AutoImageProcessor.from_pretrained("{processor}")
    model = AutoModelForImageClassification.from_pretrained("models/vit-shelf")
    inputs = processor(images=Image.open("a.jpg"), return_tensors="pt")
    logits = model(**inputs).logits
"""


def test_processor_from_another_folder_with_other_values_is_a_processor_mismatch(audit) -> None:
    f = only(audit({"classify.py": PROCESSOR_FROM_ANOTHER_ID.format(processor="models/clip-proc")},
                   configs={"models/vit-shelf": VIT_CONFIG, "models/clip-proc": CLIP_CONFIG}), "processor-mismatch")
    assert f.component == "local:models/vit-shelf"
    assert f.hygiene.expected["mean"] == [0.5, 0.5, 0.5] and f.hygiene.found["mean"][0] == pytest.approx(0.48145466)
    assert f.hygiene.expected["source"] == "models/vit-shelf/preprocessor_config.json"
    assert f.hygiene.fix == "processor = AutoImageProcessor.from_pretrained('models/vit-shelf')"


def test_processor_from_another_folder_with_the_same_values_is_clean(audit) -> None:
    result = audit({"classify.py": PROCESSOR_FROM_ANOTHER_ID.format(processor="models/vit-base")},
                   configs={"models/vit-shelf": VIT_CONFIG, "models/vit-base": VIT_CONFIG})
    assert hygiene(result) == []


def test_processor_whose_config_is_unknown_is_not_judged(audit) -> None:
    result = audit({"classify.py": PROCESSOR_FROM_ANOTHER_ID.format(processor="acme/never-seen")},
                   configs={"models/vit-shelf": VIT_CONFIG})
    assert hygiene(result) == []


def test_hub_model_config_from_the_local_cache(audit) -> None:
    cache = Path(os.environ["HF_HUB_CACHE"]) / "models--acme--shelf-vit"
    snapshot = cache / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (cache / "refs").mkdir()
    (cache / "refs" / "main").write_text("abc123")
    (snapshot / "preprocessor_config.json").write_text(json.dumps(VIT_CONFIG))
    f = only(audit({"classify.py": """
        import torch
        from transformers import AutoModelForImageClassification
        from torchvision import transforms
        from PIL import Image

        model = AutoModelForImageClassification.from_pretrained("acme/shelf-vit")
        x = transforms.ToTensor()(Image.open("a.jpg").convert("RGB"))
        logits = model(pixel_values=x[None]).logits
    """}), "missing-normalization")
    assert f.component == "hf:acme/shelf-vit" and f.hygiene.expected["source"].startswith("local Hugging Face cache:")


def test_unknown_hub_model_is_never_judged(audit) -> None:
    result = audit({"classify.py": f"""
        from transformers import AutoModel
        from torchvision import transforms
        from PIL import Image

        model = AutoModel.from_pretrained("acme/unknown-backbone")
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize({IMAGENET})])
        model(pixel_values=tf(Image.open("a.jpg"))[None])
    """})
    assert hygiene(result) == []


# ----------------------------------------------------------------------------------------------- open_clip


def test_open_clip_given_imagenet_statistics_is_a_mismatch(audit) -> None:
    f = only(audit({"search.py": f"""
        import open_clip
        import torch
        from PIL import Image
        from torchvision import transforms

        model, _, preprocess = open_clip.create_model_and_transforms("ViT-B-32", pretrained="laion2b_s34b_b79k")
        mine = transforms.Compose([
            transforms.Resize(224, interpolation=transforms.InterpolationMode.BICUBIC),
            transforms.CenterCrop(224),
            transforms.ToTensor(),
            transforms.Normalize({IMAGENET}),
        ])
        with torch.no_grad():
            features = model.encode_image(mine(Image.open("cat.png")).unsqueeze(0))
    """}), "preprocessing-mismatch")
    assert f.component == "open_clip:ViT-B-32:laion2b_s34b_b79k"
    assert f.hygiene.expected["mean"] == [0.48145466, 0.4578275, 0.40821073] and f.hygiene.expected["resize"] == 224
    assert f.hygiene.fix == "model, _, preprocess = open_clip.create_model_and_transforms('ViT-B-32', pretrained='laion2b_s34b_b79k')"


def test_open_clip_preprocess_it_returns_is_clean(audit) -> None:
    result = audit({"search.py": """
        import open_clip
        from PIL import Image

        model, _, preprocess = open_clip.create_model_and_transforms("ViT-B-32", pretrained="laion2b_s34b_b79k")
        features = model.encode_image(preprocess(Image.open("cat.png")).unsqueeze(0))
    """})
    assert hygiene(result) == []


def test_open_clip_fed_totensor_only_is_missing_normalization(audit) -> None:
    f = only(audit({"search.py": """
        import open_clip
        from PIL import Image
        from torchvision import transforms

        model, preprocess = open_clip.create_model_from_pretrained("ViT-B-32", pretrained="laion2b_s34b_b79k")
        tf = transforms.Compose([transforms.Resize(224), transforms.CenterCrop(224), transforms.ToTensor()])
        features = model.encode_image(tf(Image.open("cat.png"))[None])
    """}), "missing-normalization")
    assert f.component == "open_clip:ViT-B-32:laion2b_s34b_b79k"


# --------------------------------------------------------------------------------------- untrained backbone


def test_untrained_resnet_with_a_replaced_head_lists_licensed_weights(audit) -> None:
    f = only(audit({"train.py": """
        import torch
        import torch.nn as nn
        from torchvision.models import resnet50

        model = resnet50(weights=None)
        model.fc = nn.Linear(2048, 10)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    """}), "untrained-backbone")
    assert f.severity == "info" and f.component == "torchvision:resnet50"
    assert "classifier head is replaced" in f.message
    assert f.hygiene.fix == "model = resnet50(weights=ResNet50_Weights.DEFAULT)"
    first = f.alternatives[0]
    assert first.name == "torchvision:ResNet50_Weights.IMAGENET1K_V2" and first.license == "BSD-3-Clause"
    assert "allowed by policy closed-source-saas" in first.note


def test_untrained_timm_model_in_fine_tuning_code_flags_non_commercial_weights(audit) -> None:
    f = only(audit({"train.py": """
        # Fine-tune ConvNeXt-V2 on the shelf dataset.
        import timm
        import torch

        model = timm.create_model("convnextv2_tiny", num_classes=12)
        optimizer = torch.optim.AdamW(model.parameters())
        loss = model(torch.randn(1, 3, 224, 224)).sum()
        loss.backward()
    """}), "untrained-backbone")
    assert f.component == "timm:convnextv2_tiny" and "train.py says 'Fine-tune' (line 2)" in f.message
    notes = {a.name: a.note for a in f.alternatives}
    assert "would be an error under policy closed-source-saas" in notes["timm:convnextv2_tiny.fcmae_ft_in22k_in1k"]


@pytest.mark.parametrize("code", [
    # from scratch with no sign of fine-tuning
    "import torch\nfrom torchvision.models import resnet50\nmodel = resnet50()\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n",
    # num_classes != 1000 cannot take the pretrained weights: from scratch on purpose
    "import torch, torch.nn as nn\nfrom torchvision.models import resnet50\nmodel = resnet50(num_classes=10)\nmodel.fc = nn.Linear(2048, 10)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n",
    # not training code
    "import torch.nn as nn\nfrom torchvision.models import resnet50\nmodel = resnet50(weights=None)\nmodel.fc = nn.Linear(2048, 10)\n",
    # a detection builder loads pretrained backbone weights by default
    "import torch\nfrom torchvision.models.detection import fasterrcnn_resnet50_fpn\nm = fasterrcnn_resnet50_fpn(weights=None)  # fine-tune\nopt = torch.optim.SGD(m.parameters(), lr=0.1)\n",
])
def test_untrained_backbone_stays_silent_without_evidence(audit, code: str) -> None:
    assert hygiene(audit({"train.py": code})) == []


# ----------------------------------------------------------------------------------- precision guards


@pytest.mark.parametrize("code", [
    # the pipeline comes from a library helper not followed: nothing is said
    """
    import somelib
    from torchvision.models import resnet50
    model = resnet50(weights="IMAGENET1K_V2")
    tf = somelib.make_transform()
    model(tf(image))
    """,
    # the hand-written pipeline feeds another model, not the pretrained one
    f"""
    import torch.nn as nn
    from torchvision import transforms
    from torchvision.models import resnet50
    from PIL import Image
    model = resnet50(weights="IMAGENET1K_V2")
    other = nn.Linear(10, 10)
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=[0.5] * 3, std=[0.5] * 3)])
    other(tf(Image.open("a.jpg")))
    """,
    # values read from the model itself
    """
    import timm
    from torchvision import transforms
    from PIL import Image
    model = timm.create_model("vit_base_patch16_224.augreg_in21k", pretrained=True)
    cfg = model.pretrained_cfg
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize(cfg["mean"], cfg["std"])])
    model(tf(Image.open("a.jpg"))[None])
    """,
    # sizes that are command-line defaults are not compared (what runs may differ)
    f"""
    import argparse
    from torchvision import transforms
    from torchvision.models import resnet50
    from PIL import Image
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    model = resnet50(weights="IMAGENET1K_V2")
    tf = transforms.Compose([transforms.Resize(args.size), transforms.CenterCrop(224), transforms.ToTensor(), transforms.Normalize({IMAGENET})])
    model(tf(Image.open("a.jpg"))[None])
    """,
    # the data passes through a project function whose effect is unknown: no missing-normalization
    """
    from torchvision import transforms
    from torchvision.models import resnet50
    from PIL import Image
    import helpers
    model = resnet50(weights="IMAGENET1K_V2")
    x = transforms.ToTensor()(Image.open("a.jpg"))
    model(helpers.prepare(x)[None])
    """,
])
def test_paths_that_cannot_be_followed_say_nothing(audit, code: str) -> None:
    assert hygiene(audit({"app.py": code})) == []


def test_class_methods_share_self_attributes(audit) -> None:
    f = only(audit({"service.py": f"""
        import torch
        from torchvision import models, transforms

        class Classifier:
            def __init__(self):
                self.model = models.resnet50(weights=models.ResNet50_Weights.IMAGENET1K_V2).eval()
                self.transform = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224),
                                                     transforms.ToTensor(), transforms.Normalize({IMAGENET})])

            @torch.no_grad()
            def predict(self, image):
                return self.model(self.transform(image).unsqueeze(0))
    """}), "preprocessing-mismatch")
    assert f.locations[0].line == 13


def test_a_notebook_mistake_is_located_in_its_cell(audit) -> None:
    cells = [
        "import timm\nfrom torchvision import transforms as T",
        "model = timm.create_model('vit_base_patch16_224.augreg_in21k', pretrained=True)",
        f"tf = T.Compose([T.ToTensor(), T.Normalize({IMAGENET})])\nout = model(tf(img)[None])",
    ]
    notebook = {"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None} for c in cells],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    f = only(audit({"explore.ipynb": json.dumps(notebook)}), "preprocessing-mismatch")
    assert f.locations[0].cell == 2 and f.locations[0].cell_line == 2
    assert "Found only in notebooks" in f.message
