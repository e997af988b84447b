"""Embeds product crops to match them against the planogram."""

import timm
import torch

_backbone = timm.create_model("convnext_tiny.fb_in22k_ft_in1k", pretrained=True, num_classes=0).eval()


@torch.no_grad()
def embed(crops):
    """Return one L2-normalized embedding per crop tensor."""
    return torch.nn.functional.normalize(_backbone(torch.stack(crops)), dim=-1)
