"""Values and wrapper functions followed across the project's own modules (never imported or run)."""

from __future__ import annotations


def models(d):
    return [(m.loader, m.name, m.location.path, m.location.line) for m in d.models]


def test_settings_module_constants_across_imports(scan):
    d = scan({
        "app/__init__.py": "",
        "app/settings.py": 'import os\nWEIGHTS = "yolov8n.pt"\nARCH = "resnet" + "50"\nHF = os.getenv("HF_MODEL", "google/vit-base-patch16-224")\n',
        "app/main.py": '''
            from ultralytics import YOLO
            import timm
            from transformers import AutoModel
            from app import settings
            from app.settings import ARCH
            from .settings import WEIGHTS as W
            import app.settings as cfg
            YOLO(settings.WEIGHTS)
            timm.create_model(ARCH, pretrained=True)
            YOLO(W)
            AutoModel.from_pretrained(cfg.HF)
            YOLO(settings.MISSING)
            ''',
    })
    assert models(d) == [
        ("ultralytics", "yolov8n.pt", "app/main.py", 9),
        ("timm", "resnet50", "app/main.py", 10),
        ("ultralytics", "yolov8n.pt", "app/main.py", 11),
        ("huggingface", "google/vit-base-patch16-224", "app/main.py", 12),
    ]
    assert d.models[3].api.endswith("[default of environment variable HF_MODEL]")
    assert [(u.expression, u.reason) for u in d.unresolved] == [
        ("settings.MISSING", "not a constant ('MISSING' is not defined in app/settings.py)")
    ]


def test_third_party_module_with_same_attribute_is_not_followed(scan):
    d = scan({"app.py": "from ultralytics import YOLO\nimport config\nYOLO(config.WEIGHTS)\n"})
    assert d.models == []
    assert [u.expression for u in d.unresolved] == ["config.WEIGHTS"]


def test_src_layout_and_reexport(scan):
    d = scan({
        "pyproject.toml": "[project]\nname = 'pkg'\n",
        "src/pkg/__init__.py": "from .consts import MODEL\n",
        "src/pkg/consts.py": 'MODEL = "openai/clip-vit-base-patch32"\n',
        "src/pkg/run.py": "from transformers import CLIPModel\nfrom pkg import MODEL\nCLIPModel.from_pretrained(MODEL)\n",
    })
    assert models(d) == [("huggingface", "openai/clip-vit-base-patch32", "src/pkg/run.py", 3)]


def test_wrapper_function_call_sites_become_loads(scan):
    d = scan({
        "lib/__init__.py": "",
        "lib/loading.py": '''
            from ultralytics import YOLO
            def load(name):
                return YOLO(name)
            def load_default(name="yolo11n.pt", *, verbose=False):
                return YOLO(name)
            def fixed():
                return YOLO("rtdetr-l.pt")
            ''',
        # This file never spells a loader library: the wrapper calls make it worth a full analysis.
        "main.py": '''
            from lib.loading import load, load_default, fixed
            from lib import loading
            WEIGHTS = "best.pt"
            a = load("yolov8n.pt")
            b = loading.load(WEIGHTS)
            c = load_default()
            e = load(compute())
            f = fixed()
            ''',
    })
    assert models(d) == [
        ("ultralytics", "rtdetr-l.pt", "lib/loading.py", 8),
        ("ultralytics", "yolov8n.pt", "main.py", 5),
        ("ultralytics", "best.pt", "main.py", 6),
        ("ultralytics", "yolo11n.pt", "main.py", 7),
    ]
    assert d.models[1].api == "ultralytics.YOLO via load()"
    # The wrapper's own "argument is a function parameter" is replaced by its call sites.
    assert [(u.location.path, u.location.line, u.expression, u.reason) for u in d.unresolved] == [
        ("main.py", 8, "compute()", "not a constant (result of a call)")
    ]


def test_wrapper_of_wrapper_and_class_constructor(scan):
    d = scan({
        "models.py": '''
            import timm
            def backbone(arch, pretrained=True):
                return timm.create_model(arch, pretrained=pretrained)
            def classifier(arch):
                return backbone(arch)
            class Detector:
                def __init__(self, arch="resnet50"):
                    self.net = backbone(arch)
            ''',
        "run.py": '''
            from models import classifier, Detector
            classifier("convnext_tiny")
            Detector()
            Detector(arch="vit_small_patch16_224")
            ''',
    })
    assert models(d) == [
        ("timm", "convnext_tiny", "run.py", 3),
        ("timm", "resnet50", "run.py", 4),
        ("timm", "vit_small_patch16_224", "run.py", 5),
    ]
    assert d.models[0].api == "timm.create_model via classifier() -> backbone()"
    assert d.unresolved == []


def test_uncalled_wrapper_keeps_its_own_reference(scan):
    d = scan({"lib.py": "from ultralytics import YOLO\ndef load(name):\n    return YOLO(name)\n"})
    assert [(u.location.line, u.reason) for u in d.unresolved] == [(3, "argument is a function parameter")]


def test_local_function_named_load_in_another_module_is_not_the_wrapper(scan):
    d = scan({
        "lib.py": "from ultralytics import YOLO\ndef load(name):\n    return YOLO(name)\n",
        "other.py": "def load(x):\n    return open(x)\nload('data.txt')\n",
    })
    assert d.models == []
    assert [(u.location.path, u.reason) for u in d.unresolved] == [("lib.py", "argument is a function parameter")]


def test_import_cycle_does_not_hang(scan):
    d = scan({
        "a.py": "from b import X\nY = X\nimport timm\ntimm.create_model(Y, pretrained=True)\n",
        "b.py": "from a import Y\nX = Y\n",
    })
    assert d.models == [] and len(d.unresolved) == 1


def test_notebook_uses_project_module_constant(scan):
    import json

    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": ["from ultralytics import YOLO\n", "from app.settings import WEIGHTS\n", "YOLO(WEIGHTS)\n"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    d = scan({"app/__init__.py": "", "app/settings.py": "WEIGHTS = 'yolov8m.pt'\n", "demo.ipynb": json.dumps(nb, indent=1)})
    assert [(m.name, m.location.cell, m.location.cell_line) for m in d.models] == [("yolov8m.pt", 0, 3)]


def test_wrapper_of_wrapper_in_a_module_without_loader_imports(scan):
    files = {
        "a.py": "import timm\ndef wrap(x):\n    return timm.create_model(x, pretrained=True)\n",
        "b.py": "from a import wrap\ndef wrap2(y):\n    return wrap(y)\n",
        # c imports a loader library itself, so it is analyzed in the first round, before b is known as a wrapper.
        "c.py": "import timm\nfrom b import wrap2\nwrap2('resnet18')\n",
        "d.py": "from b import wrap2\nwrap2('resnet34')\n",
    }
    d = scan(files)
    assert [(m.name, m.location.path, m.api) for m in d.models] == [
        ("resnet18", "c.py", "timm.create_model via wrap2() -> wrap()"),
        ("resnet34", "d.py", "timm.create_model via wrap2() -> wrap()"),
    ]
    assert d.unresolved == []
    assert scan(files) == d  # warm


def test_from_pretrained_of_a_project_class_defined_in_another_module(scan):
    d = scan({
        "depth_anything/__init__.py": "",
        "depth_anything/dpt.py": "import torch.nn as nn\nfrom huggingface_hub import PyTorchModelHubMixin\nclass DepthAnything(nn.Module, PyTorchModelHubMixin):\n    pass\n",
        "app.py": "import torch\nfrom depth_anything.dpt import DepthAnything\nmodel = DepthAnything.from_pretrained('LiheYoung/depth_anything_vitl14')\n",
    })
    assert [(m.location.path, m.loader, m.name) for m in d.models] == [("app.py", "huggingface", "LiheYoung/depth_anything_vitl14")]
