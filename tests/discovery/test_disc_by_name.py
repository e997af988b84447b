"""Known weights found by name outside loader calls (positives and the messages that are not loads), and weight
keywords given to callables the analysis cannot name."""

from __future__ import annotations

import pytest


def found(d, path="app.py"):
    return [(m.loader, m.name, m.location.line, m.found_by, m.api) for m in d.models if m.location.path == path and m.found_by == "name"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from detkit import AutoDetectionModel\nm = AutoDetectionModel.from_pretrained(model_type='yolov8', model_path='yolov8s.pt')",
         ("ultralytics", "yolov8s.pt", 2, "name", "found by name: passed to AutoDetectionModel.from_pretrained(model_path=...)")),
        ("WEIGHTS = 'weights/yolo11n.pt'", ("ultralytics", "weights/yolo11n.pt", 1, "name", "found by name: assigned to WEIGHTS")),
        ("class Cfg:\n    model_path: str = 'yolov8n-seg.pt'", ("ultralytics", "yolov8n-seg.pt", 2, "name", "found by name: assigned to model_path")),
        ("def run(weights='yolov8m.pt'):\n    ...", ("ultralytics", "yolov8m.pt", 1, "name", "found by name: default of parameter 'weights'")),
        ("import argparse\np = argparse.ArgumentParser()\np.add_argument('--weights', default='yolov5su.pt', help='weights, e.g. yolov8x.pt')",
         ("ultralytics", "yolov5su.pt", 3, "name", "found by name: passed to p.add_argument(default=...)")),
        ("import streamlit as st\nchoice = st.selectbox('Model', ['yolo11s.pt'])", ("ultralytics", "yolo11s.pt", 2, "name", "found by name: passed to st.selectbox()")),
        ("download('https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11x.pt')",
         ("ultralytics", "yolo11x.pt", 1, "name", "found by name: passed to download()")),
        # Hub ids are looked up in files the analysis reads in full (they call a loader library or name a weight).
        ("import torch\nsd = torch.load('x.pth')\nMODEL_ID = 'facebook/detr-resnet-50'",
         ("huggingface", "facebook/detr-resnet-50", 3, "name", "found by name: assigned to MODEL_ID")),
    ],
)
def test_known_weight_names_are_references(scan, code, expected):
    d = scan({"app.py": code + "\n"})
    assert found(d) == [expected]


def test_unknown_host_url_is_a_file_component_with_its_url(scan):
    d = scan({"app.py": "fetch('https://github.com/someone/restorer/releases/download/v0.1.0/restorer_x4.pth')\n"
                        "fetch('https://example.com/weights/model.pth')\n"
                        # a release of a library whose weights have ids of their own (models.yaml weight_urls)
                        "fetch('https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth')\n"})
    assert [(m.loader, m.name, m.variant, m.url, m.found_by) for m in d.models] == [
        ("file", "restorer_x4.pth", "pth", "https://github.com/someone/restorer/releases/download/v0.1.0/restorer_x4.pth", "name"),
        ("realesrgan", "RealESRGAN_x4plus.pth", None,
         "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth", "name"),
    ]


@pytest.mark.parametrize(
    "code",
    [
        "print('use yolov8n.pt for speed')",
        "print(f'loading {x}', 'yolov8n.pt')",
        "import logging\nlogging.info('downloading yolov8n.pt')",
        "import logging\nlog = logging.getLogger()\nlog.warning('yolov8n.pt is old')",
        "import warnings\nwarnings.warn('yolov8n.pt is deprecated')",
        "raise ValueError('yolov8n.pt is not supported')",
        "raise RuntimeError(describe('yolov8n.pt'))",
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--out', help='e.g. yolov8n.pt')",
        "import click\n@click.option('--w', help='weights such as yolov8n.pt')\ndef main(w): ...",
        "'''Use yolov8n.pt or https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11x.pt.'''",
        "# YOLO('yolov8n.pt')",
        "x = 'yolov8n.pt'",
        "name = 'my_custom.pt'",
        "labels = {'small': 'yolov8n.pt'}",
        "s = 'yolov8n.pt is the default'",
        # Writes name where weights go (yolov7 tools/reparameterization.ipynb), not what loads.
        "import torch\ntorch.save(ckpt, 'cfg/deploy/yolov8n.pt')",
        "model.export_to('yolov8n.onnx')",
    ],
)
def test_messages_comments_and_plain_strings_are_not_loads(scan, code):
    d = scan({"app.py": code + "\n", "README.md": "Run `YOLO('yolov8n.pt')`.\n"})
    assert d.models == [] and d.unresolved == []


def test_a_weight_named_where_a_loader_loads_it_is_reported_at_the_load_only(scan):
    d = scan({
        "settings.py": "WEIGHTS = 'yolov8n.pt'\n",
        "app.py": "from ultralytics import YOLO\nfrom settings import WEIGHTS\nm = YOLO(WEIGHTS)\n",
    })
    assert [(m.location.path, m.location.line, m.found_by) for m in d.models] == [("app.py", 3, "loader")]


def test_arguments_of_a_loader_call_are_the_loader_s(scan):
    d = scan({"app.py": "from huggingface_hub import hf_hub_download\np = hf_hub_download('Ultralytics/YOLOv8', 'yolov8n.pt')\n"})
    assert [(m.loader, m.name, m.variant, m.found_by) for m in d.models] == [("huggingface", "Ultralytics/YOLOv8", "yolov8n.pt", "loader")]


def test_a_file_that_imports_no_loader_library_is_still_read_for_names(scan):
    d = scan({"app.py": "import detkit\nDETECTOR = 'yolov8s.pt'\n", "other.py": "import json\nx = json.loads('{}')\n"})
    assert [(m.name, m.found_by) for m in d.models] == [("yolov8s.pt", "name")]


# ------------------------------------------------------------------------------ unnamed callables


@pytest.mark.parametrize(
    ("code", "expression", "reason"),
    [
        ("import torchvision\ndef build(zoo, arch):\n    return getattr(zoo, arch)(pretrained=True)",
         "getattr(zoo, arch)(pretrained=True)", "pretrained= passed to getattr()(), a callable the analysis cannot name"),
        ("import torchvision\ndef build(model_fn, w):\n    return model_fn(weights=w)", "model_fn(weights=w)",
         "weights= passed to model_fn(), a callable the analysis cannot name"),
        ("import torch\nfactory = REGISTRY['det']\nm = factory(checkpoint='best.pt')\nsd = torch.load('x.pth')", "factory(checkpoint='best.pt')",
         "checkpoint= passed to factory(), a callable the analysis cannot name"),
    ],
)
def test_weight_keywords_to_unnamed_callables_are_unresolved(scan, code, expression, reason):
    d = scan({"app.py": code + "\n"})
    assert [(u.loader, u.expression, u.reason) for u in d.unresolved] == [("unknown", expression, reason)]


@pytest.mark.parametrize(
    "code",
    [
        "import torch\nnet = make(weights=None)",
        "import torch\nnet = make(pretrained=False)",
        "import torch\ndef build(pretrained=True):\n    return build_inner(pretrained=pretrained)\ndef build_inner(pretrained): ...",
        "import torch\nclass M:\n    def f(self):\n        return self.make(pretrained=True)",
        "import torch\nclass M(Base):\n    def __init__(self):\n        super().__init__(weights='x')",
        "import numpy as np\nm = np.average(x, weights=w)",
        "import torch\nm = make(weights='yolov8n.pt')",
    ],
)
def test_weight_keywords_that_are_off_named_or_known_are_not_unresolved(scan, code):
    d = scan({"app.py": code + "\n"})
    assert d.unresolved == []
