"""What preprocessing a set of pretrained weights expects (mean, std, resize, crop, interpolation), and readers for
the forms it is recorded in: the generated tables' ``data_configs`` and Hugging Face ``preprocessor_config.json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# PIL resampling filters by number (Image.Resampling), as preprocessor_config.json spells ``resample``.
PIL_RESAMPLE = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}

Size = int | tuple[int, int]


@dataclass(frozen=True)
class DataConfig:
    """The eval preprocessing of one set of weights, with where it was read.

    ``resize``: an int is the shorter side, a pair is an exact (height, width); ``crop`` is the center crop (an int
    for a square). ``normalizes`` is False when the door's own transform applies no mean/std (torchvision's
    ObjectDetection preset only rescales to [0, 1]; a processor with ``do_normalize: false``): then a
    hand-written normalization is a second one.
    """

    mean: tuple[float, ...] | None
    std: tuple[float, ...] | None
    resize: Size | None
    crop: Size | None
    interpolation: str | None
    source: str
    date: str = ""
    preset: str | None = None
    normalizes: bool = True

    @property
    def input_size(self) -> Size | None:
        """The spatial size the model receives: the crop, else an exact resize; None when it depends on the image."""
        if self.crop is not None:
            return self.crop
        return self.resize if isinstance(self.resize, tuple) else None

    def values(self) -> dict[str, object]:
        """Plain values for reports (lists, not tuples; None where the config says nothing)."""
        return {
            "mean": list(self.mean) if self.mean is not None else None,
            "std": list(self.std) if self.std is not None else None,
            "resize": _plain(self.resize),
            "crop": _plain(self.crop),
            "interpolation": self.interpolation,
            "source": self.source,
        }


def _plain(size: Size | None) -> int | list[int] | None:
    return list(size) if isinstance(size, tuple) else size


def _size(value: Any) -> Size | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        if len(value) == 1:
            return value[0]
        if len(value) == 2:
            return (value[0], value[1])  # an exact size, even when square (the tables keep square crops as ints)
    return None


def _floats(value: Any) -> tuple[float, ...] | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (float(value),)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return tuple(float(v) for v in value)
    return None


def from_table(entry: dict[str, Any], *, source: str, date: str) -> DataConfig:
    """A ``data_configs`` entry of a generated table (see knowledge/refresh.py)."""
    mean, std = _floats(entry.get("mean")), _floats(entry.get("std"))
    return DataConfig(
        mean=mean,
        std=std,
        resize=_size(entry.get("resize")),
        crop=_size(entry.get("crop")),
        interpolation=entry.get("interpolation"),
        source=source,
        date=date,
        preset=entry.get("preset"),
        normalizes=mean is not None and std is not None,
    )


def _hf_size(value: Any) -> Size | None:
    """``size``/``crop_size`` of a preprocessor config: ``{shortest_edge: n}`` -> n, ``{height, width}`` -> a pair;
    a bare int is ambiguous (an exact square for ViT-style processors, the shorter side for CLIP-style ones):
    None, so nothing is compared on it."""
    if isinstance(value, dict):
        if set(value) == {"shortest_edge"} and isinstance(value["shortest_edge"], int):
            return value["shortest_edge"]
        height, width = value.get("height"), value.get("width")
        if isinstance(height, int) and isinstance(width, int) and not isinstance(height, bool):
            return (height, width)
    return None


def from_preprocessor_config(data: Any, *, source: str, date: str = "") -> DataConfig | None:
    """A Hugging Face ``preprocessor_config.json`` (image processors and the older feature extractors); None when
    it holds no image preprocessing (a tokenizer-only or audio config)."""
    if not isinstance(data, dict):
        return None
    mean, std = _floats(data.get("image_mean")), _floats(data.get("image_std"))
    if mean is None and std is None and "size" not in data:
        return None
    normalizes = data.get("do_normalize", True) is not False and mean is not None and std is not None
    crop = None
    if data.get("do_center_crop") is True:
        crop_value = data.get("crop_size")
        crop = crop_value if isinstance(crop_value, int) and not isinstance(crop_value, bool) else _hf_size(crop_value)
        if isinstance(crop, tuple) and crop[0] == crop[1]:
            crop = crop[0]
    resize = _hf_size(data.get("size")) if data.get("do_resize", True) is not False else None
    resample = data.get("resample")
    return DataConfig(
        mean=mean if normalizes else None,
        std=std if normalizes else None,
        resize=resize,
        crop=crop,
        interpolation=PIL_RESAMPLE.get(resample) if isinstance(resample, int) else None,
        source=source,
        date=date,
        preset=str(data.get("image_processor_type") or data.get("feature_extractor_type") or "") or None,
        normalizes=normalizes,
    )


def same_values(a: tuple[float, ...] | None, b: tuple[float, ...] | None, tolerance: float = 2e-3) -> bool:
    """Per-channel equality within ``tolerance`` (hand-copied constants are rounded); one value stands for all
    channels (``Normalize(0.5, 0.5)``)."""
    if a is None or b is None:
        return a is b
    if len(a) == 1 or len(b) == 1:
        a, b = (a * len(b), b) if len(a) == 1 else (a, b * len(a))
    return len(a) == len(b) and all(abs(x - y) <= tolerance for x, y in zip(a, b))


def describe(config: DataConfig) -> str:
    """``resize 232, crop 224, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225), bilinear``."""
    parts = []
    if config.resize is not None:
        parts.append(f"resize {size_text(config.resize)}")
    if config.crop is not None:
        parts.append(f"crop {size_text(config.crop)}")
    if config.normalizes:
        parts.append(f"mean {numbers_text(config.mean)}, std {numbers_text(config.std)}")
    else:
        parts.append("no mean/std normalization (values in [0, 1])")
    if config.interpolation:
        parts.append(config.interpolation)
    return ", ".join(parts)


def size_text(size: Size) -> str:
    return f"{size[0]}x{size[1]}" if isinstance(size, tuple) else str(size)


def numbers_text(values: tuple[float, ...] | None) -> str:
    if values is None:
        return "unknown"
    return "(" + ", ".join(f"{v:.4g}" for v in values) + ")"
