"""Value types passed between the pipeline stages (discover -> resolve -> evaluate -> report); no I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Front doors a model reference can come through: the mapping kinds of the loader catalog
# (knowledge/loaders/*.yaml) emit these names; ``map: component`` entries emit their own namespace
# (``insightface``, ``yolov5``, ...), so ModelReference.loader is any Loader or a catalog namespace.
Loader = Literal["torchvision", "timm", "huggingface", "ultralytics", "torchhub", "open_clip", "file"]
# How a reference was found: through a known loader call (or CLI form, config key), or by the name of a known
# weight in a string passed to any call or assigned to a model-ish name.
FoundBy = Literal["loader", "name"]
Severity = Literal["error", "warning", "info"]
Verdict = Literal["pass", "warn", "fail"]

SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True, order=True)
class Location:
    """Where something enters the project: a path relative to the project root (POSIX), 1-based line."""

    path: str
    line: int = 0
    column: int = 1
    snippet: str = ""
    # Notebooks: code-cell index (0-based) and line inside that cell; None for ordinary files.
    cell: int | None = None
    cell_line: int | None = None


# --------------------------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class ImportReference:
    """A top-level module the project imports (``import cv2`` -> ``cv2``), already known to be third-party."""

    module: str
    location: Location
    # Where the import sits: "runtime" for shipped code, "test", "docs", "example", "notebook", "script".
    scope: str = "runtime"
    # (folder, where) of a preceding ``sys.path`` edit adding a folder the tree does not hold (see RawImport).
    checkout: tuple[str, Location] | None = None


@dataclass(frozen=True)
class ModelReference:
    """A pretrained-weights load found in the project, as the code spells it (not yet identified).

    ``name`` and ``variant`` are per loader:
      torchvision  name = builder (``resnet50``) or ``""`` when only the enum is known;
                   variant = ``ResNet50_Weights.IMAGENET1K_V2`` | ``IMAGENET1K_V2`` | ``DEFAULT`` | ``legacy-pretrained``
      timm         name = ``arch`` or ``arch.tag``; variant None
      huggingface  name = repo id ``org/name``; variant = filename (hf_hub_download) or None; revision if pinned;
                   ``task`` set for ``pipeline(task)`` calls (name ``""`` when the task default model loads)
      ultralytics  name = file name as given (``yolo11n.pt``) or a Hub id; variant = the class (``YOLO``, ``NAS``)
      torchhub     name = ``owner/repo``; variant = entry point
      open_clip    name = model (``ViT-B-32``) or ``hf-hub:org/name``; variant = pretrained tag or None
      file         name = path of a weight file relative to the root; variant = format; url = where it is
                   downloaded from when the code says
      <namespace>  (catalog ``map: component``) name = the value after the entry's transforms -> ``<namespace>:<name>``
    """

    loader: str
    name: str
    location: Location
    variant: str | None = None
    revision: str | None = None
    task: str | None = None
    # The call as written, e.g. ``timm.create_model`` (for messages).
    api: str = ""
    scope: str = "runtime"
    # The URL the weights are downloaded from, when the code says (download helpers, weight URLs).
    url: str | None = None
    found_by: FoundBy = "loader"
    # Where the id's value is written when that is not the load site (a constant, an option default, a class
    # attribute, a config key); ``location`` stays the load site.
    origins: tuple[Location, ...] = ()
    # Where a download of a known weight saves it (``wget URL -O models/x.pth``): a load of that file elsewhere in
    # the project is this weight (discovery/downloads.py), not an unknown file.
    saved_as: str | None = None


@dataclass(frozen=True)
class UnresolvedReference:
    """A loader call whose model argument could not be resolved statically."""

    location: Location
    loader: str
    expression: str
    reason: str
    candidates: tuple[str, ...] = ()
    # Where else the reader must look (see ModelReference.origins): the load line when the entry is reported at the
    # call of a function that reaches it, the command-line option that has no default.
    origins: tuple[Location, ...] = ()


@dataclass(frozen=True)
class RequirementReference:
    """A dependency declared in a manifest (requirements*.txt, pyproject.toml, ...)."""

    name: str  # canonical distribution name (packaging.utils.canonicalize_name)
    specifier: str
    location: Location
    group: str = "runtime"  # "runtime" | "dev" | "test" | "optional:<extra>" | "group:<name>"
    # Lock files only (discovery/lockfiles.py): the locked package's own dependencies as PEP 508 strings, so the
    # closure can follow the lock's graph when nothing is installed; None for manifests. ``direct`` is False for
    # a package that is locked only because another locked package needs it (not a root of the closure).
    locked_requires: tuple[str, ...] | None = None
    direct: bool = True


@dataclass(frozen=True)
class PreprocessingStep:
    """One preprocessing operation the code applies on the way to a model, as written (values read statically).

    ``op``: ``to-tensor`` (ToTensor and friends: uint8 -> [0, 1]), ``scale`` (multiply by ``factor``), ``shift``
    (add ``shift``), ``normalize`` (``(x - mean) / std``), ``resize`` (``size``: one int = shorter side, two =
    exact height, width), ``center-crop``, ``random`` (a random augmentation: the pipeline is for training),
    ``official`` (the door's own transform or processor), ``opaque`` (a transform whose effect is not known),
    ``unknown`` (a call not followed that the data went through: neither its values nor its size are known after it).
    ``mean_name``/``std_name``: a library constant the values come from (``timm.data.IMAGENET_DEFAULT_MEAN``),
    resolved later; ``from_model``: the values are read from the model itself (``model.pretrained_cfg['mean']``).
    ``max_pixel``: albumentations Normalize divides by ``max_pixel * std`` (it scales and normalizes at once).
    """

    op: str
    location: Location
    text: str = ""
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None
    mean_name: str | None = None
    std_name: str | None = None
    from_model: bool = False
    factor: float | None = None
    shift: tuple[float, ...] | None = None
    size: tuple[int, ...] | None = None
    interpolation: str | None = None
    max_pixel: float | None = None


@dataclass(frozen=True)
class HygieneObservation:
    """What discovery saw between a pretrained model and its inputs (judged later against the weights' config).

    ``preprocessing``: hand-written ``steps`` (in order) reach ``model`` at ``location``; ``complete`` is True when
    the whole path from an image source or a transform pipeline to the model call was followed (no opaque step),
    which ``missing-normalization`` needs. ``processor``: ``model`` is fed by an image processor loaded from
    ``processor`` (another id). ``untrained``: a ``library`` model ``name`` built without pretrained weights at
    ``location`` in training code; ``evidence`` says what suggests fine-tuning was intended.
    """

    kind: Literal["preprocessing", "processor", "untrained"]
    location: Location
    model: ModelReference | None = None
    steps: tuple[PreprocessingStep, ...] = ()
    complete: bool = False
    processor: ModelReference | None = None
    library: str = ""
    name: str = ""
    evidence: str = ""
    scope: str = "runtime"  # where the observed code sits (the module's scope label)


@dataclass(frozen=True)
class SkippedFile:
    """A file that was not examined, and why (never dropped silently)."""

    path: str
    reason: str


@dataclass
class Discovery:
    """Everything discovery found in one project."""

    imports: list[ImportReference] = field(default_factory=list)
    models: list[ModelReference] = field(default_factory=list)
    requirements: list[RequirementReference] = field(default_factory=list)
    unresolved: list[UnresolvedReference] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    files_scanned: int = 0
    first_party: frozenset[str] = frozenset()
    # The project's own distribution names (canonical), from pyproject/setup.cfg/setup.py, nested projects too:
    # never third-party components, wherever they are mentioned (a CI workflow that installs the project itself).
    own_distributions: frozenset[str] = frozenset()
    # Model hygiene: what feeds each pretrained model, and models built without weights (see HygieneObservation).
    hygiene: list[HygieneObservation] = field(default_factory=list)


# -------------------------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class LicenseFact:
    """One source's answer about a component's license.

    ``license`` is a normalized SPDX expression (custom licenses as ``LicenseRef-...``) or None when the
    source answered but the license is not known. ``source`` is one of FACT_SOURCES; ``detail`` says where
    exactly (metadata field, URL, library version, raw text).
    """

    source: str
    license: str | None
    detail: str = ""
    # The source was read and states no license (a card without a license field or with ``license: unknown``,
    # package metadata with no license at all): "declared none", as opposed to a source that failed or was not
    # consulted ("not determined"). Only meaningful when ``license`` is None.
    declares_none: bool = False
    # Knowledge-base facts about Hub models: "card" (read from the model's Hub card) or "inferred" (from an
    # upstream repository or paper, not the card); None for every other fact.
    basis: str | None = None


# Every fact source, in the order libraries are decided (strongest first): a policy override beats everything;
# installed metadata beats the knowledge base. Models are decided by their own rule (resolution/model_license.py):
# the model's own declaration (cache, Hub card, snapshot, weight-file metadata) decides, and "lineage" (the
# license of the weights it derives from: Hub base_model, a checkpoint's train_args) never relaxes it.
FACT_SOURCES = (
    "policy-override",
    "installed-metadata",
    "hf-cache",
    "hf-hub",
    "knowledge-base",
    "lineage",
    "weight-metadata",
    "pypi",
)

# Why a component's license is unknown (Component.license_unknown).
UNKNOWN_KINDS = ("not-determined", "declared-none")


@dataclass(frozen=True)
class LineageLink:
    """One model up a component's lineage and the terms it passes down.

    ``relation`` says how the link was declared: ``base_model`` (a model card's base_model: Hub, cache, local
    README, snapshot), ``train_args.model`` (an Ultralytics checkpoint's starting weights), ``weight-metadata``
    (a base named inside the weight file), ``_name_or_path`` (a model folder's config.json). ``path`` runs from
    the component to this ancestor; ``source`` is the fact source of the ancestor's license.
    """

    id: str
    license: str | None
    source: str | None
    relation: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class Signal:
    """A machine-readable fact about a component that a policy rule may act on (beyond its license).

    ``kind`` is one of SIGNAL_KINDS; ``message`` is one plain sentence for reports; ``detail`` carries the
    evidence (e.g. the dangerous pickle global, the base model and its license).
    """

    kind: str
    message: str
    detail: str = ""


# unsafe-pickle: a weight file whose pickle references callables that would run code when loaded.
# license-drift: a derived model declares a more permissive license than a model it derives from.
# gated: access to the model is gated on the Hub. unpinned-revision: a Hub model loaded without a revision.
# tool-stamp: a license string a tool writes into every file it saves (e.g. Ultralytics), not proof of origin.
SIGNAL_KINDS = ("unsafe-pickle", "license-drift", "gated", "unpinned-revision", "tool-stamp")


@dataclass
class Component:
    """A library or a model the project uses, with its license facts and where it enters."""

    id: str
    kind: Literal["library", "model"]
    name: str
    version: str | None = None
    loader: str | None = None
    license: str | None = None
    license_source: str | None = None
    categories: list[str] = field(default_factory=list)
    direct: bool = True
    introduced_by: list[list[str]] = field(default_factory=list)
    # Ordered: shipped code first; reports show the first location as "where it enters".
    locations: list[Location] = field(default_factory=list)
    facts: list[LicenseFact] = field(default_factory=list)
    # Where the id's value is written when elsewhere than a load site (see ModelReference.origins).
    origins: list[Location] = field(default_factory=list)
    # The first origin of the value loaded at each load site (not in reports as such: it pairs a one-line
    # "where" with the origin of that very load, not another one's).
    origin_at: dict[Location, Location] = field(default_factory=dict)
    # Free-form notes a resolver wants shown (e.g. "default tag resolved", "gated", "lineage: base model X").
    notes: list[str] = field(default_factory=list)
    # Task the model serves (e.g. "object-detection"), used to suggest alternatives.
    task: str | None = None
    scope: str = "runtime"
    # Lineage: ids of the components this model derives from (Hub base_model, a checkpoint's starting weights).
    base_models: list[str] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    # Every model up the lineage with its license: the policy evaluates their terms too (a base binds its fine-tunes).
    lineage: list[LineageLink] = field(default_factory=list)
    # When ``license`` is None: one of UNKNOWN_KINDS, and one sentence saying why (and what would determine it).
    license_unknown: str | None = None
    unknown_reason: str = ""
    # Models: "loader" when some load site is a known loader call (or config/CLI form), "name" when the weight
    # is only named in strings the code passes or assigns (see ModelReference.found_by); None for libraries.
    found_by: FoundBy | None = None


# ---------------------------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class Alternative:
    """A concrete way out of a finding: another model/library with its license, or a commercial license."""

    name: str
    license: str
    note: str = ""
    kind: Literal["model", "library", "commercial-license", "action"] = "model"


@dataclass(frozen=True)
class HygieneIssue:
    """A model-hygiene problem, judged: what the weights expect, what the code does, and the one-line fix.

    ``expected``/``found`` hold the values (``mean``, ``std``, ``resize``, ``crop``, ``interpolation``, and
    ``source``/``where`` saying where each side was read) for reports; ``summary`` is one plain sentence.
    ``candidates``: for ``untrained-backbone``, the component ids of the pretrained weights that exist for it.
    """

    rule: str
    component: str
    summary: str
    expected: dict[str, object]
    found: dict[str, object]
    fix: str
    locations: tuple[Location, ...]
    scope: str = "runtime"
    candidates: tuple[str, ...] = ()


@dataclass
class Finding:
    """One policy result about one component; ``rule`` names the rule that produced it."""

    rule: str
    severity: Severity
    component: str
    message: str
    locations: list[Location] = field(default_factory=list)
    obligation: str = ""
    alternatives: list[Alternative] = field(default_factory=list)
    fingerprint: str = ""
    license: str | None = None
    category: str | None = None
    # The OR branch the decision relied on, when the license is a choice.
    chosen_branch: str | None = None
    recommendation: str = ""
    # Model hygiene findings: expected and found preprocessing, and the fix (None for license findings).
    hygiene: HygieneIssue | None = None


@dataclass(frozen=True)
class ProjectContext:
    """How the project is distributed and used; decides which license obligations trigger."""

    distribution: tuple[str, ...] = ("saas",)  # any of: internal, saas, binary, open-source
    commercial: bool = True
    project_license: str | None = None


# ---------------------------------------------------------------------------------------------- result


@dataclass
class AuditResult:
    """The one object every renderer takes."""

    root: str
    policy_name: str
    context: ProjectContext
    verdict: Verdict
    components: list[Component]
    findings: list[Finding]
    unresolved: list[UnresolvedReference]
    skipped: list[SkippedFile]
    stats: dict[str, int | float | str]
    tool_version: str
    generated_at: str  # ISO date from the injected clock
    sources_offline: list[str] = field(default_factory=list)
