"""Turn a model reference as the code spells it into a stable component id plus what the knowledge base knows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from vlicense.model import ModelReference
from vlicense.resolution.knowledge_base import KbFact, KnowledgeBase

# What `transformers.pipeline(task)` loads when no model is given: the "default" entries of SUPPORTED_TASKS in
# transformers 5.24.0 `src/transformers/pipelines/__init__.py` (read from the PyPI wheel), with the pinned revision.
PIPELINE_DEFAULTS_SOURCE = "transformers 5.24.0 pipelines/__init__.py SUPPORTED_TASKS"
PIPELINE_DEFAULT_MODELS: dict[str, tuple[str, str]] = {
    "image-classification": ("google/vit-base-patch16-224", "3f49326"),
    "image-feature-extraction": ("google/vit-base-patch16-224", "3f49326"),
    "object-detection": ("facebook/detr-resnet-50", "1d5f47b"),
    "image-segmentation": ("facebook/detr-resnet-50-panoptic", "d53b52a"),
    "depth-estimation": ("Intel/dpt-large", "bc15f29"),
    "zero-shot-image-classification": ("openai/clip-vit-base-patch32", "3d74acf"),
    "zero-shot-object-detection": ("google/owlvit-base-patch32", "cbc355f"),
    "mask-generation": ("facebook/sam-vit-huge", "87aecf0"),
    "image-text-to-text": ("Qwen/Qwen3-VL-2B-Instruct", "8964489"),
    "keypoint-matching": ("magic-leap-community/superglue_outdoor", "f4041f8"),
    "video-classification": ("MCG-NJU/videomae-base-finetuned-kinetics", "488eb9a"),
}

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
    """Map one reference to a component; unknown names keep their id and get no fact (license unknown)."""
    handler = _HANDLERS[ref.loader]
    return handler(ref, kb, project_path)


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
    fact = kb.torchvision_weight(f"{enum_name}.{member}")
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
    fact = kb.timm_tag(arch_tag)
    if fact is None:
        notes.append(f"timm tag {arch_tag!r} is not in the knowledge base")
    return Identified(f"timm:{arch_tag}", arch_tag, "timm", fact, (fact.task if fact else None) or "image-classification", notes)


def _huggingface(ref: ModelReference, kb: KnowledgeBase, project_path: ProjectPath) -> Identified:
    repo = ref.name
    notes: list[str] = []
    if not repo and ref.task:
        repo, default_revision = PIPELINE_DEFAULT_MODELS.get(ref.task, ("", ""))
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
            f" ({PIPELINE_DEFAULTS_SOURCE})"
        )
    local = project_path(repo)
    if local is not None:
        return Identified(f"local:{local}", local, "huggingface", notes=["model directory inside the project"], project_path=local)
    fact = kb.hub_model(repo)
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
    fact = kb.torchhub(ref.name, entry)
    notes = [] if fact else [f"torch.hub repository {ref.name} is not in the knowledge base"]
    return Identified(f"torchhub:{ref.name}:{entry}", f"{ref.name}:{entry}", "torchhub", fact, fact.task if fact else None, notes)


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


def _file(ref: ModelReference, kb: KnowledgeBase, _project_path: ProjectPath) -> Identified:
    kind = "local" if ref.variant == "directory" else "file"
    base = PurePosixPath(ref.name).name
    fact = kb.ultralytics_asset(base) if kind == "file" else None
    notes = [f"file name matches the official Ultralytics asset {base}"] if fact else []
    return Identified(f"{kind}:{ref.name}", ref.name, "file", fact, fact.task if fact else None, notes, project_path=ref.name)


_HANDLERS = {
    "torchvision": _torchvision,
    "timm": _timm,
    "huggingface": _huggingface,
    "ultralytics": _ultralytics,
    "torchhub": _torchhub,
    "open_clip": _open_clip,
    "file": _file,
}
