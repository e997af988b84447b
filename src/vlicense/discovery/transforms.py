"""What one preprocessing call does to pixel values: torchvision transforms (v1 and v2, and their functional forms)
and albumentations, read into PreprocessingSteps (discovery/preprocessing.py follows where they go)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Protocol

from vlicense.model import Location, PreprocessingStep

TRANSFORM_MODULES = ("torchvision.transforms.", "albumentations.")
FUNCTIONAL_MODULES = ("torchvision.transforms.functional.", "torchvision.transforms.v2.functional.")

# albumentations ``Normalize()`` without arguments: ImageNet mean/std with max_pixel_value 255 (albumentations
# augmentations/transforms.py Normalize.__init__ in 1.x; augmentations/pixel/transforms.py docstring in 2.x).
ALBUMENTATIONS_DEFAULT_MEAN = (0.485, 0.456, 0.406)
ALBUMENTATIONS_DEFAULT_STD = (0.229, 0.224, 0.225)

# Transforms by class name (torchvision transforms/v2 and albumentations share most names).
_NO_OP = frozenset({"ToPILImage", "ToImage", "ToPureTensor", "PILToTensor", "ToTensorV2", "ConvertColor",
                    "MaybeToTensor", "ToRGB"})
_RANDOM_PREFIXES = ("Random", "ColorJitter", "RandAugment", "AutoAugment", "TrivialAugment", "AugMix", "GaussianBlur",
                    "HorizontalFlip", "VerticalFlip", "ShiftScaleRotate", "CoarseDropout", "Cutout", "GaussNoise",
                    "HueSaturationValue", "ElasticTransform", "GridDistortion", "OpticalDistortion", "Affine",
                    "CLAHE", "Blur", "MotionBlur", "OneOf", "SomeOf", "Sometimes", "Transpose", "MixUp", "CutMix")
_TORCH_INTERPOLATION = {"NEAREST": "nearest", "BILINEAR": "bilinear", "BICUBIC": "bicubic", "LANCZOS": "lanczos",
                        "BOX": "box", "HAMMING": "hamming", "NEAREST_EXACT": "nearest"}
_CV2_INTERPOLATION = {"INTER_NEAREST": "nearest", "INTER_LINEAR": "bilinear", "INTER_CUBIC": "bicubic",
                      "INTER_AREA": "area", "INTER_LANCZOS4": "lanczos"}
COMPOSE = frozenset({"Compose", "Sequential", "ReplayCompose"})


@dataclass(frozen=True)
class Num:
    """Numbers (mean/std constants): literal ``values``, a library constant ``name``, or read from the model."""

    values: tuple[float, ...] | None = None
    name: str | None = None
    from_model: bool = False


class Reader(Protocol):
    """What reading a call's arguments needs from the analysis around it."""

    def numbers(self, node: ast.AST | None) -> Num | None: ...

    def size(self, node: ast.AST | None, *, cv2: bool = False) -> tuple[int, ...] | None: ...

    def segment(self, node: ast.AST) -> str: ...


def transform_steps(reader: Reader, node: ast.Call, qual: str, short: str, location: Location,
                    text: str) -> tuple[PreprocessingStep, ...]:
    """The steps one transform object applies (not Compose: its elements are read by the caller)."""
    album = qual.startswith("albumentations.")
    if short == "Normalize":
        return (normalize_call(reader, node, location, text, album),)
    if short in ("ToTensor", "ConvertImageDtype") or (short == "ToDtype" and truthy(node, "scale")):
        return (PreprocessingStep("to-tensor", location, text),)
    if short == "ToFloat" and album:
        max_value = reader.numbers(arg(node, 0, "max_value"))
        if max_value is not None and max_value.values:
            return (PreprocessingStep("scale", location, text, factor=(1.0 / max_value.values[0],)),)
        return (PreprocessingStep("opaque", location, text),)
    if short in _NO_OP or short == "ToDtype":
        return ()
    if short.startswith(_RANDOM_PREFIXES) or "Random" in short:
        return (PreprocessingStep("random", location, text),)
    if short == "Resize":
        if album:
            size = reader.size(_pair(arg(node, 0, "height"), arg(node, 1, "width")))
            given = arg(node, 2, "interpolation")
            interp = interpolation(reader.segment(given)) if given is not None else "bilinear"
        else:
            size = reader.size(arg(node, 0, "size"))
            given = arg(node, 1, "interpolation")
            interp = interpolation(reader.segment(given)) if given is not None else "bilinear"
        return (PreprocessingStep("resize", location, text, size=size, interpolation=interp),)
    if short == "SmallestMaxSize" and album:
        size = reader.size(arg(node, 0, "max_size"))
        return (PreprocessingStep("resize", location, text, size=size if size and len(size) == 1 else None,
                                  interpolation="bilinear"),)
    if short == "CenterCrop":
        size = reader.size(_pair(arg(node, 0, "height"), arg(node, 1, "width"))) if album else reader.size(arg(node, 0, "size"))
        return (PreprocessingStep("center-crop", location, text, size=_square(size)),)
    # Lambda, Grayscale, Pad, LongestMaxSize, FiveCrop and anything not known: its effect is not known.
    return (PreprocessingStep("opaque", location, text),)


def normalize_call(reader: Reader, node: ast.Call, location: Location, text: str, album: bool) -> PreprocessingStep:
    mean = reader.numbers(arg(node, 0, "mean"))
    std = reader.numbers(arg(node, 1, "std"))
    max_pixel = None
    if album:
        given = arg(node, 2, "max_pixel_value")
        value = reader.numbers(given) if given is not None else Num((255.0,))
        if value is None or not value.values:
            return PreprocessingStep("normalize", location, text)  # scale not known: normalization of some kind
        max_pixel = value.values[0]
        mean = mean if arg(node, 0, "mean") is not None else Num(ALBUMENTATIONS_DEFAULT_MEAN)
        std = std if arg(node, 1, "std") is not None else Num(ALBUMENTATIONS_DEFAULT_STD)
    return normalize_step(location, text, mean, std, max_pixel)


def functional_step(reader: Reader, node: ast.Call, short: str, location: Location, text: str) -> PreprocessingStep | None:
    """``TF.normalize(x, mean, std)``, ``TF.resize``, ``TF.to_tensor``...; None for calls that keep the values."""
    if short == "normalize":
        return normalize_step(location, text, reader.numbers(arg(node, 1, "mean")), reader.numbers(arg(node, 2, "std")), None)
    if short in ("to_tensor", "convert_image_dtype") or (short == "to_dtype" and truthy(node, "scale")):
        return PreprocessingStep("to-tensor", location, text)
    if short == "resize":
        given = arg(node, 2, "interpolation")
        interp = interpolation(reader.segment(given)) if given is not None else "bilinear"
        return PreprocessingStep("resize", location, text, size=reader.size(arg(node, 1, "size")), interpolation=interp)
    if short == "center_crop":
        return PreprocessingStep("center-crop", location, text, size=_square(reader.size(arg(node, 1, "output_size"))))
    if short in ("pil_to_tensor", "to_image", "to_pil_image", "to_grayscale", "rgb_to_grayscale", "to_dtype"):
        return None  # no change of values (dtype conversion without scaling, or a format change)
    return PreprocessingStep("opaque", location, text)


def cv2_resize(reader: Reader, node: ast.Call, location: Location, text: str) -> PreprocessingStep:
    size = reader.size(node.args[1] if len(node.args) > 1 else kw(node, "dsize"), cv2=True)
    given = node.args[2] if len(node.args) > 2 else kw(node, "interpolation")
    interp = interpolation(reader.segment(given)) if given is not None else "bilinear"  # cv2's default: INTER_LINEAR
    return PreprocessingStep("resize", location, text, size=size, interpolation=interp)


def normalize_step(location: Location, text: str, mean: Num | None, std: Num | None, max_pixel: float | None) -> PreprocessingStep:
    mean = mean or Num()
    std = std or Num()
    return PreprocessingStep(
        "normalize", location, text,
        mean=mean.values, std=std.values, mean_name=mean.name, std_name=std.name,
        from_model=mean.from_model or std.from_model, max_pixel=max_pixel,
    )


def interpolation(text: str) -> str | None:
    """``InterpolationMode.BICUBIC``/``cv2.INTER_CUBIC``/``"bicubic"``/``Image.BICUBIC`` -> ``bicubic``."""
    word = text.strip().strip("'\"").rsplit(".", 1)[-1]
    if word in _CV2_INTERPOLATION:
        return _CV2_INTERPOLATION[word]
    if word.upper() in _TORCH_INTERPOLATION:
        return _TORCH_INTERPOLATION[word.upper()]
    return None


def arg(node: ast.Call, pos: int | None, name: str) -> ast.AST | None:
    """The argument at keyword ``name`` or position ``pos`` (None after a ``*args``: the position is not known)."""
    for k in node.keywords:
        if k.arg == name:
            return k.value
    if pos is not None and pos < len(node.args) and not any(isinstance(a, ast.Starred) for a in node.args[: pos + 1]):
        return node.args[pos]
    return None


def kw(node: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in node.keywords if k.arg == name), None)


def truthy(node: ast.Call, name: str) -> bool:
    value = kw(node, name)
    return isinstance(value, ast.Constant) and value.value is True


def _pair(height: ast.AST | None, width: ast.AST | None) -> ast.AST | None:
    """albumentations spells a size as height and width arguments."""
    return ast.Tuple(elts=[height, width], ctx=ast.Load()) if height is not None and width is not None else None


def _square(size: tuple[int, ...] | None) -> tuple[int, ...] | None:
    return (size[0], size[0]) if size is not None and len(size) == 1 else size
