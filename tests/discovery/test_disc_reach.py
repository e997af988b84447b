"""Flows the labelled corpus showed missing: where an unresolved wrapper load is reported, reaching definitions in
blocks, star imports, what project functions return, classes a YAML config instantiates, weight keywords given to
project callables the analysis cannot follow, and the yacs ``[key, value]`` list form."""

from __future__ import annotations


def refs(d):
    return sorted((m.loader, m.name, m.location.path, m.location.line) for m in d.models)


def unresolved(d):
    return sorted((u.location.path, u.location.line, u.expression) for u in d.unresolved)


# ---------------------------------------------------------------------------------------------- wrapper loads


MAIN_WORKER = '''
    import argparse
    import torch

    def main_worker(gpu, args):
        if args.resume:
            checkpoint = torch.load(args.resume)

    def load(path):
        return torch.load(path)

    parser = argparse.ArgumentParser()
    parser.add_argument("--resume", default="")
    args = parser.parse_args()
    main_worker(0, args)
    load(args.resume)
'''


def test_unresolved_wrapper_load_is_reported_at_the_load_that_spells_it(scan):
    d = scan({"main.py": MAIN_WORKER})
    # ``torch.load(args.resume)`` inside main_worker(args): the load line, naming the call that reaches it.
    # ``load(args.resume)``: the wrapper's parameter holds what the call passes, so the call site is the place.
    assert unresolved(d) == [("main.py", 7, "args.resume"), ("main.py", 16, "args.resume")]
    inner = next(u for u in d.unresolved if u.location.line == 7)
    assert inner.reason.endswith("(via main_worker() at main.py:15)")


# ---------------------------------------------------------------------------------------------- blocks


def test_a_binding_earlier_in_the_same_block_hides_the_others(scan):
    d = scan({"dl.py": '''
        import urllib.request

        def fetch(a, b):
            if a:
                url = "https://github.com/IDEA-Research/GroundingDINO/releases/download/v0.1.0-alpha/groundingdino_swint_ogc.pth"
                urllib.request.urlretrieve(url, "weights/groundingdino_swint_ogc.pth")
            if b:
                url = "https://raw.githubusercontent.com/roboflow/GroundingDINO/main/groundingdino/config/GroundingDINO_SwinT_OGC.py"
                urllib.request.urlretrieve(url, "weights/GroundingDINO_SwinT_OGC.py")
        '''})
    # The config download (code, not weights) reads only its own url: nothing is reported at line 10.
    assert [m.location.line for m in d.models] == [7]


def test_bindings_in_other_blocks_still_reach_a_use_after_them(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO

        def build(small):
            if small:
                name = "yolov8n.pt"
            else:
                name = "yolov8x.pt"
            return YOLO(name)
        '''})
    assert refs(d) == [("ultralytics", "yolov8n.pt", "app.py", 9), ("ultralytics", "yolov8x.pt", "app.py", 9)]


def test_a_later_binding_of_the_same_loop_body_comes_round_again(scan):
    d = scan({"app.py": '''
        from ultralytics import YOLO

        for size in ("n", "s"):
            if size:
                name = "yolov8n.pt"
                for _ in range(2):
                    YOLO(name)
                    name = "yolov8s.pt"
        '''})
    assert refs(d) == [("ultralytics", "yolov8n.pt", "app.py", 8), ("ultralytics", "yolov8s.pt", "app.py", 8)]


def test_a_loop_target_hides_an_earlier_loop_of_the_same_name_in_its_body(scan):
    # Notebooks and tutorials reuse one loop name: ``for model_name in dinov2_ids`` then ``for model_name in
    # dinov3_ids``. Inside the second loop's body only its own rows are the name's value.
    d = scan({"check.py": '''
        from transformers import AutoConfig

        first = ["facebook/dinov2-small", "facebook/dinov2-base"]
        second = ["facebook/dinov3-vits16-pretrain-lvd1689m"]

        for model_name in first:
            AutoConfig.from_pretrained(model_name)

        for model_name in second:
            AutoConfig.from_pretrained(model_name)
        print(model_name)
        '''})
    assert refs(d) == [("huggingface", "facebook/dinov2-base", "check.py", 8),
                       ("huggingface", "facebook/dinov2-small", "check.py", 8),
                       ("huggingface", "facebook/dinov3-vits16-pretrain-lvd1689m", "check.py", 11)]


# ---------------------------------------------------------------------------------------------- origins


def test_an_argument_read_beside_the_id_is_not_its_origin(scan):
    d = scan({"predict.py": '''
        from sahi import AutoDetectionModel

        def run(kind="yolov5", path="yolov5l6.pt"):
            return AutoDetectionModel.from_pretrained(model_type=kind, model_path=path)

        run(
            kind="yolov5",
            path="yolov5l6.pt",
        )
        '''})
    # "yolov5" (the model type, line 8) is not where "yolov5l6.pt" is written (line 9).
    assert sorted({(o.path, o.line) for m in d.models for o in m.origins}) == [("predict.py", 9)]


# ---------------------------------------------------------------------------------------------- star imports


def test_star_imports_of_project_modules_carry_names_values_and_wrappers(scan):
    d = scan({
        "app.py": '''
            from ultralytics import YOLO
            MODEL = "weights/best.pt"
            model = YOLO(MODEL)
            ''',
        "tests/test_app.py": '''
            from app import *

            def test_load():
                assert YOLO(MODEL)
                assert YOLO("yolov8s.pt")
            ''',
        "pkg/__init__.py": "from .loading import *\n",
        "pkg/loading.py": '''
            import torch

            def load_weights(path):
                return torch.load(path)

            def _private(path):
                return torch.load(path)
            ''',
        "run.py": '''
            from pkg import load_weights
            load_weights("ckpt/model_final.pth")
            ''',
    })
    assert ("ultralytics", "weights/best.pt", "tests/test_app.py", 5) in refs(d)
    assert ("ultralytics", "yolov8s.pt", "tests/test_app.py", 6) in refs(d)
    # The package re-exports the wrapper with ``from .loading import *``: its caller carries the value.
    assert ("file", "ckpt/model_final.pth", "run.py", 3) in refs(d)


def test_a_name_no_star_imported_module_defines_stays_unknown(scan):
    d = scan({
        "consts.py": "OTHER = 'weights/best.pt'\n_HIDDEN = 'weights/hidden.pt'\n",
        "app.py": '''
            from consts import *
            from ultralytics import YOLO
            YOLO(MODEL)
            YOLO(_HIDDEN)
            ''',
    })
    assert d.models == []
    assert [u.expression for u in d.unresolved] == ["MODEL", "_HIDDEN"]


# ---------------------------------------------------------------------------------------------- return values


def test_what_a_project_function_returns_is_the_value(scan):
    d = scan({
        "roop/utilities.py": '''
            import os

            def resolve_relative_path(path):
                return os.path.abspath(os.path.join(os.path.dirname(__file__), path))

            def cache_path(name):
                return os.path.join(os.environ["CACHE"], name)
            ''',
        "roop/enhancer.py": '''
            import torch
            from roop.utilities import cache_path, resolve_relative_path

            weights = torch.load(resolve_relative_path("../models/GFPGANv1.4.pth"))
            other = torch.load(cache_path("inswapper_128.onnx"))
            ''',
    })
    assert ("file", "models/GFPGANv1.4.pth", "roop/enhancer.py", 5) in refs(d)
    # A folder known only at run time keeps the file name the call passes.
    assert ("file", "inswapper_128.onnx", "roop/enhancer.py", 6) in refs(d)


def test_a_function_returning_a_run_time_value_stays_unresolved(scan):
    d = scan({"app.py": '''
        import sys
        import torch

        def pick():
            return sys.argv[1]

        torch.load(pick())
        '''})
    assert d.models == [] and [u.location.line for u in d.unresolved] == [8]


# ---------------------------------------------------------------------------------------------- configs


CONFIG_PROJECT = {
    "models/v15.yaml": '''
        model:
          target: ldm.models.LatentDiffusion
          params:
            cond_stage_config:
              target: ldm.encoders.FrozenCLIPEmbedder
            other_config:
              target: ldm.encoders.FrozenCLIPEmbedder
              params:
                version: openai/clip-vit-base-patch32
            plain_config:
              target: ldm.encoders.Identity
        ''',
    "ldm/__init__.py": "",
    "ldm/models.py": '''
        import torch

        class LatentDiffusion:
            def __init__(self, cond_stage_config=None, ckpt_path=None):
                if ckpt_path is not None:
                    torch.load(ckpt_path)
        ''',
    "ldm/encoders.py": '''
        from transformers import CLIPTextModel

        class FrozenCLIPEmbedder:
            def __init__(self, version="openai/clip-vit-large-patch14", device="cuda"):
                self.transformer = CLIPTextModel.from_pretrained(version)

        class Identity:
            def __init__(self, size=3):
                self.size = size
        ''',
    "cldm/model.py": '''
        from omegaconf import OmegaConf
        from ldm.util import instantiate_from_config

        def create_model(config_path):
            config = OmegaConf.load(config_path)
            return instantiate_from_config(config.model)
        ''',
    "app.py": '''
        from cldm.model import create_model
        model = create_model("./models/v15.yaml")
        ''',
}


def test_project_classes_a_config_instantiates_load_their_defaults_and_params(scan):
    d = scan(CONFIG_PROJECT)
    at_call = sorted((m.name, {(o.path, o.line) for o in m.origins} >= {("models/v15.yaml", 6 if "large" in m.name else 8)})
                     for m in d.models if m.location.path == "app.py")
    assert at_call == [("openai/clip-vit-base-patch32", True), ("openai/clip-vit-large-patch14", True)]
    # LatentDiffusion's ckpt_path defaults to None and is tested before the load: nothing loads, nothing is unresolved.
    assert [u for u in d.unresolved if u.location.path == "app.py"] == []


def test_a_config_path_in_a_call_naming_no_project_loader_adds_nothing(scan):
    files = {k: v for k, v in CONFIG_PROJECT.items() if k != "ldm/encoders.py"}
    files["ldm/encoders.py"] = "class FrozenCLIPEmbedder:\n    pass\n\nclass Identity:\n    pass\n"
    d = scan(files)
    assert [m for m in d.models if m.location.path == "app.py"] == []


# ---------------------------------------------------------------------------------------------- opaque callees


def test_weight_keywords_to_project_callables_the_analysis_cannot_follow_are_listed(scan):
    d = scan({
        "metaseg/__init__.py": "",
        "metaseg/generator.py": "sam_model_registry = {}\n",
        "scripts/amg.py": '''
            import argparse
            import functools
            from metaseg.generator import sam_model_registry

            def main(args):
                sam = sam_model_registry[args.model_type](checkpoint=args.checkpoint)
                key = functools.partial(sorted, weights=args.weights)
                args.version.deploy(model_type="yolov8", model_path="runs/best.pt")
            ''',
    })
    # Only the registry call: functools (the standard library) and an upload (deploy) load nothing.
    assert unresolved(d) == [("scripts/amg.py", 7, "sam_model_registry[args.model_type](checkpoint=args.checkpoint)")]


def test_an_exception_carrying_a_weight_keyword_is_not_a_load(scan):
    # Apps define ``ModelLoadError(message, model_path=...)`` to say which file failed: a message, not a load.
    d = scan({
        "src/myapp/__init__.py": "",
        "src/myapp/errors.py": '''
            class AppError(Exception):
                pass

            class ModelLoadError(AppError):
                def __init__(self, message, model_path=None, model_type=None):
                    super().__init__(message)
                    self.model_path = model_path

            class WeightsWarning(UserWarning):
                pass
            ''',
        "tests/test_errors.py": '''
        from myapp.errors import ModelLoadError, WeightsWarning

        def test_error():
            error = ModelLoadError("Model error", model_path="/test/model.pt", model_type="detection")
            raise WeightsWarning("stale", weights=args.weights)
        '''})
    assert unresolved(d) == []


# ---------------------------------------------------------------------------------------------- libraries


def test_the_project_that_is_the_library_reports_its_callers_not_its_internals(scan):
    d = scan({
        "realesrgan/__init__.py": "from .utils import *\n",
        "realesrgan/utils.py": '''
            import torch

            class RealESRGANer:
                def __init__(self, scale, model_path, model=None):
                    loadnet = torch.load(model_path)
            ''',
        "inference.py": '''
            from realesrgan import RealESRGANer
            upsampler = RealESRGANer(scale=4, model_path="weights/RealESRGAN_x4plus.pth")
            ''',
    })
    assert refs(d) == [("realesrgan", "RealESRGAN_x4plus.pth", "inference.py", 3)]
    assert d.unresolved == []


def test_torch_hub_load_without_pretrained_weights_loads_nothing(scan):
    d = scan({"app.py": '''
        import torch
        a = torch.hub.load("facebookresearch/dinov2", "dinov2_vitl14")
        b = torch.hub.load("torchhub/facebookresearch_dinov2_main", "dinov2_vitl14", source="local", pretrained=False)
        c = torch.hub.load("ultralytics/yolov5", "yolov5s", pretrained=True)
        '''})
    assert [(m.name, m.location.line) for m in sorted(d.models, key=lambda m: m.location.line)] == [
        ("facebookresearch/dinov2", 3), ("ultralytics/yolov5", 5)]


def test_old_torch_download_names_are_downloads(scan):
    d = scan({"download.py": '''
        try:
            from torch.utils.model_zoo import _download_url_to_file
        except ImportError:
            from torch.hub import _download_url_to_file
        _download_url_to_file("https://www.dropbox.com/s/lrvwfehqdcxoza8/saved_models.zip?dl=1", "saved_models.zip", None, True)
        '''})
    assert [(m.loader, m.name, m.url) for m in d.models] == [
        ("file", "saved_models.zip", "https://www.dropbox.com/s/lrvwfehqdcxoza8/saved_models.zip?dl=1")]


def test_yacs_key_value_lists_set_the_checkpoint(scan):
    d = scan({"demo.py": '''
        import sys
        from maskrcnn_benchmark.config import cfg
        from detectron2.config import get_cfg

        cfg.merge_from_list(["MODEL.WEIGHT", sys.argv[1]])
        cfg.merge_from_list(["MODEL.DEVICE", "cpu"])
        d2 = get_cfg()
        d2.merge_from_list(["MODEL.WEIGHTS", "detectron2://COCO-Detection/faster_rcnn_R_50_FPN_3x/137849458/model_final_280758.pkl"])
        '''})
    assert refs(d) == [("detectron2", "COCO-Detection/faster_rcnn_R_50_FPN_3x", "demo.py", 9)]
    assert [u.location.line for u in d.unresolved] == [6]
