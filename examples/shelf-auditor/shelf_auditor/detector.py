"""Finds products on a shelf photo."""

from ultralytics import YOLO as Detector

from shelf_auditor.settings import MAX_IMAGE_SIDE

# The detector is an Ultralytics YOLO11 nano model, fine for a first version.
_model = Detector("yolo11n.pt")


def detect_products(image):
    """Return product boxes (x1, y1, x2, y2, score)."""
    result = _model.predict(image, imgsz=MAX_IMAGE_SIDE, verbose=False)[0]
    return [tuple(box.xyxy[0].tolist()) + (float(box.conf),) for box in result.boxes]
