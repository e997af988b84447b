"""Sorts product crops into families with the team's own DINOv2 fine-tune, kept in the repository."""

from transformers import AutoModelForImageClassification

CLASSIFIER_DIR = "models/shelf-classifier"

_classifier = AutoModelForImageClassification.from_pretrained(CLASSIFIER_DIR).eval()


def product_family(pixel_values):
    """Return the index of the most likely product family for a preprocessed crop batch."""
    return _classifier(pixel_values=pixel_values).logits.argmax(-1)
