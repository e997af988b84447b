"""Read-only access to the bundled knowledge base (kb/): license facts for models and libraries, each with a source."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from packaging.utils import canonicalize_name

from vlicense.knowledge import data_config as _data
from vlicense.yaml_fast import load_bundled_yaml

GENERATED_FILES = ("timm", "torchvision", "ultralytics", "open_clip")
# Namespaces the generated tables answer; every other namespace is answered by models.yaml alone: an exact id,
# else the most specific prefix rule (``<namespace>:*`` for a model zoo, ``roboflow:yolov8*`` for a family).
GENERATED_KINDS = frozenset({"pypi", "timm", "torchvision", "ultralytics", "open_clip", "torchhub", "hf"})
# hub_models.yaml is the offline snapshot of Hugging Face Hub cards (``hf:<org>/<name>``); models.yaml the rest.
CURATED_FILES = ("models", "hub_models", "libraries", "import_names")
# Namespace roots whose distributions follow the module path, and how many parts name one under a given second
# part (google.cloud.<service> takes three; google.<x> two). Explicit import_names entries (google.protobuf) win.
NAMESPACE_CONVENTION: dict[str, dict[str, int]] = {"google": {"cloud": 3}, "azure": {"storage": 3, "ai": 3, "mgmt": 3}}
# Curated snapshot of Hub models' preprocessor_config.json (read lazily; see hub_preprocessor).
HUB_PREPROCESSORS = "hub_preprocessors"

# Raw license ids as timm (and Hugging Face cards) spell them -> normalized id. SPDX-like ids map to the SPDX
# id (tests validate every SPDX value against license-expression's SPDX list); ids the Hub uses for a family
# rather than one license, and custom model licenses, become LicenseRef-<raw> so nothing is guessed.
RAW_LICENSE_IDS: dict[str, str | None] = {
    "apache-2.0": "Apache-2.0",
    "mit": "MIT",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "cc0-1.0": "CC0-1.0",
    "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "cc-by-nc-4.0": "CC-BY-NC-4.0",
    "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0",
    "cc-by-nc-nd-4.0": "CC-BY-NC-ND-4.0",
    "agpl-3.0": "AGPL-3.0-only",
    "gpl-3.0": "GPL-3.0-only",
    "gpl-2.0": "GPL-2.0-only",
    "lgpl-3.0": "LGPL-3.0-only",
    "mpl-2.0": "MPL-2.0",
    "unlicense": "Unlicense",
    # Hub data licenses whose SPDX ids carry a version the Hub id omits (hub-docs repositories-licenses.md).
    "odc-by": "ODC-By-1.0",
    "odbl": "ODbL-1.0",
    "pddl": "PDDL-1.0",
    # Family ids without a version share the metadata normalizer's ids (spdx.py). Not "LicenseRef-gpl":
    # license-expression reads that as an alias of GPL-1.0-or-later.
    "bsd": "LicenseRef-vlicense-BSD-unspecified",
    "gpl": "LicenseRef-vlicense-GPL-unspecified",
    "lgpl": "LicenseRef-vlicense-LGPL-unspecified",
    "cc": "LicenseRef-cc",
    "openrail": "LicenseRef-openrail",
    # CreativeML Open RAIL++-M (SDXL, SD 2.x) is not the OpenRAIL family id: '+' is not allowed in a LicenseRef.
    "openrail++": "LicenseRef-openrail-plus-plus",
    # Custom ids timm 1.0.31 uses (kept as the source spells them).
    "apple-amlr": "LicenseRef-apple-amlr",
    "apple-ascl": "LicenseRef-apple-ascl",
    "dinov3-license": "LicenseRef-dinov3-license",
    "cvnets-license": "LicenseRef-cvnets-license",
    "fastvit-license": "LicenseRef-fastvit-license",
    "mobileone-license": "LicenseRef-mobileone-license",
    "nvidia-open-model-license": "LicenseRef-nvidia-open-model-license",
    "seer-license": "LicenseRef-seer-license",
    "sapiens2-license": "LicenseRef-sapiens2-license",
    "fair-noncommercial-research-license": "LicenseRef-fair-noncommercial-research-license",
    "qwen-community-1.0": "LicenseRef-qwen-community-1.0",
    "gemma": "LicenseRef-gemma",
    # "unknown" is a declared non-answer: it stays unknown (None), never a guess.
    "unknown": None,
    "other": None,
    "": None,
}

_LICENSEREF_UNSAFE = re.compile(r"[^A-Za-z0-9.\-]+")


@cache
def normalize_raw_license(raw: str | None) -> str | None:
    """Normalize a raw license id (timm cfg, Hub card) to an SPDX id or ``LicenseRef-<raw>``; None = unknown."""
    if raw is None:
        return None
    key = raw.strip().lower()
    if key in RAW_LICENSE_IDS:
        return RAW_LICENSE_IDS[key]
    spdx = _single_spdx_key(raw.strip())
    if spdx is not None:
        return spdx
    return "LicenseRef-" + _LICENSEREF_UNSAFE.sub("-", raw.strip()).strip("-")


def _single_spdx_key(raw: str) -> str | None:
    """The SPDX id when ``raw`` is exactly one known SPDX license key (any case), else None."""
    if not raw or " " in raw:
        return None
    # Imported lazily: building the SPDX symbol table costs ~50 ms and the explicit table covers the
    # known raw ids, so a plain load never pays for it.
    from license_expression import ExpressionError, get_spdx_licensing

    licensing = _spdx_licensing(get_spdx_licensing)
    try:
        parsed = licensing.parse(raw, validate=True)
    except ExpressionError:
        return None
    if parsed is None or len(licensing.license_symbols(parsed)) != 1:
        return None
    return str(parsed.render())


_LICENSING: list[Any] = []


def _spdx_licensing(factory: Any) -> Any:
    if not _LICENSING:
        _LICENSING.append(factory())
    return _LICENSING[0]


@dataclass(frozen=True)
class KbFact:
    """One knowledge-base answer about a component's license, with where it comes from and when."""

    license: (
        str | None
    )  # normalized (SPDX id/expression or LicenseRef-...), None = unknown
    source: str  # URL or "timm 1.0.31 get_pretrained_cfg(...).license" etc.
    date: str  # YYYY-MM-DD or YYYY-MM or YYYY
    raw: str | None = None  # the source's own spelling ("cc-by-nc-4.0", "apple-amlr")
    note: str = ""
    task: str | None = None
    hf_hub_id: str | None = None
    gated: bool | None = None
    base_model: str | None = None
    # Hub entries: "card" (value read from the model's Hub card) or "inferred" (from an upstream repository or
    # paper, not the card); None elsewhere. An inferred value loses to a Hub answer in online mode.
    basis: str | None = None


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _fact_from_entry(entry: dict[str, Any]) -> KbFact:
    """A curated YAML entry -> KbFact (YAML may load dates as datetime.date: keep them as text)."""
    date = entry.get("date") or entry.get("seen")  # Hub snapshot entries date a card value by when it was seen
    return KbFact(
        license=_str_or_none(entry.get("license")),
        source=str(entry.get("source") or ""),
        date=date.isoformat() if hasattr(date, "isoformat") else str(date or ""),
        raw=_str_or_none(entry.get("raw")),
        note=str(entry.get("note") or "").strip(),
        task=_str_or_none(entry.get("task")),
        hf_hub_id=_str_or_none(entry.get("hf_hub_id")),
        gated=entry.get("gated"),
        base_model=_str_or_none(entry.get("base_model")),
        basis=_str_or_none(entry.get("basis")),
    )


def _load_yaml(path: Path) -> dict[str, Any]:
    return load_bundled_yaml(path.read_text(encoding="utf-8")) or {}


def _load_json(path: Path) -> dict[str, Any]:
    with path.open("r", encoding="utf-8") as fh:
        return json.load(fh)


def _first_rule(rules: tuple[tuple[re.Pattern[str], str], ...], text: str) -> tuple[str, str] | None:
    """(namespace, name) from the first rule whose regex matches ``text`` (its named groups fill the id template)."""
    for pattern, template in rules:
        match = pattern.match(text)
        if match:
            namespace, _, name = template.format(**match.groupdict()).partition(":")
            return namespace, name
    return None


class KnowledgeBase:
    """The bundled facts: generated tables (timm, torchvision, Ultralytics, open_clip) and curated YAML."""

    _cache: ClassVar[dict[Path, KnowledgeBase]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        directory: Path,
        tables: dict[str, dict[str, Any]],
        curated: dict[str, dict[str, Any]],
    ):
        self.directory = directory
        self._tables = tables
        self._timm = tables.get("timm", {})
        self._tv = tables.get("torchvision", {})
        self._ul = tables.get("ultralytics", {})
        self._oc = tables.get("open_clip", {})
        models_doc = curated.get("models", {})
        self._models: dict[str, dict[str, Any]] = dict(models_doc.get("models") or {})
        hub_models = dict((curated.get("hub_models", {}) or {}).get("models") or {})
        self._models.update(hub_models)
        self._families: dict[str, dict[str, Any]] = dict(
            models_doc.get("ultralytics_families") or {}
        )
        # Hub ids and torch.hub repos are case-insensitive; keep a lower-cased index for them.
        self._hf_index = {k[3:].lower(): k for k in self._models if k.startswith("hf:")}
        # Prefix rules (keys ending in ``*``), longest first so the most specific rule answers.
        self._prefix_rules = sorted(
            (k[:-1] for k in self._models if k.endswith("*") and not k.startswith(("hf:", "torchhub:"))),
            key=len,
            reverse=True,
        )
        self._hub_index: dict[str, str] = {}
        for key in self._models:
            if key.startswith("torchhub:"):
                repo, _, entry = key[len("torchhub:") :].rpartition(":")
                self._hub_index[f"{repo.lower()}:{entry}"] = key
        libs = (curated.get("libraries", {}) or {}).get("libraries") or {}
        self._libraries = {
            canonicalize_name(name): entry for name, entry in libs.items()
        }
        names = (curated.get("import_names", {}) or {}).get("import_names") or {}
        self._import_names = {str(k): str(v) for k, v in names.items()}
        shared = (curated.get("import_names", {}) or {}).get("shared") or {}
        self._shared_imports = {str(k): tuple(canonicalize_name(str(d)) for d in v) for k, v in shared.items()}
        self._preprocessors: dict[str, dict[str, Any]] | None = None
        self._urls: dict[str, tuple[str, str, str | None]] | None = None  # built on first use (weight_by_url)
        self._url_rules = tuple(
            (re.compile(str(rule["url"])), str(rule["id"])) for rule in models_doc.get("weight_urls") or ()
        )
        self._file_rules = tuple(
            (re.compile(str(rule["file"])), str(rule["id"])) for rule in models_doc.get("weight_files") or ()
        )
        self._curated_counts = {
            "models": len(self._models) - len(hub_models) + len(self._families),
            "hub_models": len(hub_models),
            "libraries": len(self._libraries),
            "import_names": len(self._import_names),
        }

    # ------------------------------------------------------------------------------------------ loading

    @classmethod
    def load(cls, directory: Path | None = None) -> KnowledgeBase:
        """Load (once per directory, then cached) the KB from ``directory`` (default: the bundled kb/)."""
        if directory is None:
            from vlicense.resources import kb_dir

            directory = kb_dir()
        key = Path(directory).resolve()
        with cls._lock:
            cached = cls._cache.get(key)
            if cached is None:
                cached = cls._read(key)
                cls._cache[key] = cached
            return cached

    @classmethod
    def _read(cls, directory: Path) -> KnowledgeBase:
        tables = {}
        for name in GENERATED_FILES:
            path = directory / f"{name}.json"
            if path.is_file():
                tables[name] = _load_json(path)
        curated = {}
        for name in CURATED_FILES:
            path = directory / f"{name}.yaml"
            if path.is_file():
                curated[name] = _load_yaml(path)
        return cls(directory, tables, curated)

    def versions(self) -> dict[str, dict]:
        """Provenance per file: generated tables give library, version, date, method, count; curated ones count."""
        out: dict[str, dict] = {}
        for name, table in sorted(self._tables.items()):
            info = dict(table.get("generated") or {})
            info["count"] = table.get("count")
            out[name] = info
        for name, count in self._curated_counts.items():
            out[name] = {"count": count}
        out["hub_models"]["card"] = sum(1 for k in self._hf_index.values() if self._models[k].get("basis") == "card")
        return out

    # ---------------------------------------------------------------------------------------- libraries

    def library(self, distribution: str) -> KbFact | None:
        """Curated license of a Python distribution (any spelling: ``PyYAML``, ``pyyaml``, ``opencv_python``)."""
        entry = self._libraries.get(canonicalize_name(distribution))
        return _fact_from_entry(entry) if entry else None

    def distribution_for_import(self, module: str) -> str | None:
        """Canonical distribution name for an import (``cv2`` -> ``opencv-python``), None when unknown.

        Dotted names match their longest known prefix (``google.protobuf.message`` -> ``protobuf``); a
        top-level name that is itself a curated distribution (``numpy``) maps to itself.
        """
        parts = module.strip().split(".")
        for i in range(len(parts), 0, -1):
            dist = self._import_names.get(".".join(parts[:i]))
            if dist:
                return canonicalize_name(dist)
        if parts[0] in NAMESPACE_CONVENTION and len(parts) > 1:
            # Google's and Azure's namespace distributions are named after the module path: google.cloud.storage
            # -> google-cloud-storage, google.colab -> google-colab, azure.storage.blob -> azure-storage-blob.
            depth = NAMESPACE_CONVENTION[parts[0]].get(parts[1], 2)
            return canonicalize_name("-".join(parts[:depth])) if len(parts) >= depth else None
        top = canonicalize_name(parts[0]) if parts[0] else ""
        return top if top in self._libraries else None

    def distributions_sharing_import(self, module: str) -> tuple[str, ...]:
        """Every distribution known to provide the top-level module of ``module`` (``cv2``: opencv-python, -headless, ...)."""
        return self._shared_imports.get(module.strip().split(".")[0], ())

    # --------------------------------------------------------------------------------------------- timm

    def _timm_version(self) -> str:
        return str((self._timm.get("generated") or {}).get("version", "?"))

    def _timm_date(self) -> str:
        return str((self._timm.get("generated") or {}).get("date", ""))

    def timm_default_tag(self, arch: str) -> str | None:
        """The tag ``timm.create_model(arch, pretrained=True)`` loads, or None for an unknown arch."""
        return (self._timm.get("default_tags") or {}).get(arch)

    def timm_tag(self, name: str) -> KbFact | None:
        """License timm declares for ``arch.tag`` (normalized; raw kept), or None when timm has no such tag."""
        entry = (self._timm.get("tags") or {}).get(name)
        if entry is None:
            return None
        raw = entry.get("license")
        if raw is None:
            note = "timm sets no license for this tag; the license is unknown"
        elif str(raw).lower() == "unknown":
            note = "timm declares the license as 'unknown'"
        else:
            note = ""
        return KbFact(
            license=normalize_raw_license(raw),
            source=f"timm {self._timm_version()} get_pretrained_cfg({name!r}).license",
            date=self._timm_date(),
            raw=raw,
            note=note,
            hf_hub_id=entry.get("hf_hub_id"),
        )

    def timm_archs(self) -> frozenset[str]:
        """Every timm architecture that has at least one pretrained tag."""
        return frozenset((self._timm.get("default_tags") or {}).keys())

    # -------------------------------------------------------------------------------------- torchvision

    def torchvision_enum_for_builder(self, builder: str) -> str | None:
        """Weights enum of a builder (``resnet50`` -> ``ResNet50_Weights``), None when unknown."""
        entry = (self._tv.get("builders") or {}).get(builder)
        return entry.get("enum") if entry else None

    def torchvision_legacy_member(
        self, builder: str, *, quantize: bool = False
    ) -> str | None:
        """``Enum.MEMBER`` the legacy ``pretrained=True`` loads for a builder (``quantize=True`` for quantized)."""
        entry = (self._tv.get("builders") or {}).get(builder)
        if not entry:
            return None
        if quantize and "legacy_pretrained_quantize" in entry:
            return entry.get("legacy_pretrained_quantize")
        return entry.get("legacy_pretrained")

    def torchvision_builder_category(self, builder: str) -> str | None:
        """The torchvision.models sub-module category of a builder (``classification``, ``detection``, ...)."""
        entry = (self._tv.get("builders") or {}).get(builder)
        return entry.get("module") if entry else None

    def torchvision_default_member(self, enum_name: str) -> str | None:
        """Member name that ``<enum_name>.DEFAULT`` aliases (``IMAGENET1K_V2``), None when unknown."""
        entry = (self._tv.get("enums") or {}).get(enum_name)
        return entry.get("default") if entry else None

    def torchvision_weight(self, enum_member: str) -> KbFact | None:
        """License of ``Enum.MEMBER`` (``DEFAULT`` resolved), None when torchvision has no such member."""
        enum_name, _, member = enum_member.partition(".")
        note_parts = []
        if member == "DEFAULT":
            default = self.torchvision_default_member(enum_name)
            if default is None:
                return None
            member = default
            note_parts.append(f"DEFAULT resolved to {enum_name}.{member}")
        key = f"{enum_name}.{member}"
        entry = (self._tv.get("weights") or {}).get(key)
        if entry is None:
            return None
        gen = self._tv.get("generated") or {}
        version = gen.get("version", "?")
        if entry.get("library_default"):
            source = (
                f"torchvision {version}: {key}.meta has no 'license'; library license BSD-3-Clause "
                "(https://github.com/pytorch/vision/blob/main/LICENSE)"
            )
            note_parts.append(
                "library default: torchvision records no license for these weights; its README says pretrained "
                "weights may carry terms derived from their training data"
            )
        else:
            source = f"torchvision {version} {key}.meta['license'] = {entry.get('license_url')}"
        recipe = entry.get("recipe") or ""
        if recipe and "github.com/pytorch/vision" not in recipe:
            note_parts.append(f"weights recipe outside pytorch/vision: {recipe}")
        return KbFact(
            license=entry.get("license"),
            source=source,
            date=str(gen.get("date", "")),
            raw=entry.get("license_url"),
            note="; ".join(note_parts),
            task=entry.get("task"),
        )

    def torchvision_enums(self) -> frozenset[str]:
        """Every torchvision weights enum name."""
        return frozenset((self._tv.get("enums") or {}).keys())

    # -------------------------------------------------------------------------------------- ultralytics

    def ultralytics_asset(self, filename: str) -> KbFact | None:
        """License of an official Ultralytics asset (exact file name from GITHUB_ASSETS_NAMES); None otherwise."""
        asset = (self._ul.get("assets") or {}).get(filename)
        if asset is None:
            return None
        curated = self._models.get(f"ultralytics:{filename}")
        if curated:
            return _fact_from_entry(curated)
        gen = self._ul.get("generated") or {}
        family = asset.get("family", "other")
        rule = self._families.get(family)
        listed = f"ultralytics {gen.get('version', '?')} GITHUB_ASSETS_NAMES (family {family})"
        if not rule:
            return KbFact(
                license=None,
                source=listed,
                date=str(gen.get("date", "")),
                note=f"no license rule for Ultralytics family {family!r}",
                task=asset.get("task"),
            )
        fact = _fact_from_entry(rule)
        return KbFact(
            license=fact.license,
            source=f"{fact.source}; {listed}",
            date=fact.date,
            raw=fact.raw,
            note=fact.note,
            task=asset.get("task"),
            gated=fact.gated,
            base_model=fact.base_model,
        )

    def ultralytics_assets(self) -> frozenset[str]:
        """Every official Ultralytics asset file name."""
        return frozenset((self._ul.get("assets") or {}).keys())

    # ---------------------------------------------------------------------------------------- open_clip

    def open_clip(self, model: str, tag: str) -> KbFact | None:
        """License of an open_clip ``(model, pretrained tag)``; None when open_clip does not know the pair.

        open_clip records no license: the answer comes from a curated entry, else the curated Hub snapshot
        of its ``hf_hub`` repo, else timm's cfg when the repo is a ``timm/<arch.tag>`` mirror; otherwise the
        license is unknown and the fact carries the Hub id to resolve.
        """
        curated = self._models.get(f"open_clip:{model}:{tag}")
        if curated:
            return _fact_from_entry(curated)
        entry = (self._oc.get("pretrained") or {}).get(f"{model}:{tag}")
        if entry is None:
            return None
        gen = self._oc.get("generated") or {}
        hub_id = entry.get("hf_hub_id")
        via = f"open_clip {gen.get('version', '?')} get_pretrained_cfg({model!r}, {tag!r}).hf_hub = {hub_id}"
        derived = self.hub_model(hub_id) if hub_id else None
        if derived is None and hub_id and hub_id.startswith("timm/"):
            derived = self.model(f"timm:{hub_id[len('timm/') :]}")
        if derived is not None:
            return KbFact(
                license=derived.license,
                source=f"{via}; {derived.source}",
                date=derived.date,
                raw=derived.raw,
                note=derived.note,
                task=derived.task or "zero-shot-image-classification",
                hf_hub_id=hub_id,
                gated=derived.gated,
                base_model=derived.base_model,
                basis=derived.basis,
            )
        return KbFact(
            license=None,
            source=via,
            date=str(gen.get("date", "")),
            note="open_clip records no license; resolve the Hub card of the hf_hub repo"
            if hub_id
            else "open_clip records no license and no Hub repo for this tag",
            task="zero-shot-image-classification",
            hf_hub_id=hub_id,
        )

    # ------------------------------------------------------------------------------- torch.hub, Hub, any

    def torchhub(self, repo: str, entry: str) -> KbFact | None:
        """License of a ``torch.hub.load(repo, entry)`` (repo ``owner/name``, case-insensitive)."""
        repo = (
            repo.strip().split(":", 1)[0].lower()
        )  # "owner/name:branch" -> "owner/name"
        for candidate in (f"{repo}:{entry}", f"{repo}:*"):
            key = self._hub_index.get(candidate)
            if key:
                fact = _fact_from_entry(self._models[key])
                if repo == "pytorch/vision":
                    fact = self._torchvision_hub_note(fact, entry)
                return fact
        return None

    def _torchvision_hub_note(self, fact: KbFact, builder: str) -> KbFact:
        # torch.hub.load("pytorch/vision", builder, weights=...) loads torchvision's own weights: say which
        # members of the builder's enum are not under the library default, so the caller resolves weights=.
        enum_name = self.torchvision_enum_for_builder(builder)
        if not enum_name:
            return fact
        members = (self._tv.get("enums") or {}).get(enum_name, {}).get("members", [])
        special = [
            f"{enum_name}.{m} ({w.get('license')})"
            for m in members
            if (w := (self._tv.get("weights") or {}).get(f"{enum_name}.{m}"))
            and not w.get("library_default")
        ]
        if not special:
            return fact
        note = (
            (fact.note.rstrip(".") + "; " if fact.note else "")
            + "weights with their own license: "
            + ", ".join(special)
        )
        return replace(fact, note=note)

    def model_zoo(self, library: str, name: str) -> KbFact | None:
        """License of a model-zoo checkpoint (``detectron2``/``mmdet`` config name): exact entry, else the zoo's rule."""
        return self.curated_rule(f"{library}:{name}")

    def curated_rule(self, component_id: str) -> KbFact | None:
        """The curated entry for an id: exact, else the most specific prefix rule (``insightface:*``), else None."""
        key = self.curated_key(component_id)
        return _fact_from_entry(self._models[key]) if key is not None else None

    def curated_key(self, component_id: str) -> str | None:
        """Which curated entry answers an id: the id itself, the most specific prefix rule (``roboflow:yolov8*``), or None."""
        if component_id in self._models:
            return component_id
        prefix = next((p for p in self._prefix_rules if component_id.startswith(p)), None)
        return prefix + "*" if prefix is not None and prefix + "*" in self._models else None

    def hub_model(self, repo_id: str) -> KbFact | None:
        """Offline Hub snapshot (hub_models.yaml) of a model's license (case-insensitive repo id)."""
        key = self._hf_index.get(repo_id.strip().lower())
        return _fact_from_entry(self._models[key]) if key else None

    def model(self, component_id: str) -> KbFact | None:
        """License fact for any component id (curated models.yaml and hub_models.yaml first, then the generated tables)."""
        curated = self._models.get(component_id)
        if curated:
            return _fact_from_entry(curated)
        kind, _, rest = component_id.partition(":")
        if not rest:
            return None
        if kind == "pypi":
            return self.library(rest)
        if kind == "timm":
            if "." not in rest:
                tag = self.timm_default_tag(rest)
                if tag is None:
                    return None
                fact = self.model(f"timm:{rest}.{tag}")
                if fact is None:
                    return None
                note = (
                    fact.note + "; " if fact.note else ""
                ) + f"default tag resolved: {rest}.{tag}"
                return replace(fact, note=note)
            return self.timm_tag(rest)
        if kind == "torchvision":
            return self.torchvision_weight(rest)
        if kind == "ultralytics":
            return self.ultralytics_asset(rest)
        if kind == "open_clip":
            model, _, tag = rest.partition(":")
            return self.open_clip(model, tag) if tag else None
        if kind == "torchhub":
            repo, _, entry = rest.rpartition(":")
            return self.torchhub(repo, entry) if repo else None
        if kind not in GENERATED_KINDS:
            return self.curated_rule(component_id)
        if kind == "hf":
            fact = self.hub_model(rest)
            if fact is None and rest.startswith("timm/"):
                # timm writes its cfg license into the cards of the timm/ repos it pushes (_hub.py).
                derived = self.model(f"timm:{rest[len('timm/') :]}")
                if derived is not None:
                    fact = replace(derived, hf_hub_id=rest)
            return fact
        return None

    def weight_by_url(self, url: str) -> tuple[str, str, str | None] | None:
        """(loader, name, variant) of the weight a curated URL rule (models.yaml ``weight_urls``) or a generated
        table (torchvision ``url``, timm ``url``, open_clip ``url``) lists for ``https://host/path``; None otherwise."""
        found = _first_rule(self._url_rules, url)
        if found is not None and found[0] == "torchvision":  # a legacy torchvision URL: the member is the variant
            return "torchvision", "", found[1]
        if found is not None:
            return found[0], found[1], None
        if self._urls is None:
            urls: dict[str, tuple[str, str, str | None]] = {}
            for member, entry in sorted((self._tv.get("weights") or {}).items()):
                if isinstance(entry, dict) and entry.get("url"):
                    urls.setdefault(str(entry["url"]), ("torchvision", "", member))
            for tag, entry in sorted((self._timm.get("tags") or {}).items()):
                if isinstance(entry, dict) and entry.get("url"):
                    urls.setdefault(str(entry["url"]), ("timm", tag, None))
            for key, entry in sorted((self._oc.get("pretrained") or {}).items()):
                if isinstance(entry, dict) and entry.get("url"):
                    model, _, tag = key.partition(":")
                    urls.setdefault(str(entry["url"]), ("open_clip", model, tag))
            self._urls = urls
        return self._urls.get(url)

    def weight_by_file_name(self, name: str) -> tuple[str, str] | None:
        """(namespace, name) of an official weight file name a curated rule (models.yaml ``weight_files``) knows:
        ``yolov5s.pt`` -> ("yolov5", "yolov5s.pt"); None for any other name."""
        return _first_rule(self._file_rules, name)

    def model_ids(self) -> frozenset[str]:
        """Every curated component id (models.yaml and hub_models.yaml)."""
        return frozenset(self._models)

    # --------------------------------------------------------------------------------- data configs (hygiene)

    def data_config(self, component_id: str) -> _data.DataConfig | None:
        """The preprocessing the weights of a (resolved) component id expect, read from the library that defines
        them (generated tables) or, for Hub models, from the curated preprocessor snapshot; None when unknown."""
        kind, _, rest = component_id.partition(":")
        if kind == "torchvision":
            return self._table_config("torchvision", "weights", rest, f"{rest}.transforms()")
        if kind == "timm" and "." in rest:
            return self._table_config("timm", "tags", rest, f"resolve_model_data_config + create_transform for {rest}")
        if kind == "open_clip":
            model, _, tag = rest.partition(":")
            return self._table_config("open_clip", "pretrained", rest, f"create_model_and_transforms({model!r}, pretrained={tag!r}) preprocess")
        if kind == "hf":
            if rest.startswith("timm/"):
                return self.data_config(f"timm:{rest[len('timm/'):]}")
            return self.hub_preprocessor(rest)
        return None

    def _table_config(self, library: str, section: str, key: str, what: str) -> _data.DataConfig | None:
        table = self._tables.get(library, {})
        entry = (table.get(section) or {}).get(key)
        config = (table.get("data_configs") or {}).get(entry.get("data")) if entry else None
        if config is None:
            return None
        gen = table.get("generated") or {}
        return _data.from_table(config, source=f"{library} {gen.get('version', '?')} {what}", date=str(gen.get("date", "")))

    def hub_preprocessor(self, repo_id: str) -> _data.DataConfig | None:
        """A Hub model's preprocessor_config.json as recorded in the curated snapshot (case-insensitive id)."""
        entry = self._hub_preprocessors().get(repo_id.strip().lower())
        if entry is None:
            return None
        return _data.from_preprocessor_config(entry.get("config"), source=str(entry.get("source", "")), date=str(entry.get("date", "")))

    def _hub_preprocessors(self) -> dict[str, dict[str, Any]]:
        # Read on first use only: most audits never ask (no hand-written preprocessing reaches a Hub model).
        if self._preprocessors is None:
            path = self.directory / f"{HUB_PREPROCESSORS}.yaml"
            doc = _load_yaml(path) if path.is_file() else {}
            self._preprocessors = {str(k).lower(): v for k, v in (doc.get("preprocessors") or {}).items() if isinstance(v, dict)}
        return self._preprocessors

    def library_constant(self, qualname: str) -> tuple[float, ...] | None:
        """A mean/std constant of timm or open_clip by the name code imports it as
        (``timm.data.IMAGENET_DEFAULT_MEAN``, ``open_clip.OPENAI_DATASET_STD``), read from the installed library."""
        library, _, rest = qualname.partition(".")
        if library not in ("timm", "open_clip"):
            return None
        values = (self._tables.get(library, {}).get("constants") or {}).get(rest.rpartition(".")[2])
        return tuple(float(v) for v in values) if values else None

    def pretrained_weights(self, library: str, name: str) -> list[str]:
        """Component ids of the pretrained weights a builder/architecture can load, the default first:
        ``torchvision`` builder -> its enum members, ``timm`` arch -> its tags, ``open_clip`` model -> its tags."""
        if library == "torchvision":
            enum_name = self.torchvision_enum_for_builder(name)
            entry = (self._tv.get("enums") or {}).get(enum_name or "")
            if not entry:
                return []
            members = list(entry.get("members") or [])
            default = entry.get("default")
            ordered = ([default] if default in members else []) + [m for m in members if m != default]
            return [f"torchvision:{enum_name}.{m}" for m in ordered]
        if library == "timm":
            default = self.timm_default_tag(name)
            tags = sorted(k for k in (self._timm.get("tags") or {}) if k.split(".", 1)[0] == name)
            first = [f"{name}.{default}"] if default and f"{name}.{default}" in tags else []
            return [f"timm:{t}" for t in first + [t for t in tags if t not in first]]
        if library == "open_clip":
            keys = sorted(k for k in (self._oc.get("pretrained") or {}) if k.split(":", 1)[0] == name)
            return [f"open_clip:{k}" for k in keys]
        return []
