"""Separates shelf rows, so gaps can be measured per row."""

from transformers import pipeline

# SegFormer fine-tuned on ADE20K: shelves, walls, floor.
_segment = pipeline("image-segmentation", model="nvidia/segformer-b0-finetuned-ade-512-512")


def shelf_rows(image):
    """Return the masks labelled as shelf."""
    return [s["mask"] for s in _segment(image) if s["label"] == "shelf"]
