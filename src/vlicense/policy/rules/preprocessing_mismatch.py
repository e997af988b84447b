"""Rule preprocessing-mismatch: hand-written normalization or resizing on the path of a pretrained model differs
from the preprocessing its weights were trained with (mean/std, resize, crop), so it silently loses accuracy."""

from __future__ import annotations

from vlicense.model import HygieneIssue
from vlicense.policy.rules.base import HygieneRule


def recommend(issue: HygieneIssue) -> str:
    return f"Use the weights' own preprocessing instead of the hand-written one: `{issue.fix}`."


RULE = HygieneRule(
    id="preprocessing-mismatch",
    title="Preprocessing differs from what the weights expect",
    defaults={"default": "warning"},
    recommend=recommend,
    fix="Replace the hand-written transform with the door's own: `weights.transforms()` (torchvision), "
    "`timm.data.create_transform(**timm.data.resolve_model_data_config(model))` (timm), "
    "`AutoImageProcessor.from_pretrained(<the model's id>)` (Hugging Face), the `preprocess` returned by "
    "`open_clip.create_model_and_transforms(...)` (open_clip). If the difference is deliberate (fine-tuning with "
    "your own statistics), record it as a policy exception with the reason.",
    example="resnet50(weights=ResNet50_Weights.IMAGENET1K_V2) expects resize 232, center crop 224, ImageNet "
    "mean/std and bilinear resizing (torchvision 0.29.1 ResNet50_Weights.IMAGENET1K_V2.transforms()). A hand-copied "
    "Compose([Resize(256), CenterCrop(224), ToTensor(), Normalize(...)]) resizes to 256, the V1 recipe, and is "
    "reported; so is ImageNet mean/std fed to a CLIP or ViT-augreg model, which were trained with other means "
    "(OpenAI CLIP mean (0.4815, 0.4578, 0.4082); augreg mean and std 0.5). Fix: preprocess = "
    "ResNet50_Weights.IMAGENET1K_V2.transforms().",
    doc=__doc__ or "",
)
