"""Service settings."""

DETECTOR_REPO = "PekingU/rtdetr_r50vd"
DETECTOR_REVISION = "main"
EMBEDDER_TAG = "convnext_tiny.fb_in22k_ft_in1k"
