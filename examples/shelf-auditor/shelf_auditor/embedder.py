"""Embeds product crops to match them against the planogram."""

import timm
import torch

EMBEDDER_ARCH = "convnextv2_tiny.fcmae_ft_in22k_in1k"

_backbone = timm.create_model(EMBEDDER_ARCH, pretrained=True, num_classes=0).eval()


@torch.no_grad()
def embed(crops):
    """Return one L2-normalized embedding per crop tensor."""
    features = _backbone(torch.stack(crops))
    return torch.nn.functional.normalize(features, dim=-1)
