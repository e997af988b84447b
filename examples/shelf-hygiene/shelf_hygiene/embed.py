"""Embeds product crops (saved by the detector as PNG files) to match them against the planogram."""

import numpy as np
import timm
import torch
from PIL import Image

_backbone = timm.create_model("convnext_tiny.fb_in22k_ft_in1k", pretrained=True, num_classes=0).eval()


@torch.no_grad()
def embed(crop_path: str) -> torch.Tensor:
    """One embedding per 224x224 RGB crop."""
    crop = np.asarray(Image.open(crop_path).convert("RGB"))
    x = torch.from_numpy(crop).permute(2, 0, 1).float() / 255.0
    return _backbone(x.unsqueeze(0))
