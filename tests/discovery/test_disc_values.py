"""Value tracking inside one module: containers, classes, defaults, environment and command-line options."""

from __future__ import annotations


def refs(d):
    return [(m.loader, m.name, m.location.line) for m in d.models]


def unresolved(d):
    return [(u.expression, u.reason, u.candidates) for u in d.unresolved]


def test_dict_indexed_by_runtime_key_reports_every_candidate(scan):
    d = scan({"app.py": '''
        import timm
        BACKBONES = {"small": "resnet18", "large": "vit_base_patch16_224"}
        def build(kind):
            return timm.create_model(BACKBONES[kind], pretrained=True)
        fixed = timm.create_model(BACKBONES["small"], pretrained=True)
        '''})
    assert refs(d) == [("timm", "resnet18", 5), ("timm", "vit_base_patch16_224", 5), ("timm", "resnet18", 6)]
    apis = [m.api for m in d.models]
    assert apis[0] == apis[1] == "timm.create_model [one of resnet18, vit_base_patch16_224 for BACKBONES[kind]]"
    assert apis[2] == "timm.create_model"
    assert d.unresolved == []


def test_list_tuple_get_and_conditional_candidates(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO
        NAMES = ["yolov8n.pt", "yolov8s.pt"]
        TABLE = {"a": "yolo11n.pt"}
        def f(i, k, flag):
            YOLO(NAMES[i])
            YOLO(TABLE.get(k, "yolo11s.pt"))
            YOLO("rtdetr-l.pt" if flag else "yolo11m.pt")
            YOLO(NAMES[0])
        '''})
    assert sorted(m.name for m in d.models) == sorted(
        ["yolov8n.pt", "yolov8s.pt", "yolo11n.pt", "yolo11s.pt", "rtdetr-l.pt", "yolo11m.pt", "yolov8n.pt"])
    assert d.unresolved == []


def test_container_with_unknown_member_is_unresolved_with_the_known_candidates(scan):
    d = scan({"app.py": '''
        import timm, os
        CHOICES = {"a": "resnet18", "b": os.environ["ARCH"]}
        def f(k):
            return timm.create_model(CHOICES[k], pretrained=True)
        '''})
    assert refs(d) == []
    ((expr, reason, cands),) = unresolved(d)
    assert expr == "CHOICES[k]" and cands == ("resnet18",) and "environment variable ARCH" in reason


def test_concatenation_fstrings_and_path_joins_with_candidates(scan):
    d = scan({"app.py": '''
        from pathlib import Path
        import os
        from ultralytics import YOLO
        import timm
        ROOT = Path("weights")
        SIZE = {"n": "n", "s": "s"}
        def f(k):
            YOLO(ROOT / "best.pt")
            YOLO(os.path.join("models", "yolo", "last.pt"))
            YOLO(f"yolov8{SIZE[k]}.pt")
            timm.create_model("vit_base" + "_patch16_224", pretrained=True)
            YOLO(ROOT / k)
        '''})
    assert [m.name for m in d.models] == ["weights/best.pt", "models/yolo/last.pt", "yolov8n.pt", "yolov8s.pt", "vit_base_patch16_224"]
    assert [u.expression for u in d.unresolved] == ['ROOT / k']


def test_environment_defaults_are_reported_as_defaults(scan):
    d = scan({"app.py": '''
        import os
        from ultralytics import YOLO
        from transformers import pipeline
        MODEL = os.getenv("MODEL", "yolov8n.pt")
        a = YOLO(MODEL)
        b = pipeline("image-classification", model=os.environ.get("CLF", "google/vit-base-patch16-224"))
        c = YOLO(os.environ["WEIGHTS"])
        e = YOLO(os.getenv("OTHER"))
        '''})
    assert [(m.name, m.api) for m in d.models] == [
        ("yolov8n.pt", "ultralytics.YOLO [default of environment variable MODEL]"),
        ("google/vit-base-patch16-224", "transformers.pipeline [default of environment variable CLF]"),
    ]
    assert [(u.expression, u.reason) for u in d.unresolved] == [
        ('os.environ["WEIGHTS"]', "read from environment variable WEIGHTS at run time (no default)"),
        ('os.getenv("OTHER")', "read from environment variable OTHER at run time (no default)"),
    ]


def test_lookalike_getenv_is_not_an_environment_read(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO
        from mycfg import getenv
        YOLO(getenv("MODEL", "yolov8n.pt"))
        '''})
    assert d.models == []
    assert [u.reason for u in d.unresolved] == ["not a constant (result of a call)"]


def test_argparse_defaults_and_choices(scan):
    d = scan({"train.py": '''
        import argparse
        from ultralytics import YOLO
        import timm
        parser = argparse.ArgumentParser()
        parser.add_argument("--weights", default="yolov8n.pt")
        parser.add_argument("--arch", choices=["resnet18", "resnet50"], default="resnet18")
        parser.add_argument("--data-dir", dest="data")
        parser.add_argument("--other")
        args = parser.parse_args()
        YOLO(args.weights)
        timm.create_model(args.arch, pretrained=True)
        def main(opts):
            YOLO(opts.weights)
            YOLO(opts.other)
        '''})
    assert [(m.name, m.api) for m in d.models] == [
        ("yolov8n.pt", "ultralytics.YOLO [default of command-line option --weights]"),
        ("resnet18", "timm.create_model [one of resnet18, resnet50 for args.arch]"),
        ("resnet50", "timm.create_model [one of resnet18, resnet50 for args.arch]"),
        ("yolov8n.pt", "ultralytics.YOLO [default of command-line option --weights]"),
    ]
    assert [(u.expression, u.reason) for u in d.unresolved] == [("opts.other", "command-line option --other has no default")]


def test_option_the_script_sets_itself_adds_that_value(scan):
    # stable-diffusion txt2img.py: ``if opt.laion400m: opt.ckpt = "models/ldm/text2img-large/model.ckpt"`` after
    # parse_args(); that checkpoint loads too. A rewrite of the run-time value and another object's store add nothing.
    d = scan({"txt2img.py": '''
        import argparse, os
        import torch
        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--ckpt", default="models/sd-v1/model.ckpt")
            parser.add_argument("--laion400m", action="store_true")
            parser.add_argument("--vae")
            opt = parser.parse_args()
            if opt.laion400m:
                opt.ckpt = "models/text2img-large/model.ckpt"
            opt.vae = os.path.join(opt.vae, "vae.ckpt")
            other = argparse.Namespace()
            other.ckpt = "not-loaded.ckpt"
            torch.load(f"{opt.ckpt}")
            torch.load(opt.vae)
        '''})
    assert [(m.name, m.location.line, [o.line for o in m.origins]) for m in d.models] == [
        ("models/sd-v1/model.ckpt", 15, [6]),
        ("models/text2img-large/model.ckpt", 15, [11]),
    ]
    assert [u.location.line for u in d.unresolved] == [16]


def test_string_methods_of_constants(scan):
    # DINOv2's hub builds names with arch_name.replace("_", "").
    d = scan({"hub.py": '''
        import torch
        BASE = "https://dl.fbaipublicfiles.com/dinov2"
        def make_name(arch_name, patch_size):
            compact = arch_name.replace("_", "").removesuffix("arge")
            return f"dinov2_{compact}{patch_size}"
        def load(arch_name="vit_large"):
            name = make_name(arch_name, 14)
            return torch.hub.load_state_dict_from_url(BASE + f"/{name}/{name}_pretrain.pth")
        torch.load(" Models/ResNet50.PTH ".strip().lower())
        torch.load(("x" * 4000).replace("x", "yy") + ".pt")
        p = "ckpt/model.pth/"
        if p.endswith("/"):
            p = p[:-1]
        torch.load(p)
        SMOL = True
        torch.load("small.pt" if not SMOL is False else "big.pt")
        '''})
    assert [(m.loader, m.name, m.location.line) for m in d.models] == [
        ("dinov2", "dinov2_vitl14_pretrain.pth", 9),
        ("file", "models/resnet50.pth", 10),
        # both branches of a switch the script's user flips (the corpus labels count both)
        ("file", "big.pt", 17),
        ("file", "small.pt", 17),
    ]
    # A replacement that would build a string past the cap is not computed; a slice is not either (its guard is
    # not read, so "ckpt/model.pt" would be reported for a load of ckpt/model.pth).
    assert [u.location.line for u in d.unresolved] == [11, 15]


def test_click_and_typer_defaults(scan):
    d = scan({"cli.py": '''
        import click
        import typer
        from ultralytics import YOLO
        import timm

        @click.command()
        @click.option("--weights", "-w", default="yolo11n.pt")
        @click.option("--arch", type=click.Choice(["resnet18", "resnet34"]))
        def run(weights, arch):
            YOLO(weights)
            timm.create_model(arch, pretrained=True)

        def serve(model: str = typer.Option("yolo11s.pt", help="weights")):
            YOLO(model)
        '''})
    assert [(m.name, m.api) for m in d.models] == [
        ("yolo11n.pt", "ultralytics.YOLO [default of click option 'weights']"),
        ("resnet18", "timm.create_model [one of resnet18, resnet34 for arch]"),
        ("resnet34", "timm.create_model [one of resnet18, resnet34 for arch]"),
        ("yolo11s.pt", "ultralytics.YOLO [default of a typer option]"),
    ]


def test_class_attributes_and_subclass_overrides(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO
        class Base:
            WEIGHTS = "a.pt"
            def load(self):
                return YOLO(self.WEIGHTS)
        class Prod(Base):
            WEIGHTS = "b.pt"
        class Same(Base):
            pass
        class Unrelated:
            WEIGHTS = "c.pt"
        direct = YOLO(Prod.WEIGHTS)
        inherited = YOLO(Same.WEIGHTS)
        '''})
    assert [(m.name, m.location.line) for m in d.models] == [("a.pt", 6), ("b.pt", 6), ("b.pt", 13), ("a.pt", 14)]
    assert d.unresolved == []


def test_instance_attribute_set_in_init(scan):
    d = scan({"app.py": '''
        import timm
        class Net:
            def __init__(self, arch="convnext_tiny"):
                self.arch = arch
            def build(self):
                return timm.create_model(self.arch, pretrained=True)
        '''})
    assert [(m.name, m.api) for m in d.models] == [("convnext_tiny", "timm.create_model [default of parameter 'arch']")]


def test_project_class_named_like_a_library_class_is_not_the_library(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO
        import transformers
        class YOLO:
            def __init__(self, path): ...
        def pipeline(task, model=None): ...
        YOLO("yolov8n.pt")
        pipeline("image-classification", model="google/vit-base-patch16-224")
        '''})
    # Not the libraries' loaders; the known weight names still count, marked as found by name (issue 9 part 2).
    assert [(m.loader, m.name, m.found_by, m.api) for m in d.models] == [
        ("ultralytics", "yolov8n.pt", "name", "found by name: passed to YOLO()"),
        ("huggingface", "google/vit-base-patch16-224", "name", "found by name: passed to pipeline(model=...)"),
    ]
    assert d.unresolved == []
