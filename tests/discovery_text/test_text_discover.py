"""Config and shell scanners through vlicense.discovery.discover (walk, scopes, manifests side by side)."""

from __future__ import annotations

import textwrap

from vlicense.discovery import discover

FILES = {
    "pyproject.toml": """
        [project]
        name = "shelf"
        dependencies = ["ultralytics>=8.3"]

        [tool.shelf]
        detector = "yolov8n.pt"
        """,
    "configs/train.yaml": "model: weights/shelf.pt\nbackbone: convnextv2_tiny\ndata: coco8.yaml\n",
    "weights/shelf.pt": b"not a pickle",
    "Dockerfile": "FROM python:3.11\nRUN pip install timm && huggingface-cli download facebook/detr-resnet-50\n",
    "scripts/fetch.sh": "wget https://download.pytorch.org/models/resnet50-11ad3fa6.pth\n",
    ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: yolo val model=yolo11n.pt\n",
    "package.json": '{"name": "web", "model": "yolov8x.pt"}',
    "data/coco8.yaml": "path: ../datasets/coco8\ntrain: images/train\nnames: {0: person}\n",
}


def test_discover_runs_config_and_shell_scanners(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for rel, content in FILES.items():
        path = project / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"))
    found = discover(project, cache=False, use_git=False)
    got = sorted((m.location.path, m.location.line, m.loader, m.name, m.variant, m.scope) for m in found.models)
    assert got == [
        (".github/workflows/ci.yml", 6, "ultralytics", "yolo11n.pt", "YOLO", "dev"),
        ("Dockerfile", 2, "huggingface", "facebook/detr-resnet-50", None, "runtime"),
        ("configs/train.yaml", 1, "file", "weights/shelf.pt", "pt", "runtime"),
        ("configs/train.yaml", 2, "timm", "convnextv2_tiny", None, "runtime"),
        ("pyproject.toml", 6, "ultralytics", "yolov8n.pt", None, "runtime"),
        ("scripts/fetch.sh", 1, "torchvision", "", "ResNet50_Weights.IMAGENET1K_V2", "script"),
        # The weight file itself, found by the walk.
        ("weights/shelf.pt", 0, "file", "weights/shelf.pt", "pt", "runtime"),
    ]
    requirements = sorted((r.location.path, r.name, r.group) for r in found.requirements)
    assert ("Dockerfile", "timm", "docker") in requirements
    assert ("pyproject.toml", "ultralytics", "runtime") in requirements
    assert not found.unresolved
    assert not [s for s in found.skipped if s.path in FILES]
