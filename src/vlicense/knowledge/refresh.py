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


# --------------------------------------------------------------------------------------------------- timm


def _generate_timm() -> dict[str, Any]:
    import timm
    from timm.models import get_pretrained_cfg

    tags: dict[str, dict[str, Any]] = {}
    archs: set[str] = set()
    for name in timm.list_pretrained():
        cfg = get_pretrained_cfg(name)
        arch = name.split(".", 1)[0]
        archs.add(arch)
        entry: dict[str, Any] = {
            "license": cfg.license,
            "hf_hub_id": cfg.hf_hub_id or None,
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
            "origin_url, url; default tag per arch = get_pretrained_cfg(arch).tag",
        },
        "count": len(tags),
        "tags": tags,
        "default_tags": defaults,
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
            "legacy pretrained=True from the builder's handle_legacy_interface mapping",
        },
        "count": len(weights),
        "builders": builders,
        "enums": enums,
        "weights": weights,
        "modules": modules,
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

    pretrained: dict[str, dict[str, Any]] = {}
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
        pretrained[f"{model}:{tag}"] = entry
    return {
        "generated": {
            "library": "open_clip",
            "version": _version(open_clip.__version__),
            "method": "open_clip.list_pretrained() + open_clip.pretrained.get_pretrained_cfg(model, tag): "
            "hf_hub, url (open_clip records no license)",
        },
        "count": len(pretrained),
        "pretrained": pretrained,
    }


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
