"""Model references in config files (YAML, JSON, TOML, INI/CFG): values under model-ish keys that name weights."""

from __future__ import annotations

import bisect
import configparser
import json
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from json.decoder import scanstring
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from vlicense.bounded import CONFIG_YAML, OverLimit, compose_yaml, load_json, load_toml, paused_gc, yaml_problem
from vlicense.discovery import registry
from vlicense.discovery.loaders import CATALOG
from vlicense.discovery.loaders.base import (
    looks_like_path,
    normalize_path,
    weight_format,
)
from vlicense.discovery.loaders.cli import text_references
from vlicense.knowledge.loader_catalog import Part
from vlicense.knowledge.weight_urls import ARCHIVE_SUFFIXES, valid_hub_id, weight_for_url
from vlicense.discovery.registry import FileScan
from vlicense.discovery.sources import Unreadable, decode_text, read_bytes
from vlicense.model import Location, ModelReference, SkippedFile, UnresolvedReference

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

SCANNER_NAME = "configs"
# Bump when what the scanner reports changes: it keys the per-file result cache.
SCANNER_VERSION = "5"
MAX_CONFIG_BYTES = 2 * 1024 * 1024
SNIPPET_LIMIT = 200

Reference = ModelReference | UnresolvedReference

# ----------------------------------------------------------------------------------------------- keys

# A key is model-ish when, lower-cased and split on ``_``/``-``/``.`` (suffixes such as ``_path`` removed), its
# last word is one of these: ``model``, ``model_name``, ``teacher_model``, ``sam_checkpoint``, ``YOLO_WEIGHTS``.
# ``tower``: multimodal models name their pretrained encoders towers (LLaVA ``--vision_tower`` and its checkpoints'
# ``mm_vision_tower`` config key, Video-LLaVA ``image_tower``, two-tower CLIP ``text_tower``).
MODEL_WORDS = frozenset(
    {
        "model",
        "models",
        "weights",
        "weight",
        "checkpoint",
        "ckpt",
        "backbone",
        "arch",
        "architecture",
        "encoder",
        "pretrained",
        "detector",
        "classifier",
        "segmenter",
        "teacher",
        "student",
        "tower",
    }
)
# Trailing words that only say how the model is named (``model_name_or_path`` -> ``model``).
KEY_SUFFIX_WORDS = frozenset({"path", "file", "name", "id", "or", "url", "uri", "dir", "repo"})
# Leading words that make a key a count or a switch (``num_models``, ``freeze_backbone``, ``use_pretrained``).
NOT_A_NAME_WORDS = frozenset({"num", "n", "max", "min", "total", "count", "use", "freeze", "save", "log", "enable", "disable"})
# Whole keys that name a Hugging Face repository (a bare legacy id such as ``gpt2`` counts under these).
HUB_KEYS = frozenset(
    {
        "repo_id",
        "hf_model",
        "hf_model_id",
        "hf_repo",
        "hf_repo_id",
        "hf_hub_id",
        "hub_model_id",
        "hub_model",
        "model_repo",
        "model_name_or_path",
        "pretrained_model_name_or_path",
        "_name_or_path",
        "text_encoder_type",
    }
)
# MMDetection/MMPretrain spell the starting weights ``load_from`` (and a training run's ``resume_from``);
# GroundingDINO names its Hugging Face text encoder ``text_encoder_type``.
EXTRA_KEYS = frozenset({"load_from", "resume_from"}) | HUB_KEYS
# Leading words that make a key name pretrained weights whatever follows: basicsr ``pretrain_network_g``,
# ZoeDepth ``pretrained_resource``, ``pretrained_path``.
PRETRAINED_WORDS = frozenset({"pretrain", "pretrained"})
# Sibling keys that switch pretrained weights off (``pretrained: false`` next to ``arch: resnet50``).
PRETRAINED_FLAGS = ("pretrained", "use_pretrained", "pretrained_weights", "load_pretrained")


def _key_words(key: str) -> list[str]:
    return [w for w in re.split(r"[_\-.\s]+", key.strip().lower()) if w]


@lru_cache(maxsize=4096)
def is_model_key(key: object) -> bool:
    """Whether a config key (any case; ``-``/``.`` separators; ``_path``/``_file`` suffixes) names a model."""
    if not isinstance(key, str) or not key or len(key) > 80:
        return False
    lowered = key.strip().lower().replace("-", "_")
    if lowered in EXTRA_KEYS:
        return True
    words = _key_words(key)
    if words and words[0] in NOT_A_NAME_WORDS:
        return False
    if words and words[0] in PRETRAINED_WORDS:
        return True
    while words and words[-1] in KEY_SUFFIX_WORDS:
        words.pop()
    return bool(words) and words[-1] in MODEL_WORDS


def is_hub_key(key: str) -> bool:
    return key.strip().lower().replace("-", "_") in HUB_KEYS or key.strip().lower().startswith(("hf_", "hub_"))


# --------------------------------------------------------------------------------------------- values

TORCHVISION_ENUM = re.compile(r"^(?:torchvision\.models\.(?:[a-z_0-9]+\.)*)?([A-Za-z0-9_]+_Weights)\.([A-Za-z0-9_]+)$")
# ``Enum.MEMBER`` members are upper case (``IMAGENET1K_V2``, ``COCO_V1``, ``DEFAULT``).
TORCHVISION_MEMBER = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Name suffixes that make an ``a/b`` value a file path, never a Hub id (``configs/yolov8.yaml``).
NON_WEIGHT_SUFFIXES = (
    ".yaml", ".yml", ".json", ".txt", ".py", ".cfg", ".ini", ".toml", ".md", ".csv", ".xml", ".zip", ".tar",
    ".gz", ".tgz", ".png", ".jpg", ".jpeg", ".mp4", ".html", ".sh", ".log",
)  # fmt: skip
# ``${oc.env:MODEL,yolov8n.pt}`` (OmegaConf) and ``${MODEL:-yolov8n.pt}`` (shell/compose): the default is used.
_INTERPOLATION_DEFAULT = re.compile(r"^\$\{(?:oc\.env:[\w.]+\s*,|[A-Za-z_]\w*:?-)\s*(?P<default>[^${}]+?)\s*\}$")
_INTERPOLATION = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_]\w*|\{\{[^}]*\}\}|%\([^)]*\)s")
ULTRALYTICS_NAME = re.compile(r"^yolo[\w.\-]*\.pt$", re.IGNORECASE)
# OpenMMLab aliases (``open-mmlab://resnet50_v1c``) resolve through the library's own tables.
MMLAB_SCHEMES = ("open-mmlab://", "openmmlab://", "mmcls://", "mmdet://", "mmpretrain://", "modelzoo://")
# URI schemes a library resolves itself, and the catalog callee whose rule maps them (detectron2/utils/file_io.py:21-29).
CATALOG_SCHEMES = {"detectron2://": "detectron2.config.get_cfg().MODEL.WEIGHTS"}


@dataclass(frozen=True)
class ValueContext:
    """Where a value sits: file, scope, the project root (to tell project files from downloads), siblings."""

    root: Path
    rel: str
    scope: str
    api: str
    # Scalar siblings in the same mapping, lower-cased keys (``_target_``, ``pretrained``, ``weights``).
    siblings: Mapping[str, object] = field(default_factory=dict)
    # True when the key itself names a Hugging Face repository (``repo_id``, ``_name_or_path``).
    hub_key: bool = False

    @property
    def rel_dir(self) -> str:
        parent = str(PurePosixPath(self.rel).parent)
        return "" if parent == "." else parent


def classify_value(raw: str, location: Location, ctx: ValueContext) -> list[Reference]:
    """The model references a string under a model-ish key stands for ([] when it names no weights)."""
    value = raw.strip().strip("'\"").strip()
    if not value or len(value) > 500 or "\n" in value:
        return []
    default = _INTERPOLATION_DEFAULT.match(value)
    if default:
        return classify_value(default.group("default"), location, ctx)
    if _INTERPOLATION.search(value):
        if weight_format(value) or value.lower().startswith(("http://", "https://", "hf-hub:", "hf_hub:")):
            return [
                UnresolvedReference(location, _loader_guess(value), value, "value is filled in at run time (interpolation)")
            ]
        return []
    if " " in value or "\t" in value:
        return []
    kb = _kb()
    # ZoeDepth's resource strings: ``url::<URL>`` and ``local::<path>``.
    for prefix in ("url::", "local::"):
        if value.lower().startswith(prefix):
            return classify_value(value[len(prefix):], location, ctx)
    if value.lower().startswith(("http://", "https://")):
        return url_references(value, "", location, ctx.scope, ctx.api, strict=False)
    lowered = value.lower()
    if lowered.startswith("torchvision://"):
        builder = value[len("torchvision://") :]
        if kb.torchvision_enum_for_builder(builder):
            return [_model("torchvision", builder, location, ctx, variant="legacy-pretrained")]
        return [UnresolvedReference(location, "torchvision", value, f"torchvision builder {builder!r} is not known")]
    if lowered.startswith(tuple(CATALOG_SCHEMES)):
        # ``MODEL.WEIGHTS: detectron2://...`` in a yacs config: the scheme's library reads it (its catalog rule).
        rule = CATALOG.rule_for(CATALOG_SCHEMES[lowered.split(":", 1)[0] + "://"])
        return text_references(rule.part.mapping, value, location, ctx.scope, ctx.api) if rule is not None else []
    if lowered.startswith(MMLAB_SCHEMES):
        return [UnresolvedReference(location, "file", value, "OpenMMLab model-zoo alias: its weights and license are not known statically")]
    if lowered.startswith(("hf-hub:", "hf_hub:")):
        repo, _, revision = value.split(":", 1)[1].partition("@")
        if valid_hub_id(repo):
            return [_model("huggingface", repo, location, ctx, revision=revision or None)]
        return [UnresolvedReference(location, "huggingface", value, "not a valid Hugging Face Hub id")]
    enum = TORCHVISION_ENUM.match(value)
    if enum:
        return [_model("torchvision", _torchvision_builder(ctx), location, ctx, variant=f"{enum.group(1)}.{enum.group(2)}")]
    fmt = weight_format(value)
    if fmt:
        return [_weight_path(value, fmt, location, ctx)]
    if lowered.endswith(NON_WEIGHT_SUFFIXES):
        return []
    # ``yolov8n`` means ``yolov8n.pt`` to Ultralytics when it is an official asset's stem.
    if "/" not in value and kb.ultralytics_asset(f"{value}.pt") is not None:
        return [_model("ultralytics", f"{value}.pt", location, ctx)]
    if "/" not in value and "\\" not in value:
        return _bare_name(value, location, ctx)
    local = _project_path(ctx, normalize_path(value))
    if local is not None:
        return [_model("file", local, location, ctx, variant="directory")]
    if looks_like_path(value):
        return []
    if valid_hub_id(value):
        return [_model("huggingface", value, location, ctx)]
    return []


def _bare_name(value: str, location: Location, ctx: ValueContext) -> list[Reference]:
    """A value without ``/``: a timm arch (or ``arch.tag``), a torchvision builder, or a legacy Hub id."""
    kb = _kb()
    target = str(ctx.siblings.get("_target_") or "")
    pretrained_off = any(ctx.siblings.get(flag) is False for flag in PRETRAINED_FLAGS)
    tv_target = target.startswith("torchvision.")
    arch = value.split(".", 1)[0]
    enum_name = kb.torchvision_enum_for_builder(value)
    if not tv_target and (arch in _timm_archs() or kb.timm_tag(value) is not None):
        if pretrained_off:
            return []
        if enum_name and "." not in value and not target.startswith("timm."):
            # Both libraries publish weights under this name (anomalib's CFA loads torchvision's wide_resnet50_2):
            # without the loading library, which weights is not known, and guessing could be wrong.
            return [
                UnresolvedReference(
                    location,
                    "timm",
                    value,
                    "names both a timm architecture and a torchvision builder; which library loads it is not known from this config",
                    (f"timm:{value}", f"torchvision:{enum_name}.DEFAULT"),
                )
            ]
        return [_model("timm", value, location, ctx)]
    if enum_name:
        if pretrained_off:
            return []
        if any(ctx.siblings.get(flag) is True for flag in PRETRAINED_FLAGS):
            return [_model("torchvision", value, location, ctx, variant="legacy-pretrained")]
        return [
            UnresolvedReference(
                location,
                "torchvision",
                value,
                "torchvision builder named in a config; whether it loads pretrained weights is not known statically",
                (f"{enum_name}.DEFAULT",),
            )
        ]
    if ctx.hub_key and valid_hub_id(value) and not value.isdigit() and value.lower() not in ("none", "null", "true", "false"):
        return [_model("huggingface", value, location, ctx)]
    if kb.hub_model(value) is not None:
        return [_model("huggingface", value, location, ctx)]
    return []


def _weight_path(value: str, fmt: str, location: Location, ctx: ValueContext) -> Reference:
    """A weight file: in the project -> "file"; an Ultralytics asset name -> "ultralytics"; else unresolved."""
    path = normalize_path(value)
    local = _project_path(ctx, path)
    if local is not None:
        return _model("file", local, location, ctx, variant=fmt)
    base = PurePosixPath(path).name
    if _kb().ultralytics_asset(base) is not None or ULTRALYTICS_NAME.match(base):
        # Ultralytics downloads an official asset named like this wherever the path points.
        return _model("ultralytics", path, location, ctx)
    # A weight file the tree does not hold: the program expects it at run time (downloaded or copied at deploy
    # time); its license is unknown unless the name says more.
    return _model("file", path, location, ctx, variant=fmt)


def _torchvision_builder(ctx: ValueContext) -> str:
    """The builder a Hydra ``_target_: torchvision.models.resnet50`` sibling names, else ``""``."""
    target = str(ctx.siblings.get("_target_") or "")
    if target.startswith("torchvision.models."):
        short = target.rsplit(".", 1)[-1]
        if short and short[0].islower() and short not in ("get_model", "get_weight"):
            return short
    name = ctx.siblings.get("name")
    if target.endswith(".get_model") and isinstance(name, str):
        return name
    return ""


def _loader_guess(value: str) -> str:
    if "huggingface.co" in value or value.lower().startswith(("hf-hub:", "hf_hub:")):
        return "huggingface"
    return "file"


def _model(loader: str, name: str, location: Location, ctx: ValueContext, **kw: Any) -> ModelReference:
    return ModelReference(loader=loader, name=name, location=location, scope=ctx.scope, api=ctx.api, **kw)  # type: ignore[arg-type]


def _project_path(ctx: ValueContext, path: str) -> str | None:
    """``path`` relative to the root (or to the config file's folder) when it exists in the project."""
    if not path or path.startswith(("/", "~")) or re.match(r"^[A-Za-z]:/", path):
        return None
    candidates = [path]
    if ctx.rel_dir:
        candidates.append(f"{ctx.rel_dir}/{path}")
    for candidate in candidates:
        normalized = _collapse(candidate)
        if normalized is None:
            continue
        try:
            if (ctx.root / normalized).exists():
                return normalized
        except OSError:
            continue
    return None


def _collapse(path: str) -> str | None:
    """``a/../b`` -> ``b``; None when the path climbs out of the root."""
    parts: list[str] = []
    for part in PurePosixPath(path).parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts) or None


# ------------------------------------------------------------------------------------------------ URLs

def url_reference(url: str, location: Location, scope: str, api: str, *, strict: bool = True) -> Reference | None:
    """A reference for a download URL of weights (knowledge/weight_urls.py), or None for a URL that is not one.

    A Hub file, an Ultralytics asset or a weight a generated table lists -> that model; any other weight file ->
    UnresolvedReference (its license is not known statically). ``strict=False`` (config values) also accepts Hub
    repository pages and archives.
    """
    found = weight_for_url(url, repo_pages=not strict, archives=not strict)
    if found is None:
        return None
    if found.loader != "file":
        return ModelReference(found.loader, found.name, location, variant=found.variant, revision=found.revision,  # type: ignore[arg-type]
                              api=api, scope=scope)
    if found.host == "download.pytorch.org" and urlsplit(url.strip()).path.startswith("/models/"):
        return UnresolvedReference(location, "torchvision", url, "download.pytorch.org weight file not in the knowledge base's torchvision table")
    return UnresolvedReference(location, "file", url, f"weights downloaded from {found.host or 'a URL'}: their license is not known statically")


def url_references(url: str, saved: str, location: Location, scope: str, api: str, *, strict: bool = True) -> list[Reference]:
    """A download of weights: the known weight a URL names (a Hub file, an Ultralytics asset, a torchvision weight),
    else the file it is saved as (``file:<saved or the URL's file name>``, with the URL; license unknown); [] for a
    URL and a saved name that are not weights (a dataset archive, an image, a page). ``strict=False`` (config
    values) also accepts Hub repository pages and archives."""
    found = url_reference(url, location, scope, api, strict=strict)
    if isinstance(found, ModelReference):
        return [replace(found, saved_as=normalize_path(saved)) if saved else found]
    if isinstance(found, UnresolvedReference) and found.loader != "file":
        return [found]  # a download.pytorch.org file the torchvision table does not list
    name = PurePosixPath(unquote(urlsplit(url.strip()).path)).name
    path = normalize_path(saved) if saved else name
    fmt = weight_format(path) or (weight_format(name) if found is not None else None)
    if not fmt and (found is not None or _in_weights_folder(path)):
        fmt = next((s[1:] for s in ARCHIVE_SUFFIXES if path.lower().endswith(s) or name.lower().endswith(s)), None)
    if not fmt or not path:
        return []
    return [ModelReference("file", path, location, variant=fmt, api=api, scope=scope, url=url.strip())]


# Folders a download saved in is weights whatever its format: ``wget -O models/first_stage_models/kl-f8/model.zip``
# (latent-diffusion's download scripts) is an archive of a checkpoint, not a dataset.
WEIGHT_FOLDERS = frozenset({"models", "model", "weights", "checkpoints", "checkpoint", "ckpt", "ckpts", "pretrained",
                            "pretrained_models", "pretrained_weights", "model_weights"})


def _in_weights_folder(path: str) -> bool:
    return any(part.lower() in WEIGHT_FOLDERS for part in PurePosixPath(path).parts[:-1])


@lru_cache(maxsize=1)
def _timm_archs() -> frozenset[str]:
    return _kb().timm_archs()


@lru_cache(maxsize=1)
def _kb():
    # Imported lazily: discovery must not pay for the knowledge base unless a config file needs it.
    from vlicense.knowledge.knowledge_base import KnowledgeBase

    return KnowledgeBase.load()


# ------------------------------------------------------------------------------------------- file types

JSON_EXCLUDED_NAMES = frozenset(
    {"package.json", "package-lock.json", "npm-shrinkwrap.json", "composer.json", "tsconfig.json", "jsconfig.json"}
)
TOML_EXCLUDED_NAMES = frozenset({"pylock.toml", "cargo.toml"})
# pyproject.toml tables that hold dependencies and build settings (manifests.py reads those).
PYPROJECT_SKIPPED = (("project",), ("build-system",), ("dependency-groups",), ("tool", "poetry"), ("tool", "pdm"),
                     ("tool", "uv"), ("tool", "hatch"), ("tool", "setuptools"), ("tool", "pixi"))  # fmt: skip
# setup.cfg sections manifests.py reads.
SETUP_CFG_SKIPPED = ("metadata", "options")


def config_kind(rel: str) -> str | None:
    """``yaml`` | ``json`` | ``toml`` | ``ini`` | ``env`` for a config file this scanner reads, else None."""
    name = rel.rpartition("/")[2].lower()  # asked of every walked file: no PurePosixPath here
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".json"):
        if name in JSON_EXCLUDED_NAMES or name.endswith(("-lock.json", ".lock.json")) or name.startswith("tsconfig."):
            return None
        return "json"
    if name.endswith(".toml"):
        if name in TOML_EXCLUDED_NAMES or (name.startswith("pylock.") and name.count(".") >= 2):
            return None
        return "toml"
    if name.endswith((".cfg", ".ini")):
        return "ini"
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "env"  # dotenv files (python-dotenv, docker compose env_file): KEY=VALUE lines
    return None


def matches(rel: str) -> bool:
    return config_kind(rel) is not None


# ------------------------------------------------------------------------------------------------ trees


@dataclass(frozen=True)
class Scalar:
    """A leaf value with its position (1-based line and column; 0 when unknown)."""

    value: object
    line: int
    column: int = 1
    # Line where the text of a block scalar starts (YAML ``run: |``); 0 = same as ``line``.
    body_line: int = 0


class Malformed(Exception):
    """The file is not valid in its format; the message is the reason."""


def yaml_documents(text: str) -> list[object]:
    """Every YAML document as a tree of dict/list/Scalar (composed only: no object is ever constructed).

    Raises Malformed, or OverLimit when the document breaks a limit (nodes, alias expansion, depth).
    """
    try:
        nodes = compose_yaml(text, CONFIG_YAML, every_document=True)
    except yaml.YAMLError as exc:
        raise Malformed(f"malformed YAML ({yaml_problem(exc)})") from exc
    with paused_gc():
        return [_yaml_tree(node) for node in nodes if node is not None]


_YAML_BOOL = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def _yaml_scalar(node: yaml.ScalarNode) -> Scalar:
    tag = node.tag or ""
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if tag.endswith(":str"):
        value: object = node.value
    elif tag.endswith(":bool"):
        value = _YAML_BOOL.get(node.value.lower())
    elif tag.endswith(":null"):
        value = None
    elif tag.endswith((":int", ":float")):
        value = node.value  # kept as text: numbers never name a model
        return Scalar(("number", value), line, column)
    else:
        return Scalar(("tagged", node.value), line, column)  # custom tags (``!Ref x``) are not plain strings
    body = line + 1 if node.style in ("|", ">") else 0
    return Scalar(value, line, column, body)


def _yaml_tree(root: yaml.Node) -> object:
    # Iterative with a visited set: aliases share nodes, so a naive walk can be exponential ("billion laughs").
    built: dict[int, object] = {}
    visited: set[int] = set()

    def convert(node: yaml.Node) -> object:
        if isinstance(node, yaml.ScalarNode):
            return _yaml_scalar(node)
        if id(node) in visited:
            return built.get(id(node), {} if isinstance(node, yaml.MappingNode) else [])
        visited.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            out_list: list[object] = []
            built[id(node)] = out_list
            stack.append((node, out_list))
            return out_list
        out_dict: dict[str, object] = {}
        built[id(node)] = out_dict
        stack.append((node, out_dict))
        return out_dict

    stack: list[tuple[yaml.Node, object]] = []
    top = convert(root)
    while stack:
        node, out = stack.pop()
        if isinstance(out, list):
            out.extend(convert(child) for child in node.value)
        else:
            assert isinstance(out, dict)
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value not in out:
                    out[str(key_node.value)] = convert(value_node)
    return top


def json_tree(text: str) -> object:
    """The JSON document as a tree of dict/list/Scalar with exact positions of every string."""
    try:
        data = load_json(text, max_bytes=MAX_CONFIG_BYTES)
    except ValueError as exc:
        raise Malformed(f"malformed JSON ({exc})") from exc
    if not _has_model_key(data):
        return None  # positions are only worth tracking when there is something to report (large data files)
    try:
        return _json_fast_tree(text, data)
    except _NeedExactWalk:
        return _JsonPositions(text).parse()


# One pass over the raw text, in document order: ``"key": "value"`` pairs, keys, other strings, and the rest.
# Every string is matched from its opening quote, so the scan never falls out of step with the document.
_JSON_CHUNK = re.compile(
    r'(?P<pair>"(?P<k>(?:[^"\\]|\\.)*)"\s*:\s*(?P<v>"(?:[^"\\]|\\.)*"))'
    r'|(?P<key>"(?:[^"\\]|\\.)*"\s*:)'
    r'|(?P<s>"(?:[^"\\]|\\.)*")'
    r'|[^"]+',
    re.DOTALL,
)


class _NeedExactWalk(Exception):
    """The fast path could not place a value (unusual escapes): use the exact token walk."""


def _json_fast_tree(text: str, data: object) -> object:
    """Tree from json.loads data; positions of the strings that can be reported come from one regex pass."""
    pairs: dict[tuple[str, str], list[int]] = {}
    items: dict[str, list[int]] = {}
    for match in _JSON_CHUNK.finditer(text):
        if match.group("pair") is not None:
            if is_model_key(match.group("k")):
                pairs.setdefault((match.group("k"), match.group("v")), []).append(match.start("v"))
        elif match.group("s") is not None:
            items.setdefault(match.group("s"), []).append(match.start("s"))
    newlines = [m.start() for m in re.finditer("\n", text)]
    used: dict[object, int] = {}

    def place(table: dict, key: object, raw_forms: list) -> Scalar:
        for form in raw_forms:
            offsets = table.get(form)
            if offsets:
                index = used.get(form, 0)
                if index < len(offsets):
                    used[form] = index + 1
                    line = bisect.bisect_left(newlines, offsets[index])
                    start = newlines[line - 1] + 1 if line else 0
                    return Scalar(key, line + 1, offsets[index] - start + 1)
        raise _NeedExactWalk

    def encodings(value: str) -> list[str]:
        return list(dict.fromkeys([json.dumps(value), json.dumps(value, ensure_ascii=False)]))

    def convert(value: object) -> object:
        if isinstance(value, bool) or value is None:
            return Scalar(value, 0)
        if isinstance(value, str):
            return Scalar(value, 0)
        if isinstance(value, (int, float)):
            return Scalar(("number", str(value)), 0)
        return {} if isinstance(value, dict) else []

    root = convert(data)
    if not isinstance(root, (dict, list)):
        return root
    # Pre-order, children in document order: the n-th occurrence of a pair in the walk is its n-th in the text.
    stack: list[tuple[Iterator, object, str | None]] = [(_children(data), root, None)]
    while stack:
        iterator, out, parent_key = stack[-1]
        entry = next(iterator, None)
        if entry is None:
            stack.pop()
            continue
        key, value = entry
        if isinstance(value, str) and isinstance(out, dict) and is_model_key(key):
            node: object = place(pairs, value, [(k[1:-1], v) for k in encodings(key) for v in encodings(value)])
        elif isinstance(value, str) and isinstance(out, list) and (
            (parent_key is not None and is_model_key(parent_key)) or _env_model_item(value)
        ):
            node = place(items, value, encodings(value))
        else:
            node = convert(value)
        if isinstance(out, dict):
            out.setdefault(key, node)
        else:
            out.append(node)
        if isinstance(value, (dict, list)):
            stack.append((_children(value), node, key if isinstance(out, dict) else parent_key))
    return root


def _children(value: object) -> Iterator[tuple[object, object]]:
    if isinstance(value, dict):
        return iter(value.items())
    return iter((None, v) for v in value)  # type: ignore[union-attr]


def _has_model_key(data: object) -> bool:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and is_model_key(key):
                    return True
                if isinstance(value, list) and any(
                    isinstance(v, str) and (is_model_key(key) or _env_model_item(v)) for v in value
                ):
                    return True  # a list under a model-ish key, or ``MODEL_ID=org/name`` items
                if isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return False


class _JsonPositions:
    """A position-tracking walk over JSON already validated by json.loads (so it can be simple)."""

    _TOKEN = re.compile(r'[\s]*(?:(?P<str>")|(?P<punct>[{}\[\]:,])|(?P<lit>[^\s{}\[\]:,"]+))')

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[index - 1] + 1 if index else 0
        return index + 1, offset - start + 1

    def parse(self) -> object:
        root: list[object] = []
        # Each frame: (container, pending key for dicts).
        stack: list[list[Any]] = [[root, None]]
        expecting_key = False
        pos = 0
        length = len(self.text)
        while pos < length:
            match = self._TOKEN.match(self.text, pos)
            if match is None or match.end() == pos:
                break
            frame = stack[-1]
            container = frame[0]
            if match.group("str"):
                start = match.start("str")
                value, pos = scanstring(self.text, start + 1)
                if isinstance(container, dict) and expecting_key:
                    frame[1] = value
                    expecting_key = False
                else:
                    line, column = self.position(start)
                    self._put(frame, Scalar(value, line, column))
                continue
            pos = match.end()
            punct = match.group("punct") or ""
            if not punct:
                literal = match.group("lit")
                value = {"true": True, "false": False, "null": None}.get(literal, ("number", literal))
                line, column = self.position(match.start("lit"))
                self._put(frame, Scalar(value, line, column))
            elif punct in "{[":
                new: object = {} if punct == "{" else []
                self._put(frame, new)
                stack.append([new, None])
                expecting_key = punct == "{"
            elif punct in "}]":
                stack.pop()
                expecting_key = False
            elif punct == ",":
                expecting_key = isinstance(container, dict)
        return root[0] if root else None

    @staticmethod
    def _put(frame: list[Any], value: object) -> None:
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
        elif frame[1] is not None:
            container.setdefault(frame[1], value)
            frame[1] = None


def toml_tree(text: str, *, pyproject: bool = False) -> object:
    """The TOML document as dict/list/Scalar; string positions found by searching the lines under their table."""
    try:
        data = load_toml(text, max_bytes=MAX_CONFIG_BYTES)
    except tomllib.TOMLDecodeError as exc:
        raise Malformed(f"malformed TOML ({exc})") from exc
    if pyproject:
        for path in PYPROJECT_SKIPPED:
            parent: Any = data
            for part in path[:-1]:
                parent = parent.get(part) if isinstance(parent, dict) else None
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
    locator = _TomlLocator(text)
    return locator.wrap(data, ())


class _TomlLocator:
    """Finds the line of a key/value: the first line after its table header with ``key = "value"``."""

    _HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(?:#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[int, tuple[str, ...]]] = []
        for index, line in enumerate(self.lines):
            match = self._HEADER.match(line)
            if match:
                self.headers.append((index, tuple(p.strip().strip("\"'") for p in match.group("name").split("."))))

    def wrap(self, data: object, path: tuple[str, ...]) -> object:
        if isinstance(data, dict):
            return {str(k): self.wrap(v, (*path, str(k))) for k, v in data.items()}
        if isinstance(data, list):
            return [self.wrap(v, path) for v in data]
        if isinstance(data, str):
            line, column = self.locate(path, data)
            return Scalar(data, line, column)
        if isinstance(data, bool) or data is None:
            return Scalar(data, 0)
        return Scalar(("number", str(data)), 0)

    def locate(self, path: tuple[str, ...], value: str) -> tuple[int, int]:
        start = 0
        best = -1
        for index, name in self.headers:
            if len(name) < len(path) and path[: len(name)] == name and len(name) > best:
                best, start = len(name), index
        key = path[-1] if path else ""
        quoted = [json.dumps(value), f"'{value}'"]
        key_pattern = re.compile(r"(?:^|[\s{,.])[\"']?" + re.escape(key) + r"[\"']?\s*=") if key else None
        fallback: tuple[int, int] | None = None
        for index in range(start, len(self.lines)):
            line = self.lines[index]
            for literal in quoted:
                column = line.find(literal)
                if column < 0:
                    continue
                if key_pattern is not None and key_pattern.search(line[:column]):
                    return index + 1, column + 1
                if fallback is None:
                    fallback = (index + 1, column + 1)
        return fallback or (start + 1, 1)


_DOTENV_LINE = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(?P<value>.*?)\s*$")


def env_tree(text: str) -> object:
    """A dotenv file's ``KEY=value`` lines (``export`` prefix, quotes and a trailing `` # comment`` allowed) as a flat
    dict of Scalars; other lines are ignored, as python-dotenv ignores them."""
    out: dict[str, object] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DOTENV_LINE.match(line)
        if match is None or line.lstrip().startswith("#"):
            continue
        value = match.group("value")
        if value[:1] in ("'", '"') and value.count(value[0]) >= 2:
            value = value[1 : value.index(value[0], 1)]
        else:
            value = value.split(" #", 1)[0].strip()
        out[match.group("key")] = Scalar(value, number, match.start("value") + 1)
    return out


def ini_tree(text: str, *, setup_cfg: bool = False) -> object:
    """INI/CFG sections as dict/Scalar (configparser, interpolation off); lines from a scan of the raw lines."""
    parser = configparser.ConfigParser(interpolation=None, strict=False, inline_comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep the key's spelling
    try:
        parser.read_string(text)
    except configparser.MissingSectionHeaderError as exc:
        raise Malformed(f"malformed INI (line {exc.lineno}: no [section] header before {exc.line.strip()[:80]!r})") from exc
    except configparser.ParsingError as exc:
        line, content = exc.errors[0] if exc.errors else (0, "")
        raise Malformed(f"malformed INI (line {line}: cannot parse {str(content)[:80]})") from exc
    except configparser.Error as exc:
        raise Malformed(f"malformed INI ({str(exc).splitlines()[0]})") from exc
    positions = _ini_positions(text)
    out: dict[str, object] = {}
    for section in parser.sections():
        if setup_cfg and section.split(".")[0].split(":")[0].strip() in SETUP_CFG_SKIPPED:
            continue
        items: dict[str, object] = {}
        for key, value in parser.items(section, raw=True):
            if key in parser.defaults() and section != parser.default_section:
                continue
            line = positions.get((section, key.lower()), 0)
            items[key] = Scalar(value, line, 1)
        out[section] = items
    return out


def _ini_positions(text: str) -> dict[tuple[str, str], int]:
    section_re = re.compile(r"^\s*\[(?P<name>[^\]]+)\]")
    key_re = re.compile(r"^(?P<key>[^\s=:#;\[][^=:]*?)\s*[=:]")
    positions: dict[tuple[str, str], int] = {}
    section = configparser.DEFAULTSECT
    for index, line in enumerate(text.splitlines()):
        match = section_re.match(line)
        if match:
            section = match.group("name").strip()
            continue
        match = key_re.match(line)
        if match:
            positions.setdefault((section, match.group("key").strip().lower()), index + 1)
    return positions


# ------------------------------------------------------------------------------------------------- scan


def scan(path: Path, rel: str, scope: str) -> FileScan:
    """Scan one config file; never raises (a file that cannot be read or parsed becomes a SkippedFile)."""
    result = FileScan()
    try:
        kind = config_kind(rel)
        if kind is None:
            return result
        try:
            text = decode_text(read_bytes(path, MAX_CONFIG_BYTES))
        except Unreadable as exc:
            result.skipped.append(SkippedFile(rel, f"config file not scanned: {exc}"))
            return result
        root = _root_of(path, rel)
        _scan_text(text, kind, rel, scope, root, result)
        _set_aside_catalog(rel, result)
    except Malformed as exc:
        result.skipped.append(SkippedFile(rel, str(exc)))
    except OverLimit as exc:
        result.skipped.append(SkippedFile(rel, f"config file not scanned: {exc}"))
    except Exception as exc:  # noqa: BLE001 - a scanner bug must not abort the audit; it is reported instead
        result.skipped.append(SkippedFile(rel, f"internal error while scanning config ({type(exc).__name__}: {exc})"))
    return result


# A configuration names the few models a program loads; a file naming more distinct models than this under
# model-ish keys is a data catalog (a model zoo listing, a benchmark table, a knowledge base), not a load.
MAX_CONFIG_MODELS = 25


def _set_aside_catalog(rel: str, result: FileScan) -> None:
    """Report a catalog as skipped (with what it holds) instead of turning every entry into a load."""
    names = sorted({ref.name for ref in result.models} | {ref.expression for ref in result.unresolved})
    if len(names) <= MAX_CONFIG_MODELS:
        return
    result.models.clear()
    result.unresolved.clear()
    result.skipped.append(
        SkippedFile(
            rel,
            f"looks like a data catalog, not a configuration: {len(names)} distinct model ids under model-ish keys "
            f"(e.g. {', '.join(names[:3])}); the models a program loads are found where it loads them",
        )
    )


def _root_of(path: Path, rel: str) -> Path:
    """The project root: ``path`` minus the components of ``rel``."""
    depth = len(PurePosixPath(rel).parts)
    root = path
    for _ in range(depth):
        root = root.parent
    return root


# A file none of whose text matches can hold no model-ish key: it is not parsed at all (speed).
# (Plain substring tests on the lower-cased text: a case-insensitive regex alternation is ~100x slower.)
_PREFILTER_WORDS = tuple(sorted(MODEL_WORDS | {"ckpt", "repo", "hf_", "hub_", "load_from", "name_or_path", "run", "command", "entrypoint"}))


def _may_hold_model_key(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in _PREFILTER_WORDS)


def _scan_text(text: str, kind: str, rel: str, scope: str, root: Path, result: FileScan) -> None:
    name = PurePosixPath(rel).name.lower()
    if not _may_hold_model_key(text):
        return
    if kind == "yaml":
        documents = yaml_documents(text)
    elif kind == "json":
        documents = [json_tree(text)]
    elif kind == "toml":
        documents = [toml_tree(text, pyproject=name == "pyproject.toml")]
    elif kind == "env":
        documents = [env_tree(text)]
    else:
        documents = [ini_tree(text, setup_cfg=name == "setup.cfg")]
    lines = text.splitlines()
    walker = _Walker(root, rel, scope, lines, result, workflow=_is_workflow(rel) and kind == "yaml",
                     compose=kind == "yaml" and bool(_COMPOSE_FILE.match(name)))
    for document in documents:
        walker.walk(document)
    by_position = lambda ref: (ref.location.line, ref.location.column)
    result.models[:] = sorted(_dedupe(result.models), key=by_position)
    result.unresolved[:] = sorted(_dedupe(result.unresolved), key=by_position)
    result.requirements[:] = sorted(_dedupe(result.requirements), key=by_position)


# Docker Compose files (compose.yaml, docker-compose.yml, docker-compose.prod.yml, compose.override.yaml, ...).
_COMPOSE_FILE = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
# Compose service keys whose value is a command the container runs (a string, or a list in exec form).
_COMPOSE_COMMAND_KEYS = ("command", "entrypoint")


def _is_workflow(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows"


def _dedupe(items: list) -> list:
    seen: set = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


_ENV_ITEM = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$")
# LightningCLI/jsonargparse: ``model: {class_path: pkg.Model, init_args: {backbone: ...}}``.
INIT_ARGS_KEYS = ("init_args", "dict_kwargs")


def _loader_part(target: str, key: str) -> Part | None:
    """The catalog part whose id keyword is ``key`` for a callee a config names (``_target_``/``class_path``)."""
    rule = CATALOG.rule_for(target.strip())
    if rule is None:
        return None
    return next((p for p in rule.parts if p.id is not None and p.id.kw == key and p.mapping.map != "none"), None)


def _env_model_item(text: str) -> bool:
    match = _ENV_ITEM.match(text.strip())
    return bool(match and is_model_key(match.group("key")))


class _Walker:
    """Walks one document tree and reports values under model-ish keys."""

    def __init__(self, root: Path, rel: str, scope: str, lines: list[str], result: FileScan, *, workflow: bool,
                 compose: bool = False) -> None:
        self.root, self.rel, self.lines, self.result, self.workflow = root, rel, lines, result, workflow
        self.compose = compose
        # A CI workflow is development tooling: what it downloads or installs is not shipped code.
        self.scope = "dev" if workflow and scope == "runtime" else scope

    def walk(self, document: object) -> None:
        # (node, depth, owner): owner is the callee a LightningCLI/jsonargparse parent names for ``init_args``.
        stack: list[tuple[object, int, str]] = [(document, 0, "")]
        seen: set[int] = set()
        while stack:
            node, depth, owner = stack.pop()
            # YAML aliases share containers: each is walked once (a "billion laughs" file stays linear).
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, dict):
                self._mapping(node, depth, stack, owner)
            elif isinstance(node, list):
                stack.extend((child, depth + 1, "") for child in reversed(node) if isinstance(child, (dict, list)))

    def _mapping(self, node: dict, depth: int, stack: list[tuple[object, int, str]], owner: str) -> None:
        siblings = {k.lower(): v.value for k, v in node.items() if isinstance(v, Scalar)}
        target = siblings.get("_target_") or owner
        class_path = siblings.get("class_path")
        children: list[tuple[object, str]] = []
        pair = node.get("value") if isinstance(node.get("name"), Scalar) else None
        if isinstance(pair, Scalar) and isinstance(pair.value, str) and is_model_key(str(node["name"].value)):
            # ``env: [{name: MODEL_WEIGHTS, value: yolov8l.pt}]`` (Kubernetes, ECS task definitions, Helm values).
            self._value(str(node["name"].value), pair, siblings)
        for key, value in node.items():
            # Hydra's top-level ``defaults`` list picks config files (``model: resnet50`` -> conf/model/resnet50.yaml).
            if depth == 0 and key == "defaults" and isinstance(value, list):
                continue
            if isinstance(value, (dict, list)):
                children.append((value, str(class_path) if key in INIT_ARGS_KEYS and isinstance(class_path, str) else ""))
            if self.workflow and key == "run" and isinstance(value, Scalar) and isinstance(value.value, str):
                self._shell(value)
                continue
            if self.compose and key in _COMPOSE_COMMAND_KEYS and self._compose_command(value):
                continue
            if isinstance(value, Scalar):
                if isinstance(value.value, str) and (is_model_key(key) or (target and _loader_part(str(target), key))):
                    self._value(key, value, siblings, str(target or ""))
            elif isinstance(value, list):
                for item in value:
                    if not isinstance(item, Scalar) or not isinstance(item.value, str):
                        continue
                    env = _ENV_ITEM.match(item.value.strip())
                    if env and is_model_key(env.group("key")):
                        # ``environment: [MODEL_ID=org/name]`` (compose) and similar KEY=VALUE lists.
                        shifted = Scalar(env.group("value"), item.line, item.column)
                        self._value(env.group("key"), shifted, siblings)
                    elif is_model_key(key) and not env:
                        self._value(key, item, siblings)
        stack.extend((child, depth + 1, child_owner) for child, child_owner in reversed(children))

    def _value(self, key: str, scalar: Scalar, siblings: Mapping[str, object], target: str = "") -> None:
        value = str(scalar.value)
        # Hydra ``_target_: timm.create_model`` loads pretrained weights only with ``pretrained: true``.
        if target.endswith("timm.create_model") and key.lower() == "model_name" and siblings.get("pretrained") is not True:
            return
        part = _loader_part(target, key) if target else None
        if target.startswith("torchvision.models.") and key.lower() == "weights":
            refs = self._torchvision_weights(value, scalar, siblings)
        elif part is not None and not target.startswith(("timm.", "torchvision.")):
            # A known library receives this value: its loader decides which door the id goes through.
            refs = text_references(part.mapping, value, self._location(scalar), self.scope, f"config key {key!r} for {target}")
        else:
            ctx = ValueContext(self.root, self.rel, self.scope, f"config key {key!r}", siblings, is_hub_key(key))
            refs = classify_value(value, self._location(scalar), ctx)
        for ref in refs:
            (self.result.models if isinstance(ref, ModelReference) else self.result.unresolved).append(ref)

    def _torchvision_weights(self, value: str, scalar: Scalar, siblings: Mapping[str, object]) -> list[Reference]:
        ctx = ValueContext(self.root, self.rel, self.scope, "config key 'weights'", siblings)
        builder = _torchvision_builder(ctx)
        location = self._location(scalar)
        if TORCHVISION_MEMBER.match(value) and builder:
            return [_model("torchvision", builder, location, ctx, variant=value)]
        return classify_value(value, location, ctx)

    def _compose_command(self, value: object) -> bool:
        """A compose service's ``command:``/``entrypoint:`` is scanned as the shell command the container runs."""
        if isinstance(value, Scalar) and isinstance(value.value, str):
            self._shell(value, group="docker", api_prefix="compose command: ")
            return True
        words = [item for item in value if isinstance(item, Scalar)] if isinstance(value, list) else []
        if not words:
            return False
        # Exec form (``["yolo", "predict", "model=x.pt"]``): the words as one shell-quoted line at the first word.
        joined = Scalar(shlex.join(str(w.value) for w in words), words[0].line, words[0].column)
        self._shell(joined, group="docker", api_prefix="compose command: ")
        return True

    def _shell(self, scalar: Scalar, *, group: str = "dev", api_prefix: str = "CI run: ") -> None:
        from vlicense.discovery import shell  # late: shell imports this module

        first = scalar.body_line or scalar.line
        found = shell.scan_shell_text(
            str(scalar.value), self.rel, self.scope, first_line=first, group=group, lines=self.lines, root=self.root, api_prefix=api_prefix
        )
        self.result.models.extend(found.models)
        self.result.unresolved.extend(found.unresolved)
        self.result.requirements.extend(found.requirements)

    def _location(self, scalar: Scalar) -> Location:
        line = scalar.line
        snippet = self.lines[line - 1].strip()[:SNIPPET_LIMIT] if 0 < line <= len(self.lines) else ""
        return Location(self.rel, line, scalar.column if line else 1, snippet)


registry.register(SCANNER_NAME, SCANNER_VERSION, matches, scan)
