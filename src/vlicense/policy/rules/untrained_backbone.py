"""Rule untrained-backbone: training code builds a model without pretrained weights (resnet50(weights=None),
create_model(..., pretrained=False)) while the project's own code or text says it fine-tunes; the alternatives
list the pretrained weights that exist for it, with their licenses checked against the policy."""

from __future__ import annotations

from vlicense.model import HygieneIssue
from vlicense.policy.rules.base import HygieneRule


def recommend(issue: HygieneIssue) -> str:
    return (f"If fine-tuning is intended, load pretrained weights (`{issue.fix}`) and pick weights whose license "
            "the policy allows (see the alternatives); if training from scratch is deliberate, ignore this note.")


RULE = HygieneRule(
    id="untrained-backbone",
    title="Backbone built without pretrained weights in fine-tuning code",
    defaults={"default": "info"},
    recommend=recommend,
    fix="Pass the pretrained weights (`weights=<Enum>.DEFAULT` for torchvision, `pretrained=True` for timm), "
    "choosing among the listed weights one whose license the policy allows; if training from scratch is "
    "deliberate, lower the rule to `ignore` in the policy or record an exception.",
    example="model = resnet50(weights=None) followed by model.fc = nn.Linear(2048, 10) and an optimizer: the "
    "head is replaced as when fine-tuning, but the backbone starts from random weights. Fix: "
    "resnet50(weights=ResNet50_Weights.DEFAULT) (IMAGENET1K_V2, BSD-3-Clause).",
    doc=__doc__ or "",
)
