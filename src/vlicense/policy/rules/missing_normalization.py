"""Rule missing-normalization: a pretrained model is fed tensors with no mean/std normalization at all (only
ToTensor or /255, or raw pixels), while its weights were trained on normalized inputs."""

from __future__ import annotations

from vlicense.model import HygieneIssue
from vlicense.policy.rules.base import HygieneRule


def recommend(issue: HygieneIssue) -> str:
    return f"Normalize the inputs the way the weights were trained, preferably with the door's own transform: `{issue.fix}`."


RULE = HygieneRule(
    id="missing-normalization",
    title="Pretrained model fed unnormalized inputs",
    defaults={"default": "warning"},
    recommend=recommend,
    fix="Add the weights' normalization, best by using the door's own transform (`weights.transforms()`, "
    "`timm.data.create_transform(**timm.data.resolve_model_data_config(model))`, "
    "`AutoImageProcessor.from_pretrained(<id>)`, open_clip's `preprocess`) instead of ToTensor or /255 alone.",
    example="A ResNet-50 with IMAGENET1K_V2 weights given images only resized to 224 and divided by 255 reports "
    "about 58% top-1 instead of 80.9%, with no error anywhere: the weights expect mean (0.485, 0.456, 0.406) and "
    "std (0.229, 0.224, 0.225) after scaling to [0, 1]. Fix: preprocess = ResNet50_Weights.IMAGENET1K_V2.transforms().",
    doc=__doc__ or "",
)
