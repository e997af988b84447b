"""Classifies shelf rows (empty, partial, full) with a fine-tuned ResNet-50."""

from torchvision.models import ResNet50_Weights, resnet50

_model = resnet50(weights=ResNet50_Weights.IMAGENET1K_V2).eval()
