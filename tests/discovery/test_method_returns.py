"""Values a project method returns (``cls.weights()``, ``self.path()``, ``Detector.default()``) reach the loader call."""

from __future__ import annotations

from pathlib import Path

from vlicense.discovery import discover

# The held-out project: a classmethod wrapper reading cls.model_path (overridden by a subclass), a staticmethod.
DETECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "holdout_doors" / "flow_cls_attr_subclass"


def test_classmethod_and_staticmethod_returns_are_followed():
    found = discover(DETECTORS, cache=False)
    loads = {(m.name.rsplit("/", 1)[-1], m.location.line, m.found_by) for m in found.models}
    # Each class that sets model_path is a candidate at the load line (the subclass's override included).
    assert {("yolov8n.pt", 17, "loader"), ("yolov8m.pt", 17, "loader"), ("yolo11l.pt", 24, "loader")} <= loads
    assert found.unresolved == []


def test_a_method_returning_a_run_time_value_stays_unresolved(tmp_path):
    (tmp_path / "app.py").write_text(
        "import os\nfrom ultralytics import YOLO\n\n\nclass App:\n    def weights(self):\n"
        "        return os.environ['WEIGHTS']\n\n    def load(self):\n        return YOLO(self.weights())\n"
    )
    found = discover(tmp_path, cache=False)
    assert [(u.location.line, u.expression) for u in found.unresolved] == [(10, "self.weights()")]
