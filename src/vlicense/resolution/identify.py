"""Turn a model reference as the code spells it into a stable component id plus what the knowledge base knows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from vlicense.knowledge.knowledge_base import KbFact, KnowledgeBase
from vlicense.knowledge.loader_catalog import load_catalog
from vlicense.knowledge.weight_urls import WeightId
from vlicense.model import ModelReference

# What `transformers.pipeline(task)` loads when no model is given: the ``default_by`` table of the
# transformers.pipeline rule in the loader catalog (knowledge/loaders/huggingface.yaml), with its source.
PIPELINE_CALLEE = "transformers.pipeline"


def pipeline_default(task: str) -> tuple[str, str, str] | None:
    """(repo, revision, source) of the model ``pipeline(task)`` loads without a model, None when not known."""
    rule = load_catalog().rule_for(PIPELINE_CALLEE)
    table = rule.part.default_by if rule is not None else None
    found = table.get(task) if table is not None else None
    return (found[0], found[1] or "", table.at) if found and table else None


# Loader -> default task, used to suggest alternatives when the knowledge base has no task for a model.
ULTRALYTICS_TASK_BY_SUFFIX = (
    ("-seg", "instance-segmentation"),
    ("-pose", "pose-estimation"),
    ("-cls", "image-classification"),
    ("-obb", "object-detection"),
)

# Tells whether a name from the code is a file/folder inside the project (its relative path) or not (None).
ProjectPath = Callable[[str], "str | None"]

WEIGHT_SUFFIXES = (".pt", ".pth", ".ckpt", ".safetensors", ".onnx", ".gguf", ".bin", ".tflite", ".engine", ".ts")


@dataclass
class Identified:
    """A model reference mapped to its component id, with the knowledge base's fact when it has one."""

    component_id: str
    name: str
    loader: str
    fact: KbFact | None = None
    task: str | None = None
    notes: list[str] = field(default_factory=list)
    hub_repo: str | None = None  # set for models the Hugging Face resolver should look up
    revision: str | None = None
    project_path: str | None = None  # set for weight files / model directories inside the project


def identify(ref: ModelReference, kb: KnowledgeBase, project_path: ProjectPath = lambda name: None) -> Identified:
    """Map one reference to a component; unknown names keep their id and get no fact (license unknown).

    Loaders without rules of their own are catalog namespaces (``map: component``): ``<namespace>:<name>``.
    """
    ident = _HANDLERS.get(ref.loader, _namespace)(ref, kb, project_path)
    if ref.found_by == "name":
        how = ref.api.removeprefix("found by name: ") or "named in the code"
        ident.notes.append(f"found by name ({how}), not through a known loader call")
    return ident


def _torchvision(ref: ModelReference, kb: KnowledgeBase, _project_path: ProjectPath) -> Identified:
    variant = ref.variant or ""
    notes: list[str] = []
    if "." in variant:
        enum_name, member = variant.split(".", 1)
    else:
        enum_name = kb.torchvision_enum_for_builder(ref.name) or ""
        member = variant
    if not enum_name:
        return Identified(
            component_id=f"torchvision:{ref.name or '?'}.{variant}",
            name=ref.name or variant,
            loader="torchvision",
            notes=[f"builder {ref.name!r} is not in the knowledge base's torchvision table"],
        )
    if member == "legacy-pretrained":
        legacy = kb.torchvision_legacy_member(ref.name)
        if legacy is None:
            return Identified(
                f"torchvision:{enum_name}.legacy-pretrained",
                f"{ref.name}(pretrained=True)",
                "torchvision",
                notes=[f"what pretrained=True loads for {ref.name!r} is not in the knowledge base"],
            )
        notes.append(f"legacy pretrained=True of {ref.name} resolved to {legacy} (torchvision's legacy interface)")
        member = legacy.split(".", 1)[1]
    elif member == "DEFAULT":
        default = kb.torchvision_default_member(enum_name)
        if default:
            notes.append(f"{enum_name}.DEFAULT resolved to {enum_name}.{default}")
            member = default
    component_id = f"torchvision:{enum_name}.{member}"
    fact = kb.model(f"torchvision:{enum_name}.{member}")  # curated entries first, then the generated table
    if fact is None:
        notes.append(f"{enum_name}.{member} is not in the knowledge base's torchvision table")
    return Identified(component_id, f"{enum_name}.{member}", "torchvision", fact, fact.task if fact else None, notes)


def _timm(ref: ModelReference, kb: KnowledgeBase, _project_path: ProjectPath) -> Identified:
    name = ref.name.split("/")[-1] if ref.name.startswith("timm/") else ref.name
    notes: list[str] = []
    if "." in name:
        arch_tag = name
    else:
        tag = kb.timm_default_tag(name)
        if tag is None:
            return Identified(
                f"timm:{name}", name, "timm", notes=[f"timm architecture {name!r} has no pretrained tag in the knowledge base"]
            )
        arch_tag = f"{name}.{tag}"
        notes.append(f"default pretrained tag of {name} resolved to {arch_tag}")
    # kb.model: a curated entry (e.g. openai CLIP weights that timm labels apache-2.0 but upstream is MIT) wins.
    fact = kb.model(f"timm:{arch_tag}")
    if fact is None:
        notes.append(f"timm tag {arch_tag!r} is not in the knowledge base")
    return Identified(f"timm:{arch_tag}", arch_tag, "timm", fact, (fact.task if fact else None) or "image-classification", notes)


def _huggingface(ref: ModelReference, kb: KnowledgeBase, project_path: ProjectPath) -> Identified:
    repo = ref.name
    notes: list[str] = []
    if not repo and ref.task:
        repo, default_revision, source = pipeline_default(ref.task) or ("", "", "")
        if not repo:
            return Identified(
                f"hf:pipeline-default:{ref.task}",
                f"default model of pipeline({ref.task!r})",
                "huggingface",
                task=ref.task,
                notes=[f"no known default model for pipeline task {ref.task!r}"],
            )
        notes.append(
            f"pipeline({ref.task!r}) without a model loads its default {repo} at revision {default_revision}"
            f" ({source})"
        )
    local = project_path(repo)
    if local is not None:
        return Identified(f"local:{local}", local, "huggingface", notes=["model directory inside the project"], project_path=local)
    fact = kb.model(f"hf:{repo}")  # curated snapshot; timm/<arch.tag> mirrors derive from timm's own table
    task = ref.task or (fact.task if fact else None)
    return Identified(f"hf:{repo}", repo, "huggingface", fact, task, notes, hub_repo=repo, revision=ref.revision)


def _ultralytics(ref: ModelReference, kb: KnowledgeBase, project_path: ProjectPath) -> Identified:
    name = ref.name
    local = project_path(name)
    base = PurePosixPath(name).name
    task = _ultralytics_task(base)
    if "/" in name and not name.lower().endswith(WEIGHT_SUFFIXES) and local is None:
        fact = kb.hub_model(name)
        return Identified(f"hf:{name}", name, "ultralytics", fact, task, hub_repo=name, revision=ref.revision)
    fact = kb.ultralytics_asset(base)
    if local is not None:
        notes = ["weight file inside the project"]
        if fact is not None:
            notes.append(f"file name matches the official Ultralytics asset {base}")
        return Identified(f"file:{local}", local, "ultralytics", fact, task, notes, project_path=local)
    if fact is None:
        return Identified(
            f"ultralytics:{base}",
            base,
            "ultralytics",
            task=task,
            notes=[f"{base} is not an official Ultralytics asset and is not in the project: its origin is unknown"],
        )
    return Identified(f"ultralytics:{base}", base, "ultralytics", fact, fact.task or task)


def _ultralytics_task(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    lowered = stem.lower()
    if lowered.startswith(("sam", "mobile_sam", "fastsam")):
        return "mask-generation"
    for suffix, task in ULTRALYTICS_TASK_BY_SUFFIX:
        if suffix in lowered:
            return task
    return "object-detection"


def _torchhub(ref: ModelReference, kb: KnowledgeBase, _project_path: ProjectPath) -> Identified:
    entry = ref.variant or "?"
    # "owner/repo:branch" -> the id names the repository; the ref it was loaded at is a note (ids stay stable).
    repo, _, branch = ref.name.partition(":")
    fact = kb.torchhub(repo, entry)
    notes = [] if fact else [f"torch.hub repository {repo} is not in the knowledge base"]
    if branch:
        notes.append(f"loaded from the {branch!r} ref of {repo}: what it serves can change")
    return Identified(f"torchhub:{repo}:{entry}", f"{repo}:{entry}", "torchhub", fact, fact.task if fact else None, notes)


def _open_clip(ref: ModelReference, kb: KnowledgeBase, _project_path: ProjectPath) -> Identified:
    tag = ref.variant or ""
    fact = kb.open_clip(ref.name, tag) if tag else None
    notes = [] if fact else [f"open_clip {ref.name}:{tag or '(no pretrained tag)'} is not in the knowledge base"]
    hub = fact.hf_hub_id if fact else None
    return Identified(
        f"open_clip:{ref.name}:{tag}",
        f"{ref.name}:{tag}",
        "open_clip",
        fact,
        (fact.task if fact else None) or "zero-shot-image-classification",
        notes,
        hub_repo=hub if fact is None or fact.license is None else None,
    )


def _file(ref: ModelReference, kb: KnowledgeBase, project_path: ProjectPath) -> Identified:
    kind = "local" if ref.variant == "directory" else "file"
    base = PurePosixPath(ref.name).name
    fact = kb.ultralytics_asset(base) if kind == "file" else None
    notes = [f"file name matches the official Ultralytics asset {base}"] if fact else []
    official = _official_weight(ref, base, kb) if kind == "file" and fact is None else None
    if official is not None and kb.model(official) is not None:
        fact = kb.model(official)
        notes = [f"file name matches the official checkpoint {official} (its license applies unless the file was changed)"]
    if ref.url:
        notes.append(f"downloaded from {ref.url}" + ("" if fact else "; the URL does not tell its license"))
    if project_path(ref.name) is None:
        notes.append("not in the project: the code expects it at run time (downloaded or copied at deploy time)")
    return Identified(f"{kind}:{ref.name}", ref.name, "file", fact, fact.task if fact else None, notes, project_path=ref.name)


def _official_weight(ref: ModelReference, base: str, kb: KnowledgeBase) -> str | None:
    """The official checkpoint a weight file is, by the name it has (models.yaml ``weight_files``) or the URL it
    was downloaded from (``weight_urls``: ``wget <url> -O weights/tiny.pt``); None when neither says."""
    named = kb.weight_by_file_name(base)
    if named is not None:
        return f"{named[0]}:{named[1]}"
    if ref.url:
        parts = urlsplit(ref.url.strip())
        listed = kb.weight_by_url(f"https://{(parts.hostname or '').lower()}{parts.path}")
        if listed is not None:
            return WeightId(*listed).component_id  # a table weight (torchvision member, open_clip tag) or a rule's id
    return None


def _model_zoo(ref: ModelReference, kb: KnowledgeBase, project_path: ProjectPath) -> Identified:
    # detectron2 model_zoo.get("COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml") / mmdet configs: the zoo's weights
    # license is not the code's (detectron2 MODEL_ZOO.md: CC-BY-SA-3.0).
    name = ref.name.removesuffix(".yaml").removesuffix(".py")
    local = project_path(ref.name)
    if local is not None and local.lower().endswith(WEIGHT_SUFFIXES):
        return Identified(f"file:{local}", local, ref.loader, notes=["weight file inside the project"], project_path=local)
    fact = kb.model_zoo(ref.loader, name)
    notes = [] if fact else [f"{ref.loader} model zoo has no license rule in the knowledge base"]
    return Identified(f"{ref.loader}:{name}", name, ref.loader, fact, ref.task or (fact.task if fact else None), notes)


def _namespace(ref: ModelReference, kb: KnowledgeBase, project_path: ProjectPath) -> Identified:
    # A catalog namespace (insightface:buffalo_l, yolov5:yolov5s.pt, rfdetr:RFDETRBase): the exact id in the
    # knowledge base, else its most specific prefix rule (``roboflow:yolov8*``, ``<namespace>:*``).
    component_id = f"{ref.loader}:{ref.name}"
    fact = kb.model(component_id)
    local = project_path(ref.name) if ref.name.lower().endswith(WEIGHT_SUFFIXES) else None
    if local is not None:
        notes = ["weight file inside the project"] + ([f"file name matches the official {component_id}"] if fact else [])
        return Identified(f"file:{local}", local, ref.loader, fact, ref.task or (fact.task if fact else None), notes, project_path=local)
    key = kb.curated_key(component_id)
    notes = [] if key == component_id else [f"{ref.loader} weights license from the knowledge base rule {key}" if key
                                           else f"{component_id} is not in the knowledge base"]
    return Identified(component_id, ref.name, ref.loader, fact, ref.task or (fact.task if fact else None), notes)


_HANDLERS = {
    "torchvision": _torchvision,
    "timm": _timm,
    "huggingface": _huggingface,
    "ultralytics": _ultralytics,
    "torchhub": _torchhub,
    "open_clip": _open_clip,
    "file": _file,
    "detectron2": _model_zoo,
    "mmdet": _model_zoo,
}
