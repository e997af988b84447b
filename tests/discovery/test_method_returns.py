"""Values a project method returns (``cls.weights()``, ``self.path()``, ``Detector.default()``) reach the loader call."""

from __future__ import annotations

from vlicense.discovery import discover

DETECTORS = '''
import os
from ultralytics import YOLO

WEIGHTS_DIR = os.path.join(os.path.dirname(__file__), "weights")


class BaseDetector:
    model_path = "yolov8n.pt"

    @classmethod
    def weights(cls):
        return os.path.join(WEIGHTS_DIR, cls.model_path)

    @classmethod
    def load(cls):
        return YOLO(cls.weights())

    @staticmethod
    def fallback():
        return "yolo11l.pt"

    def reload(self):
        return YOLO(BaseDetector.fallback())


class PersonDetector(BaseDetector):
    model_path = "yolov8m.pt"
'''


def test_classmethod_and_staticmethod_returns_are_followed(tmp_path):
    (tmp_path / "detectors.py").write_text(DETECTORS.lstrip())
    found = discover(tmp_path, cache=False)
    loads = {(m.name.rsplit("/", 1)[-1], m.location.line, m.found_by) for m in found.models}
    # Each class that sets model_path is a candidate at the load line (the subclass's override included).
    assert {("yolov8n.pt", 16, "loader"), ("yolov8m.pt", 16, "loader"), ("yolo11l.pt", 23, "loader")} <= loads
    assert found.unresolved == []


def test_a_method_returning_a_run_time_value_stays_unresolved(tmp_path):
    (tmp_path / "app.py").write_text(
        "import os\nfrom ultralytics import YOLO\n\n\nclass App:\n    def weights(self):\n"
        "        return os.environ['WEIGHTS']\n\n    def load(self):\n        return YOLO(self.weights())\n"
    )
    found = discover(tmp_path, cache=False)
    assert [(u.location.line, u.expression) for u in found.unresolved] == [(10, "self.weights()")]
