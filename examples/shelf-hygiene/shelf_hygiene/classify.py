"""Classifies a shelf photo (empty, partial, full) with ResNet-50."""

import torch
from PIL import Image
from torchvision import transforms
from torchvision.models import ResNet50_Weights, resnet50

_model = resnet50(weights=ResNet50_Weights.IMAGENET1K_V2).eval()

# Copied from an older tutorial: the V1 weights' recipe (resize 256), not the V2 weights' (resize 232).
_preprocess = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])


@torch.no_grad()
def classify(path: str) -> torch.Tensor:
    """Class probabilities for one photo."""
    batch = _preprocess(Image.open(path).convert("RGB")).unsqueeze(0)
    return _model(batch).softmax(dim=1)
