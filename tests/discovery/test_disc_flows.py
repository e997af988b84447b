"""Value flows real projects use: class attributes through classmethods, tables of constructors, parametrize lists,
command-line/settings/config defaults, module-level instances, each with where the value is written (origins)."""

from __future__ import annotations


def refs(d):
    return sorted((m.loader, m.name, m.variant, m.location.path, m.location.line) for m in d.models)


def origins(d, name):
    return sorted({(o.path, o.line) for m in d.models if m.name == name for o in m.origins})


def unresolved(d):
    return [(u.location.line, u.expression, u.reason) for u in d.unresolved]


CLASSMETHODS = '''
    import os
    from ultralytics import YOLO

    ROOT = os.path.dirname(os.path.abspath(__file__))


    class BaseDetector:
        model_path = None

        @classmethod
        def load(cls):
            return cls._load_file(cls.model_path)

        @classmethod
        def _load_file(cls, filename):
            path = os.path.join(ROOT, filename)
            return cls._build(path)

        @classmethod
        def _build(cls, path):
            return YOLO(path)


    class FaceDetector(BaseDetector):
        model_path = "yolov8n-face.pt"


    class PersonDetector(BaseDetector):
        model_path = "yolov8s.pt"
    '''


def test_class_attribute_through_three_classmethods_and_a_path_join(scan):
    d = scan({"detect/models.py": CLASSMETHODS})
    # Each subclass's value is a candidate; the base's None is a placeholder, not a load; the file name carries
    # the id through os.path.join with the module's folder.
    assert refs(d) == [
        ("ultralytics", "detect/yolov8n-face.pt", "YOLO", "detect/models.py", 13),
        ("ultralytics", "detect/yolov8s.pt", "YOLO", "detect/models.py", 13),
    ]
    assert origins(d, "detect/yolov8n-face.pt") == [("detect/models.py", 26)]
    assert origins(d, "detect/yolov8s.pt") == [("detect/models.py", 30)]
    assert all("via BaseDetector._load_file() -> BaseDetector._build()" in m.api for m in d.models)
    assert d.unresolved == []


def test_class_attribute_no_class_sets_is_unresolved(scan):
    d = scan({"models.py": CLASSMETHODS.replace("model_path = \"yolov8n-face.pt\"", "pass")
              .replace("model_path = \"yolov8s.pt\"", "pass").replace("model_path = None", "model_path = make()")})
    assert d.models == []
    # ``path`` is the wrapper's parameter: what makes it unresolved is the value the call passes.
    assert [(line, expr) for line, expr, _ in unresolved(d)] == [(13, "path")]


def test_static_and_class_methods_are_wrappers(scan):
    d = scan({
        "lib/factory.py": '''
            from ultralytics import YOLO
            import timm

            class Factory:
                @staticmethod
                def make(name):
                    return YOLO(name)

                @classmethod
                def backbone(cls, arch="resnet18"):
                    return timm.create_model(arch, pretrained=True)

                @staticmethod
                def fixed():
                    return YOLO("yolo11n.pt")
            ''',
        "app.py": '''
            import os
            from lib.factory import Factory
            a = Factory.make("yolov8m.pt")
            b = Factory.backbone("convnext_tiny")
            c = Factory.backbone()
            d = Factory.make(os.environ["WEIGHTS"])
            ''',
    })
    assert refs(d) == [
        ("timm", "convnext_tiny", None, "app.py", 5),
        ("timm", "resnet18", None, "app.py", 6),
        ("ultralytics", "yolo11n.pt", "YOLO", "lib/factory.py", 16),  # a constant load stays where it is written
        ("ultralytics", "yolov8m.pt", "YOLO", "app.py", 4),
    ]
    assert [(line, reason) for line, _, reason in unresolved(d)] == [(7, "read from environment variable WEIGHTS at run time (no default)")]


def test_constructors_held_in_a_table_keep_their_rows_together(scan):
    d = scan({"bench.py": '''
        from torchvision import models
        import os

        TABLE = [
            (models.regnet_y_16gf, "IMAGENET1K_SWAG_E2E_V1"),
            (models.resnet50, "IMAGENET1K_V2"),
        ]
        for ctor, w in TABLE:
            ctor(weights=w)

        BUILDERS = {"vit": models.vit_b_16, "swin": models.swin_t}
        for name, build in BUILDERS.items():
            build(weights="DEFAULT")

        for ctor in get_models():
            ctor(weights="DEFAULT")
        '''})
    # One reference per row, never a constructor paired with another row's weights.
    assert refs(d) == [
        ("torchvision", "regnet_y_16gf", "IMAGENET1K_SWAG_E2E_V1", "bench.py", 10),
        ("torchvision", "resnet50", "IMAGENET1K_V2", "bench.py", 10),
        ("torchvision", "swin_t", "DEFAULT", "bench.py", 14),
        ("torchvision", "vit_b_16", "DEFAULT", "bench.py", 14),
    ]
    assert origins(d, "regnet_y_16gf") == [("bench.py", 6)]
    assert origins(d, "resnet50") == [("bench.py", 7)]
    # A constructor from rows nobody can list: its weights= keyword is listed, not dropped.
    assert [(line, expr) for line, expr, _ in unresolved(d)] == [(17, 'ctor(weights="DEFAULT")')]


def test_loop_over_a_literal_and_over_a_runtime_value(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO
        for w in ["yolov8n.pt", "yolov8s.pt"]:
            YOLO(w)
        for w in load_list():
            YOLO(w)
        '''})
    assert refs(d) == [("ultralytics", "yolov8n.pt", "YOLO", "app.py", 4), ("ultralytics", "yolov8s.pt", "YOLO", "app.py", 4)]
    assert [(line, expr) for line, expr, _ in unresolved(d)] == [(6, "w")]


def test_parametrize_values_bind_the_test_parameters(scan):
    d = scan({"tests/test_models.py": '''
        import pytest
        import timm
        from ultralytics import YOLO

        WEIGHTS = ["yolov8n.pt", "yolov8s.pt"]

        @pytest.mark.parametrize("weights", WEIGHTS)
        def test_yolo(weights):
            YOLO(weights)

        @pytest.mark.parametrize("arch,tag", [("resnet50", "a1_in1k"), pytest.param("vit_small_patch16_224", "augreg_in21k", id="vit")])
        def test_timm(arch, tag):
            timm.create_model(f"{arch}.{tag}", pretrained=True)

        @pytest.mark.parametrize("weights", read_list())
        def test_unknown(weights):
            YOLO(weights)
        '''})
    assert refs(d) == [
        ("timm", "resnet50.a1_in1k", None, "tests/test_models.py", 14),
        ("timm", "vit_small_patch16_224.augreg_in21k", None, "tests/test_models.py", 14),
        ("ultralytics", "yolov8n.pt", "YOLO", "tests/test_models.py", 10),
        ("ultralytics", "yolov8s.pt", "YOLO", "tests/test_models.py", 10),
    ]
    assert origins(d, "yolov8n.pt") == [("tests/test_models.py", 6)]
    assert [(line, expr) for line, expr, _ in unresolved(d)] == [(18, "weights")]


def test_table_indexed_by_a_parameter_with_a_default_gives_every_entry(scan):
    d = scan({"app.py": '''
        import timm
        ARCHS = {"small": "resnet18", "large": "vit_base_patch16_224"}
        def build(kind="small"):
            return timm.create_model(ARCHS[kind], pretrained=True)
        fixed = timm.create_model(ARCHS["large"], pretrained=True)
        '''})
    # The default picks one entry, but a caller may pass any key: every entry is possible.
    assert refs(d) == [
        ("timm", "resnet18", None, "app.py", 5),
        ("timm", "vit_base_patch16_224", None, "app.py", 5),
        ("timm", "vit_base_patch16_224", None, "app.py", 6),
    ]


def test_cli_default_passed_through_main(scan):
    d = scan({"detector.py": '''
        import argparse
        from ultralytics import YOLO

        def main(weights):
            model = YOLO(weights)
            return model

        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--weights", default="yolov8s.pt", help="model weights")
            args = parser.parse_args()
            main(weights=args.weights)
        '''})
    assert refs(d) == [("ultralytics", "yolov8s.pt", "YOLO", "detector.py", 13)]
    (m,) = d.models
    assert m.api == "ultralytics.YOLO via main() [default of command-line option --weights]"
    assert [(o.path, o.line, o.snippet) for o in m.origins] == [
        ("detector.py", 11, 'parser.add_argument("--weights", default="yolov8s.pt", help="model weights")')]


def test_settings_and_dataclass_defaults_through_module_level_instances(scan):
    d = scan({
        "app/__init__.py": "",
        "app/config.py": '''
            import os
            from dataclasses import dataclass, field
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                detector_weights: str = "yolo11s.pt"
                other: str = os.environ["OTHER"]

            settings = Settings()

            @dataclass
            class Config:
                weights: str = field(default="yolov8n.pt")
                backup: str = "yolov8m.pt"

            config = Config(backup="yolov8l.pt")
            ''',
        "app/main.py": '''
            from ultralytics import YOLO
            from app.config import settings, config, Config
            YOLO(settings.detector_weights)
            YOLO(config.weights)
            YOLO(config.backup)
            YOLO(Config("yolo11x.pt").weights)
            YOLO(settings.other)
            ''',
    })
    assert refs(d) == [
        ("ultralytics", "yolo11s.pt", "YOLO", "app/main.py", 4),
        ("ultralytics", "yolo11x.pt", "YOLO", "app/main.py", 7),
        ("ultralytics", "yolov8l.pt", "YOLO", "app/main.py", 6),
        ("ultralytics", "yolov8n.pt", "YOLO", "app/main.py", 5),
    ]
    by_name = {m.name: m for m in d.models}
    assert "default of settings field 'detector_weights'" in by_name["yolo11s.pt"].api
    assert origins(d, "yolo11s.pt") == [("app/config.py", 7)]
    assert origins(d, "yolov8n.pt") == [("app/config.py", 14)]
    assert origins(d, "yolov8l.pt") == [("app/config.py", 17)]
    assert [(line, reason) for line, _, reason in unresolved(d)] == [(8, "read from environment variable OTHER at run time (no default)")]


def test_attributes_of_module_level_instances(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO

        class Detector:
            def __init__(self, weights="yolov8n.pt", device="cpu"):
                self.weights = weights
                self.device = device

            def model(self):
                return YOLO(self.weights)

        det = Detector(weights="yolo11m.pt")
        plain = Detector()
        YOLO(det.weights)
        YOLO(plain.weights)
        YOLO(det.device + ".pt")
        '''})
    # ``self.weights`` inside the class is the constructor's default (or any caller's value): reported there.
    assert ("ultralytics", "yolo11m.pt", "YOLO", "app.py", 14) in refs(d)
    assert ("ultralytics", "yolov8n.pt", "YOLO", "app.py", 15) in refs(d)
    assert ("ultralytics", "cpu.pt", "YOLO", "app.py", 16) in refs(d)
    assert origins(d, "yolo11m.pt") == [("app.py", 12)]


def test_hydra_config_and_omegaconf_load(scan):
    d = scan({
        "train.py": '''
            import hydra
            from omegaconf import OmegaConf
            from ultralytics import YOLO

            @hydra.main(config_path="conf", config_name="config", version_base=None)
            def train(cfg):
                model = YOLO(cfg.model.weights)
                YOLO(cfg.model.missing)

            extra = OmegaConf.load("settings.yaml")
            YOLO(extra.detector.weights)
            YOLO(OmegaConf.load("absent.yaml").weights)
            ''',
        "conf/config.yaml": "defaults:\n  - model: big\n  - _self_\ntrainer:\n  epochs: 3\n",
        "conf/model/big.yaml": "weights: yolo11x.pt\n",
        "settings.yaml": "detector:\n  weights: yolov8m.pt\n",
    })
    hydra = [m for m in d.models if m.location.path == "train.py"]
    assert sorted((m.name, m.location.line) for m in hydra) == [("yolo11x.pt", 8), ("yolov8m.pt", 12)]
    assert origins(d, "yolo11x.pt") == [("conf/model/big.yaml", 1)]
    assert [m.api for m in hydra if m.name == "yolo11x.pt"] == ["ultralytics.YOLO [Hydra config value; a command-line override may replace it]"]
    assert [(line, reason) for line, _, reason in unresolved(d)] == [
        (9, "key 'missing' is not in the literal"),
        (13, "config file absent.yaml is not in the project"),
    ]


def test_hydra_config_change_invalidates_the_cached_result(scan, tmp_path):
    files = {
        "train.py": '''
            import hydra
            from ultralytics import YOLO

            @hydra.main(config_path="conf", config_name="config")
            def train(cfg):
                YOLO(cfg.weights)
            ''',
        "conf/config.yaml": "weights: yolov8n.pt\n",
    }
    assert [m.name for m in scan(files).models if m.location.path == "train.py"] == ["yolov8n.pt"]
    files["conf/config.yaml"] = "weights: yolo11l.pt\n"
    assert [m.name for m in scan(files).models if m.location.path == "train.py"] == ["yolo11l.pt"]


def test_straight_line_rebinding_uses_the_binding_in_effect(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO
        W = "yolov8n.pt"
        YOLO(W)
        W = "yolov8s.pt"
        YOLO(W)
        def f(flag):
            w = "yolo11n.pt"
            if flag:
                w = "yolo11s.pt"
            return YOLO(w)
        '''})
    assert refs(d) == [
        ("ultralytics", "yolo11n.pt", "YOLO", "app.py", 11),
        ("ultralytics", "yolo11s.pt", "YOLO", "app.py", 11),
        ("ultralytics", "yolov8n.pt", "YOLO", "app.py", 4),
        ("ultralytics", "yolov8s.pt", "YOLO", "app.py", 6),
    ]


def test_method_passing_its_parameter_on_keeps_the_load_line(scan):
    d = scan({"seg.py": '''
        from ultralytics import YOLO
        MODELS = {"small": {"weights": "yolov8n.pt"}, "large": {"weights": "yolov8x.pt"}}

        class Segmenter:
            def __init__(self, name):
                self._init(name)

            def _init(self, name):
                self.model = YOLO(MODELS[name]["weights"])

            def switch(self, name):
                self._init(name)

        seg = Segmenter("small")
        '''})
    # The constructor call supplies "small"; switch() passes any name on, so the load line keeps every entry.
    assert refs(d) == [
        ("ultralytics", "yolov8n.pt", "YOLO", "seg.py", 10),
        ("ultralytics", "yolov8n.pt", "YOLO", "seg.py", 15),
        ("ultralytics", "yolov8x.pt", "YOLO", "seg.py", 10),
    ]
    assert origins(d, "yolov8x.pt") == [("seg.py", 3)]


def test_forwarding_wrappers_give_way_to_a_call_with_a_value(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO

        def build(path):
            return YOLO(path)

        def load(path):
            return build(path)

        load("yolo11s.pt")
        '''})
    assert refs(d) == [("ultralytics", "yolo11s.pt", "YOLO", "app.py", 10)]
    assert d.unresolved == []


def test_keyword_arguments_spread_from_a_local_mapping(scan):
    # sahi's demo/inference_with_batch_slicing.ipynb: common = dict(model_type="ultralytics", ...) then
    # AutoDetectionModel.from_pretrained(model_path="yolo26n.pt", **common): the dispatch argument is in the mapping.
    d = scan(
        {
            "bench.py": """\
                from sahi import AutoDetectionModel
                from transformers import AutoModel

                DEVICE = "cpu"
                common = dict(model_type="ultralytics", confidence_threshold=0.3, device=DEVICE)
                a = AutoDetectionModel.from_pretrained(model_path="yolo26n.pt", **common)
                opts = {"model_type": "yolov5", "device": DEVICE}
                b = AutoDetectionModel.from_pretrained(model_path="yolov5s.pt", **opts)
                hub = {"pretrained_model_name_or_path": "facebook/dinov2-small"}
                c = AutoModel.from_pretrained(**hub)


                def build(**kw):
                    return AutoDetectionModel.from_pretrained(model_path="yolov8n.pt", **kw)
                """,
        }
    )
    assert refs(d) == [
        ("huggingface", "facebook/dinov2-small", None, "bench.py", 10),
        ("ultralytics", "yolo26n.pt", None, "bench.py", 6),
        ("yolov5", "yolov5s.pt", None, "bench.py", 8),
    ]
    # A ``**kw`` parameter with no caller: the mapping is not known, the call is listed as unresolved.
    assert [line for line, _, _ in unresolved(d)] == [14]


def test_functools_partial_of_a_loader(scan):
    # The partial's bound arguments join the call's (pretrained=True here decides that timm loads weights); a
    # keyword of the call wins over the partial's; a partial bound inside a function follows its parameter.
    d = scan({"app.py": """
import functools
from functools import partial

import timm
from ultralytics import YOLO

make = partial(timm.create_model, pretrained=True)
a = make("resnet50.fb_swsl_ig1b_ft_in1k")
off = functools.partial(timm.create_model, pretrained=False)
b = off("convnextv2_atto.fcmae")
c = off("vit_small_patch14_dinov2.lvd142m", pretrained=True)
detector = functools.partial(YOLO, "yolov8x.pt")
d = detector(task="detect")


def build(name):
    fn = partial(timm.create_model, name)
    return fn(pretrained=True)


build("convnextv2_nano.fcmae")
"""})
    assert refs(d) == [
        ("timm", "convnextv2_nano.fcmae", None, "app.py", 22),
        ("timm", "resnet50.fb_swsl_ig1b_ft_in1k", None, "app.py", 9),
        ("timm", "vit_small_patch14_dinov2.lvd142m", None, "app.py", 12),
        ("ultralytics", "yolov8x.pt", "YOLO", "app.py", 14),
    ]
    assert not unresolved(d)


def test_conditional_fallback_to_a_constant_is_a_replaceable_default(scan):
    # ``argv[1] if ... else "x.pt"`` and ``env or "x.pt"``: the constant is what the shipped code loads when nothing is
    # given at run time (as with ``os.getenv(name, default)``); a None fallback or two run-time branches stay unresolved.
    d = scan({"run.py": """
import os
import sys

import timm
from ultralytics import YOLO

a = YOLO(sys.argv[1] if len(sys.argv) > 1 else "yolov8n.pt")
b = YOLO(os.environ.get("WEIGHTS") or "yolov8s.pt")
c = timm.create_model(os.environ["ARCH"] if "ARCH" in os.environ else "convnextv2_atto.fcmae", pretrained=True)
d = YOLO(sys.argv[2] if len(sys.argv) > 2 else None)
e = YOLO(sys.argv[3] if len(sys.argv) > 3 else os.environ["W"])
"""})
    assert refs(d) == [
        ("timm", "convnextv2_atto.fcmae", None, "run.py", 10),
        ("ultralytics", "yolov8n.pt", "YOLO", "run.py", 8),
        ("ultralytics", "yolov8s.pt", "YOLO", "run.py", 9),
    ]
    assert [line for line, _, _ in unresolved(d)] == [11, 12]


def test_table_of_constructors_read_with_a_parameter_key(scan):
    # ``BACKBONES[key](weights=WEIGHTS[key])``: each key of the table is one call, so the constructor and its weights
    # stay paired (the SWAG weights of the regnet entry, not regnet x every weight); the same through a local alias.
    d = scan({"backbones.py": """
from torchvision import models

BACKBONES = {"r50": models.resnet50, "swag": models.regnet_y_16gf}
WEIGHTS = {"r50": "IMAGENET1K_V2", "swag": "IMAGENET1K_SWAG_E2E_V1"}


def build(key):
    return BACKBONES[key](weights=WEIGHTS[key])


def build_alias(name="r50"):
    ctor = BACKBONES[name]
    return ctor(weights="DEFAULT")


fixed = BACKBONES["swag"](weights="IMAGENET1K_SWAG_LINEAR_V1")
"""})
    assert refs(d) == [
        ("torchvision", "regnet_y_16gf", "DEFAULT", "backbones.py", 14),
        ("torchvision", "regnet_y_16gf", "IMAGENET1K_SWAG_E2E_V1", "backbones.py", 9),
        ("torchvision", "regnet_y_16gf", "IMAGENET1K_SWAG_LINEAR_V1", "backbones.py", 17),
        ("torchvision", "resnet50", "DEFAULT", "backbones.py", 14),
        ("torchvision", "resnet50", "IMAGENET1K_V2", "backbones.py", 9),
    ]
    assert not unresolved(d)


def test_names_unpacked_from_a_table_entry(scan):
    # ``weights, conf = PRESETS[mode]`` (every entry possible for a run-time key) and ``ctor, w = MODELS[name]``
    # (one call per entry: the constructor keeps its own weights); a literal tuple still binds item by item.
    d = scan({"presets.py": """
from torchvision import models
from ultralytics import YOLO

PRESETS = {"fast": ("yolov8n.pt", 0.25), "accurate": ("yolov8x.pt", 0.5)}
MODELS = {"r50": (models.resnet50, "IMAGENET1K_V2"), "swag": (models.regnet_y_16gf, "IMAGENET1K_SWAG_E2E_V1")}


def detector(mode="fast"):
    weights, conf = PRESETS[mode]
    return YOLO(weights)


def backbone(name):
    ctor, w = MODELS[name]
    return ctor(weights=w)


path, threshold = ("yolov8m.pt", 0.3)
m = YOLO(path)
"""})
    assert refs(d) == [
        ("torchvision", "regnet_y_16gf", "IMAGENET1K_SWAG_E2E_V1", "presets.py", 16),
        ("torchvision", "resnet50", "IMAGENET1K_V2", "presets.py", 16),
        ("ultralytics", "yolov8m.pt", "YOLO", "presets.py", 20),
        ("ultralytics", "yolov8n.pt", "YOLO", "presets.py", 11),
        ("ultralytics", "yolov8x.pt", "YOLO", "presets.py", 11),
    ]
    assert not unresolved(d)


def test_names_unpacked_from_a_call_stay_where_the_load_is(scan):
    # timm's builder: ``load_from, loc = _resolve_source(cfg)`` then a download of ``loc``. Unpacking what the call
    # returns made the builder a wrapper of every model factory: thousands of entries at the factories, none known.
    factories = "\n".join(f"def model_{i}(pretrained=False):\n    return build(CFGS['m{i}'], pretrained)\n" for i in range(5))
    d = scan({"builder.py": """
import torch


def _resolve_source(cfg):
    if cfg.get("hf_hub_id"):
        return "hf-hub", cfg["hf_hub_id"]
    return "url", cfg.get("url")


def build(cfg, pretrained):
    load_from, loc = _resolve_source(cfg)
    if pretrained:
        return torch.hub.load_state_dict_from_url(loc)
""", "models.py": "from builder import build\nCFGS = {}\n" + factories})
    assert {u.location.path for u in d.unresolved} == {"builder.py"}
    assert len(d.unresolved) == 1
