"""Regenerate the knowledge-base tables (timm, torchvision, Ultralytics, open_clip) from the installed libraries."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Heavy libraries (torch, timm, ultralytics, open_clip) are imported inside the generator functions only:
# the core package imports this module for `vlicense kb refresh` and must stay torch-free.

LIBRARIES = ("timm", "torchvision", "ultralytics", "open_clip")

# torchvision records a license only as a URL in ``weights.meta['license']``. Map the URLs we have read to an
# SPDX id; an unseen URL stays unmapped (license null, URL kept) rather than being guessed.
TORCHVISION_LICENSE_URLS: dict[str, str] = {
    "https://github.com/facebookresearch/SWAG/blob/main/LICENSE": "CC-BY-NC-4.0",
}
# What torchvision's weights are under when meta has no license key: the library's own license.
TORCHVISION_LIBRARY_LICENSE = "BSD-3-Clause"

# torchvision.models sub-module -> (module category, task in Hugging Face task vocabulary).
_TV_MODULE_TASKS: dict[str, tuple[str, str]] = {
    "": ("classification", "image-classification"),
    "quantization": ("quantization", "image-classification"),
    "detection": ("detection", "object-detection"),
    "segmentation": ("segmentation", "image-segmentation"),
    "video": ("video", "video-classification"),
    "optical_flow": ("optical_flow", "optical-flow"),
}

# Ultralytics asset name -> family, first match wins. Order matters: yolov10 before the generic yolov1x-less
# rules, yoloe before yolo, sam2.1 before sam2 before sam.
_ULTRALYTICS_FAMILIES: tuple[tuple[str, str], ...] = (
    (r"^yoloe-", "yoloe"),
    (r"^yolov8[nsmlx]-worldv?2?\.pt$", "yolo-world"),
    (r"^yolov10[nsmblx]", "yolov10"),
    (r"^yolov9[tsmce]", "yolov9"),
    (r"^yolov8[nsmlx]", "yolov8"),
    (r"^yolov5[nsmlx]6?u\.pt$", "yolov5u"),
    (r"^yolov3(-spp|-tiny)?u\.pt$", "yolov3u"),
    (r"^yolo11[nsmlx]", "yolo11"),
    (r"^yolo12[nsmlx]", "yolo12"),
    (r"^yolo26[nsmlx]", "yolo26"),
    (r"^yolo_nas_[sml]\.pt$", "yolo-nas"),
    (r"^sam2\.1_[blst]\.pt$", "sam2.1"),
    (r"^sam2_[blst]\.pt$", "sam2"),
    (r"^sam_[bl]\.pt$", "sam"),
    (r"^mobile_sam\.pt$", "mobile_sam"),
    (r"^FastSAM-[sx]\.pt$", "fastsam"),
    (r"^rtdetr-[lx]\.pt$", "rtdetr"),
    (r"^mobileclip2?_\w+\.ts$", "mobileclip"),
)

# Suffix of the asset stem -> Ultralytics task name (ultralytics.cfg.TASKS vocabulary plus a few extras).
_ULTRALYTICS_SUFFIX_TASKS: tuple[tuple[str, str], ...] = (
    (r"-seg(-pf)?$", "segment"),
    (r"-objv1-seg$", "segment"),
    (r"-sem(-ade20k)?$", "semantic"),
    (r"-cls$", "classify"),
    (r"-pose(-p6)?$", "pose"),
    (r"-obb$", "obb"),
    (r"-depth$", "depth"),
    (r"-reid$", "reid"),
    (r"-distill$", "distill"),
)
_ULTRALYTICS_FAMILY_TASKS = {
    "sam": "segment",
    "sam2": "segment",
    "sam2.1": "segment",
    "mobile_sam": "segment",
    "fastsam": "segment",
    "mobileclip": "text-image-embedding",
    "other": "other",
}


def _version(raw: str) -> str:
    # Drop a local build tag (torchvision "0.29.1+cu130"): the weight tables do not depend on the build.
    return str(raw).split("+", 1)[0]


# ------------------------------------------------------------------------------------------- data configs
# What preprocessing each set of weights expects (mean, std, resize, crop, interpolation), read from the
# library's own eval transform for those weights. Many weights share one config, so a table keeps each distinct
# config once under ``data_configs`` (key: a hash of its content) and each entry names it with ``data``.


def _floats(values: Any) -> list[float] | None:
    """A mean/std sequence (tuple, list or tensor) as plain floats rounded to 8 places (tensors carry float32 noise)."""
    if values is None:
        return None
    if hasattr(values, "tolist"):
        values = values.tolist()
    return [round(float(v), 8) for v in values]


def _size(value: Any) -> int | list[int] | None:
    """A transform size: an int or a one-element list is the shorter side; two equal sides stay a pair only when
    the transform was given a pair (an exact size)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    items = [int(v) for v in value]
    return items[0] if len(items) == 1 else items


def _interpolation(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _read_compose(transform: Any) -> dict[str, Any]:
    """The resize, crop, interpolation, mean and std of a built eval transform (a torchvision Compose)."""
    out: dict[str, Any] = {"resize": None, "crop": None, "interpolation": None, "mean": None, "std": None}
    for step in getattr(transform, "transforms", [transform]):
        kind = type(step).__name__
        if kind in ("Resize", "ResizeKeepRatio") and out["resize"] is None:
            out["resize"] = _size(step.size)
            out["interpolation"] = _interpolation(step.interpolation)
        elif kind in ("CenterCrop", "CenterCropOrPad") and out["crop"] is None:
            size = _size(step.size)
            out["crop"] = size[0] if isinstance(size, list) and len(set(size)) == 1 else size
        elif kind == "Normalize":
            out["mean"], out["std"] = _floats(step.mean), _floats(step.std)
    return out


def _data_key(config: dict[str, Any]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:10]


def _constants(module: Any) -> dict[str, list[float]]:
    """A library's mean/std constants (upper-case tuples of floats, e.g. ``IMAGENET_DEFAULT_MEAN``), so code that
    normalizes with ``timm.data.IMAGENET_DEFAULT_MEAN`` is read with the library's own values."""
    return {
        name: _floats(value)
        for name, value in sorted(vars(module).items())
        if name.isupper() and isinstance(value, tuple) and value and all(isinstance(v, float) for v in value)
    }


def _share(configs: dict[str, dict[str, Any]], config: dict[str, Any]) -> str:
    """Store ``config`` once in ``configs``; returns its key."""
    key = _data_key(config)
    configs[key] = config
    return key


# --------------------------------------------------------------------------------------------------- timm


def _generate_timm() -> dict[str, Any]:
    import timm
    import timm.data.constants
    from timm.models import get_pretrained_cfg

    tags: dict[str, dict[str, Any]] = {}
    configs: dict[str, dict[str, Any]] = {}
    archs: set[str] = set()
    for name in timm.list_pretrained():
        cfg = get_pretrained_cfg(name)
        arch = name.split(".", 1)[0]
        archs.add(arch)
        entry: dict[str, Any] = {
            "license": cfg.license,
            "hf_hub_id": cfg.hf_hub_id or None,
            "data": _share(configs, _timm_data_config(cfg)),
        }
        if cfg.origin_url:
            entry["origin_url"] = cfg.origin_url
        if cfg.url:
            # The legacy download URL (GitHub releases, dl.fbaipublicfiles.com, ...): maps a URL in the code to the tag.
            entry["url"] = cfg.url
        tags[name] = entry
    # create_model(arch, pretrained=True) resolves the tag-less name through get_pretrained_cfg(arch), which
    # timm registers as the first tag of DefaultCfg.tags (generate_default_cfgs puts the first tag with
    # weights, or an explicit ``*``-marked / untagged one, first). Only record it when that tag has weights.
    defaults: dict[str, str | None] = {}
    for arch in sorted(archs):
        tag = get_pretrained_cfg(arch).tag
        defaults[arch] = tag if tag and f"{arch}.{tag}" in tags else None
    return {
        "generated": {
            "library": "timm",
            "version": _version(timm.__version__),
            "method": "timm.list_pretrained() + timm.models.get_pretrained_cfg(name): license, hf_hub_id, "
            "origin_url, url; default tag per arch = get_pretrained_cfg(arch).tag; data = the eval transform "
            "timm.data.create_transform(**timm.data.resolve_data_config({}, pretrained_cfg=cfg)) builds; "
            "constants = timm.data.constants mean/std tuples",
        },
        "count": len(tags),
        "tags": tags,
        "default_tags": defaults,
        "data_configs": configs,
        "constants": _constants(timm.data.constants),
    }


def _timm_data_config(cfg: Any) -> dict[str, Any]:
    """What ``resolve_model_data_config`` gives a model with these weights, and the eval transform timm builds
    from it (``create_transform``): resize = floor(size / crop_pct) for crop_mode center, as timm computes it."""
    import timm.data

    data = timm.data.resolve_data_config({}, pretrained_cfg=cfg.to_dict())
    built = _read_compose(timm.data.create_transform(**data))
    return {
        **built,
        "mean": _floats(data["mean"]),
        "std": _floats(data["std"]),
        "interpolation": data["interpolation"],
        "input_size": list(data["input_size"]),
        "crop_pct": data["crop_pct"],
        "crop_mode": data["crop_mode"],
    }


# -------------------------------------------------------------------------------------------- torchvision


def _legacy_weights(builder: Callable[..., Any]) -> dict[str, tuple[str, Any]] | None:
    """The ``handle_legacy_interface`` mapping captured in a builder's closures (what pretrained=True loads)."""
    seen: set[int] = set()
    stack: list[Any] = [builder]
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, dict)
                and value
                and all(
                    isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str)
                    for v in value.values()
                )
            ):
                return value
            if callable(value):
                stack.append(value)
        if hasattr(fn, "__wrapped__"):
            stack.append(fn.__wrapped__)
    return None


def _generate_torchvision() -> dict[str, Any]:
    import torchvision
    import torchvision.models as tvm
    from torchvision.models._api import WeightsEnum

    def member_id(member: Any) -> str:
        return f"{type(member).__name__}.{member.name}"

    def legacy_member(default: Any, kwargs: dict[str, Any]) -> str | None:
        # The legacy default is an enum member or a tiny selector lambda over the call's kwargs
        # (quantized builders pick the quantized enum when quantize=True); calling it builds nothing.
        value = (
            default(kwargs)
            if callable(default) and not isinstance(default, WeightsEnum)
            else default
        )
        return member_id(value) if isinstance(value, WeightsEnum) else None

    builders: dict[str, dict[str, Any]] = {}
    enums: dict[str, dict[str, Any]] = {}
    weights: dict[str, dict[str, Any]] = {}
    configs: dict[str, dict[str, Any]] = {}
    modules: dict[str, list[str]] = {}
    for sub, (category, task) in sorted(_TV_MODULE_TASKS.items()):
        module = getattr(tvm, sub) if sub else tvm
        names = sorted(tvm.list_models(module=module))
        modules[category] = names
        for name in names:
            entry: dict[str, Any] = {
                "module": category,
                "enum": None,
                "legacy_pretrained": None,
            }
            try:
                enum_cls = tvm.get_model_weights(name)
            except (ValueError, KeyError):
                enum_cls = None
            legacy = _legacy_weights(tvm.get_model_builder(name)) or {}
            if "weights" in legacy:
                param, default = legacy["weights"]
                entry["legacy_pretrained"] = legacy_member(default, {param: True})
                if category == "quantization":
                    entry["legacy_pretrained_quantize"] = legacy_member(
                        default, {param: True, "quantize": True}
                    )
            if "weights_backbone" in legacy:
                param, default = legacy["weights_backbone"]
                entry["legacy_pretrained_backbone"] = legacy_member(
                    default, {param: True}
                )
            if enum_cls is not None:
                enum_name = enum_cls.__name__
                entry["enum"] = enum_name
                enum_module = enum_cls.__module__
                sub_of_enum = (
                    enum_module.split(".")[2] if enum_module.count(".") >= 3 else ""
                )
                e_category, e_task = _TV_MODULE_TASKS.get(
                    sub_of_enum, _TV_MODULE_TASKS[""]
                )
                members = [m for m in enum_cls]  # iteration skips the DEFAULT alias
                default_name = (
                    enum_cls.DEFAULT.name if "DEFAULT" in enum_cls.__members__ else None
                )
                enums[enum_name] = {
                    "module": enum_module,
                    "category": e_category,
                    "task": e_task,
                    "default": default_name,
                    "members": [m.name for m in members],
                }
                for m in members:
                    url_license = m.meta.get("license")
                    w: dict[str, Any] = {
                        "task": e_task,
                        "default": m.name == default_name,
                        "recipe": m.meta.get("recipe"),
                        "url": m.url,
                        "data": _share(configs, _torchvision_data_config(m)),
                    }
                    if url_license:
                        w["license"] = TORCHVISION_LICENSE_URLS.get(url_license)
                        w["license_url"] = url_license
                        w["library_default"] = False
                    else:
                        w["license"] = TORCHVISION_LIBRARY_LICENSE
                        w["library_default"] = True
                    weights[member_id(m)] = w
            builders[name] = entry
    return {
        "generated": {
            "library": "torchvision",
            "version": _version(torchvision.__version__),
            "method": "torchvision.models.list_models(module=...) + get_model_weights(name); license from "
            "weights.meta['license'] (SWAG LICENSE URL -> CC-BY-NC-4.0), else the library's BSD-3-Clause; "
            "legacy pretrained=True from the builder's handle_legacy_interface mapping; data = the preset "
            "weights.transforms() builds (crop_size, resize_size, mean, std, interpolation attributes)",
        },
        "count": len(weights),
        "builders": builders,
        "enums": enums,
        "weights": weights,
        "modules": modules,
        "data_configs": configs,
    }


def _torchvision_data_config(member: Any) -> dict[str, Any]:
    """The preset ``weights.transforms()`` builds (a small nn.Module: building it runs no model), read from its
    attributes. ObjectDetection and OpticalFlow keep no mean/std: the detection preset only rescales to [0, 1]
    (the detection models normalize inside), OpticalFlow maps to [-1, 1] in its forward."""
    preset = member.transforms()
    resize = getattr(preset, "resize_size", None)
    crop = getattr(preset, "crop_size", None)
    return {
        "preset": type(preset).__name__,
        "resize": _size(resize),
        "crop": _size(crop) if crop is None or len(set(crop)) != 1 or len(crop) == 1 else int(crop[0]),
        "interpolation": _interpolation(getattr(preset, "interpolation", None)),
        "mean": _floats(getattr(preset, "mean", None)),
        "std": _floats(getattr(preset, "std", None)),
    }


# -------------------------------------------------------------------------------------------- ultralytics


def ultralytics_family(name: str) -> str:
    """Family of an official Ultralytics asset name (``other`` when no rule matches)."""
    for pattern, family in _ULTRALYTICS_FAMILIES:
        if re.search(pattern, name):
            return family
    return "other"


def ultralytics_task(name: str, family: str) -> str:
    """Task of an official Ultralytics asset, from its family or its name suffix (``detect`` otherwise)."""
    if family in _ULTRALYTICS_FAMILY_TASKS:
        return _ULTRALYTICS_FAMILY_TASKS[family]
    stem = name.rsplit(".", 1)[0]
    for pattern, task in _ULTRALYTICS_SUFFIX_TASKS:
        if re.search(pattern, stem):
            return task
    return "detect"


def _generate_ultralytics() -> dict[str, Any]:
    # Ultralytics writes a settings file and may check connectivity on import: keep it offline and away
    # from the user's config dir.
    os.environ.setdefault("YOLO_OFFLINE", "1")
    if "YOLO_CONFIG_DIR" not in os.environ:
        os.environ["YOLO_CONFIG_DIR"] = tempfile.mkdtemp(prefix="vlicense-yolo-")
    import ultralytics
    from ultralytics.utils import downloads

    assets: dict[str, dict[str, str]] = {}
    for name in sorted(downloads.GITHUB_ASSETS_NAMES):
        family = ultralytics_family(name)
        assets[name] = {"family": family, "task": ultralytics_task(name, family)}
    return {
        "generated": {
            "library": "ultralytics",
            "version": _version(ultralytics.__version__),
            "method": "ultralytics.utils.downloads.GITHUB_ASSETS_NAMES; family and task from the file name",
        },
        "repo": getattr(downloads, "GITHUB_ASSETS_REPO", None),
        "count": len(assets),
        "assets": assets,
    }


# ---------------------------------------------------------------------------------------------- open_clip


def _generate_open_clip() -> dict[str, Any]:
    import open_clip
    import open_clip.constants

    pretrained: dict[str, dict[str, Any]] = {}
    configs: dict[str, dict[str, Any]] = {}
    for model, tag in open_clip.list_pretrained():
        cfg = open_clip.pretrained.get_pretrained_cfg(model, tag)
        hub = (cfg.get("hf_hub") or "").strip("/")
        # hf_hub is "org/name/" or "org/name/filename": the repo id is the first two segments.
        parts = hub.split("/")
        entry: dict[str, Any] = {
            "hf_hub_id": "/".join(parts[:2]) if len(parts) >= 2 else None,
            "url": cfg.get("url") or None,
        }
        if len(parts) > 2:
            entry["hf_hub_filename"] = "/".join(parts[2:])
        entry["data"] = _share(configs, _open_clip_data_config(model, cfg))
        pretrained[f"{model}:{tag}"] = entry
    return {
        "generated": {
            "library": "open_clip",
            "version": _version(open_clip.__version__),
            "method": "open_clip.list_pretrained() + open_clip.pretrained.get_pretrained_cfg(model, tag): "
            "hf_hub, url (open_clip records no license); data = image_transform_v2(PreprocessCfg defaults merged "
            "with the tag's cfg, size = the model config's vision_cfg.image_size, is_train=False); constants = open_clip.constants mean/std tuples",
        },
        "count": len(pretrained),
        "pretrained": pretrained,
        "data_configs": configs,
        "constants": _constants(open_clip.constants),
    }


def _open_clip_data_config(model: str, tag_cfg: dict[str, Any]) -> dict[str, Any]:
    """The eval preprocess ``create_model_and_transforms`` returns, rebuilt the way its factory does without
    building the model: PreprocessCfg defaults, merged with the pretrained tag's cfg, size from the model's
    vision config (the factory copies ``model.visual.image_size``, which that config sets)."""
    from dataclasses import asdict

    import open_clip
    from open_clip.transform import PreprocessCfg, image_transform_v2, merge_preprocess_dict

    cfg = merge_preprocess_dict(asdict(PreprocessCfg()), tag_cfg)
    size = ((open_clip.get_model_config(model) or {}).get("vision_cfg") or {}).get("image_size")
    if size is not None:
        cfg["size"] = size
    built = _read_compose(image_transform_v2(PreprocessCfg(**cfg), is_train=False))
    return {**built, "resize_mode": cfg["resize_mode"]}


_GENERATORS: dict[str, Callable[[], dict[str, Any]]] = {
    "timm": _generate_timm,
    "torchvision": _generate_torchvision,
    "ultralytics": _generate_ultralytics,
    "open_clip": _generate_open_clip,
}


def generate(library: str) -> dict[str, Any]:
    """The table for ``library`` as built from the installed library, without the generation date."""
    try:
        generator = _GENERATORS[library]
    except KeyError:
        raise ValueError(
            f"unknown library {library!r}; expected one of {', '.join(LIBRARIES)}"
        ) from None
    return generator()


def dumps(payload: dict[str, Any]) -> str:
    """Stable serialization: sorted keys, one-space indent, trailing newline."""
    return json.dumps(payload, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def compare(
    library: str, directory: Path, generated: dict[str, Any] | None = None
) -> list[str]:
    """Differences between the shipped ``<library>.json`` in ``directory`` and the installed library (date
    ignored); an empty list means the shipped table is fresh."""
    shipped = json.loads((directory / f"{library}.json").read_text(encoding="utf-8"))
    current = generated if generated is not None else generate(library)
    shipped.get("generated", {}).pop("date", None)
    current = {
        **current,
        "generated": {
            k: v for k, v in current.get("generated", {}).items() if k != "date"
        },
    }
    diffs: list[str] = []

    def walk(path: str, a: Any, b: Any) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                if key not in a:
                    diffs.append(f"{path}/{key}: only in the installed library")
                elif key not in b:
                    diffs.append(f"{path}/{key}: only in the shipped table")
                else:
                    walk(f"{path}/{key}", a[key], b[key])
        elif a != b:
            diffs.append(f"{path}: shipped {a!r} != installed {b!r}")

    walk(library, shipped, current)
    return diffs


def write(
    out_dir: Path, libraries: tuple[str, ...] = LIBRARIES, date: str | None = None
) -> list[Path]:
    """Generate and write ``<library>.json`` into ``out_dir`` for each library; returns the written paths."""
    date = date or _dt.date.today().isoformat()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for library in libraries:
        payload = generate(library)
        payload["generated"]["date"] = date
        path = out_dir / f"{library}.json"
        path.write_text(dumps(payload), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vlicense.knowledge.refresh", description=__doc__
    )
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        help="directory to write the JSON tables into",
    )
    parser.add_argument("--date", help="generation date YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--only", help=f"comma-separated subset of {','.join(LIBRARIES)}"
    )
    args = parser.parse_args(argv)
    libraries = (
        tuple(x.strip() for x in args.only.split(",") if x.strip())
        if args.only
        else LIBRARIES
    )
    unknown = [x for x in libraries if x not in _GENERATORS]
    if unknown:
        parser.error(f"unknown library: {', '.join(unknown)}")
    if args.date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.date):
        parser.error("--date must be YYYY-MM-DD")
    for path in write(args.out, libraries, args.date):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
