"""Service settings."""

DETECTOR_WEIGHTS = "yolo11n.pt"
EMBEDDER_ARCH = "convnextv2_tiny.fcmae_ft_in22k_in1k"
PRICE_TAG_READER = "microsoft/trocr-base-printed"
MAX_IMAGE_SIDE = 1280
