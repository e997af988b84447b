"""Text-to-product search with OpenCLIP embeddings."""

import open_clip
import torch
from PIL import Image
from torchvision import transforms

_model, _, _preprocess = open_clip.create_model_and_transforms("ViT-B-32", pretrained="laion2b_s34b_b79k")
_model.eval()

# "Faster" hand-written preprocessing with the usual ImageNet statistics: CLIP was trained with other ones.
_fast = transforms.Compose([
    transforms.Resize(224, interpolation=transforms.InterpolationMode.BICUBIC),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
])


@torch.no_grad()
def embed_image(path: str) -> torch.Tensor:
    """One L2-normalized image embedding."""
    features = _model.encode_image(_fast(Image.open(path).convert("RGB")).unsqueeze(0))
    return torch.nn.functional.normalize(features, dim=-1)
