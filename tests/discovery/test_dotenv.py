"""Dotenv files (``.env``, ``.env.production``, ``app.env``): model ids under model-ish keys are references."""

from __future__ import annotations

from vlicense.discovery import discover
from vlicense.discovery.configs import config_kind, env_tree


def test_dotenv_lines():
    tree = env_tree("# models\nexport WEIGHTS='yolo11x.pt'\nMODEL_ID=facebook/detr-resnet-50 # the detector\n"
                    "not a line\nEMPTY=\n")
    assert {k: (v.value, v.line) for k, v in tree.items()} == {
        "WEIGHTS": ("yolo11x.pt", 2), "MODEL_ID": ("facebook/detr-resnet-50", 3), "EMPTY": ("", 5)}


def test_dotenv_files_are_configs(tmp_path):
    assert [config_kind(n) for n in (".env", ".env.production", "app.env", "environment.py")] == ["env", "env", "env", None]
    (tmp_path / ".env.production").write_text("DETECTOR_WEIGHTS=yolov8s.pt\nLOG_LEVEL=info\n")
    assert [(m.loader, m.name, m.location.line) for m in discover(tmp_path, cache=False).models] == [("ultralytics", "yolov8s.pt", 1)]
