"""Finds products on a shelf photo with RT-DETR (Apache-2.0 code and weights)."""

import torch
from transformers import RTDetrForObjectDetection, RTDetrImageProcessor

DETECTOR_REPO = "PekingU/rtdetr_r50vd"

_processor = RTDetrImageProcessor.from_pretrained(DETECTOR_REPO)
_model = RTDetrForObjectDetection.from_pretrained(DETECTOR_REPO)


@torch.no_grad()
def detect_products(image, threshold=0.5):
    """Return product boxes (x1, y1, x2, y2, score)."""
    inputs = _processor(images=image, return_tensors="pt")
    outputs = _model(**inputs)
    sizes = torch.tensor([(image.height, image.width)])
    result = _processor.post_process_object_detection(outputs, target_sizes=sizes, threshold=threshold)[0]
    return [tuple(box.tolist()) + (float(score),) for box, score in zip(result["boxes"], result["scores"])]
