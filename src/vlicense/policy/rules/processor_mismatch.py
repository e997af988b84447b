"""Rule processor-mismatch: a Hugging Face model is fed by an image processor loaded from another id whose
preprocessor config differs (mean/std or input size) from the model's own."""

from __future__ import annotations

from vlicense.model import HygieneIssue
from vlicense.policy.rules.base import HygieneRule


def recommend(issue: HygieneIssue) -> str:
    return f"Load the processor from the model's own id: `{issue.fix}`."


RULE = HygieneRule(
    id="processor-mismatch",
    title="Image processor loaded from another model's id",
    defaults={"default": "warning"},
    recommend=recommend,
    fix="Load the image processor from the same id (or local folder) as the model: "
    "`AutoImageProcessor.from_pretrained(<the model's id>)`; when fine-tuning, save the processor next to the "
    "weights (`processor.save_pretrained(out_dir)`) so both load from one folder.",
    example="AutoModelForImageClassification.from_pretrained('google/vit-base-patch16-224') fed by "
    "AutoImageProcessor.from_pretrained('openai/clip-vit-base-patch32'): the ViT expects mean and std 0.5 on a "
    "224x224 squash; the CLIP processor normalizes with the OpenAI CLIP mean/std after a shortest-edge resize "
    "and crop. Fix: AutoImageProcessor.from_pretrained('google/vit-base-patch16-224').",
    doc=__doc__ or "",
)
