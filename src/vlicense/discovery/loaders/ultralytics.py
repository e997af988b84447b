"""Ultralytics model classes (YOLO, RTDETR, SAM, FastSAM, NAS, YOLOWorld, YOLOE): weight files, Hub ids, defaults."""

from __future__ import annotations

from vlicense.discovery.loaders.base import CallSite, Reference

# Default ``model`` argument of each class, read from the source of ultralytics 8.4.190
# (ultralytics/models/*/model.py). Other versions may differ (8.3 used yolo11n.pt), hence the api note.
DEFAULTS_VERSION = "8.4.190"
DEFAULT_WEIGHTS = {
    "YOLO": "yolo26n.pt",
    "YOLOWorld": "yolov8s-world.pt",
    "YOLOE": "yoloe-11s-seg.pt",
    "RTDETR": "rtdetr-l.pt",
    "SAM": "sam_b.pt",
    "FastSAM": "FastSAM-x.pt",
    "NAS": "yolo_nas_s.pt",
}
CLASSES = frozenset(DEFAULT_WEIGHTS)
# A model config builds an untrained network: no weights, no model reference.
CONFIG_SUFFIXES = (".yaml", ".yml")


class UltralyticsLoader:
    name = "ultralytics"
    modules = ("ultralytics",)
    triggers = tuple(sorted(CLASSES))

    def handles(self, qualname: str) -> bool:
        return qualname.startswith("ultralytics.") and qualname.rsplit(".", 1)[-1] in CLASSES

    def analyze(self, site: CallSite) -> list[Reference]:
        cls = site.short
        api = f"ultralytics.{cls}"
        value = site.arg(0, "model")
        if value.kind == "missing":
            default = DEFAULT_WEIGHTS[cls]
            return [site.model("ultralytics", default, variant=cls, api=f"{api}() (default weights in ultralytics {DEFAULTS_VERSION})")]
        name = site.string(value)
        if name is None:
            if site.from_loader_call(value):
                return []
            return [site.unresolved("ultralytics", value, site.not_a_string(value))]
        if name.strip().lower().endswith(CONFIG_SUFFIXES):
            return []
        return [site.model("ultralytics", name.strip(), variant=cls, api=api)]


LOADER = UltralyticsLoader()
