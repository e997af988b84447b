"""Model hygiene, resolution half: judge what discovery saw against the preprocessing the weights declare.

For each observation the model reference is identified (the same ids as the inventory), the weights' data config
is looked up (generated tables for torchvision/timm/open_clip; for Hub models the project's own model folder, the
local Hugging Face cache, then the curated snapshot), and the hand-written steps are folded into what actually
reaches the model: the mean/std it sees (every scale, shift and Normalize composed, in [0, 1] units) and, for
deterministic (eval) pipelines, the input size. Differences become HygieneIssues; an unknown config or an unknown
value is never judged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vlicense.discovery.sources import Unreadable, read_bytes
from vlicense.knowledge.data_config import (
    DataConfig,
    describe,
    from_preprocessor_config,
    numbers_text,
    same_values,
    size_text,
)
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.model import HygieneIssue, HygieneObservation, Location, ModelReference, PreprocessingStep, SkippedFile
from vlicense.resolution.identify import Identified, identify

# preprocessor_config.json files are a few hundred bytes; anything larger than this is not read.
MAX_PREPROCESSOR_BYTES = 256 * 1024
PREPROCESSOR_FILE = "preprocessor_config.json"
# Presets whose inputs are not one image batch (two frames for optical flow): not judged.
NOT_JUDGED_PRESETS = frozenset({"OpticalFlow"})
MAX_CANDIDATES = 6
# A resize before the crop within 2% of the weights' own (255 for 256) changes nothing that matters: not reported.
# The usual mistake, 256 where the V2 weights use 232, is 10% off.
RESIZE_TOLERANCE = 0.02


@dataclass
class HygieneSources:
    """Where Hub preprocessor configs are read besides the knowledge base (the project and the local HF cache)."""

    root: Path
    hf_cache_dir: Path | None
    project_path: Callable[[str], str | None]


def judge(observations: list[HygieneObservation], kb: KnowledgeBase, sources: HygieneSources) -> tuple[list[HygieneIssue], list[SkippedFile]]:
    """The hygiene issues among the observations, and the preprocessor configs that could not be read."""
    reader = ConfigReader(kb, sources)
    issues: dict[tuple, HygieneIssue] = {}
    for obs in observations:
        if obs.kind == "preprocessing" and obs.model is not None:
            found = _preprocessing(obs, reader)
        elif obs.kind == "processor" and obs.model is not None and obs.processor is not None:
            found = [_processor(obs, reader)]
        elif obs.kind == "untrained":
            found = [_untrained(obs, kb)]
        else:
            found = []
        for issue in found:
            if issue is not None:
                issues.setdefault((issue.rule, issue.component, issue.locations[:2], issue.summary), issue)
    ordered = sorted(issues.values(), key=lambda i: (i.locations[0].path, i.locations[0].line, i.rule, i.component))
    return ordered, sorted(set(reader.skipped), key=lambda s: (s.path, s.reason))


# ------------------------------------------------------------------------------------------ data configs


class ConfigReader:
    """Data configs by model reference (memoized): knowledge base, project folder, HF cache, curated snapshot."""

    def __init__(self, kb: KnowledgeBase, sources: HygieneSources) -> None:
        self.kb = kb
        self.sources = sources
        self.skipped: list[SkippedFile] = []
        self._memo: dict[str, DataConfig | None] = {}

    def identify(self, ref: ModelReference) -> Identified:
        return identify(ref, self.kb, self.sources.project_path)

    def config(self, ident: Identified, revision: str | None = None) -> DataConfig | None:
        key = ident.component_id
        if key not in self._memo:
            self._memo[key] = self._read(ident, revision)
        return self._memo[key]

    def _read(self, ident: Identified, revision: str | None) -> DataConfig | None:
        if ident.project_path is not None and ident.component_id.startswith("local:"):
            return self._project_file(ident.project_path)
        if ident.component_id.startswith("hf:"):
            repo = ident.component_id[3:]
            cached = self._hf_cache(repo, revision)
            return cached if cached is not None else self.kb.data_config(ident.component_id)
        return self.kb.data_config(ident.component_id)

    def _project_file(self, folder: str) -> DataConfig | None:
        root = self.sources.root.resolve()
        path = (root / folder / PREPROCESSOR_FILE).resolve()
        try:
            path.relative_to(root)
        except ValueError:
            return None
        if not path.is_file():
            return None
        rel = path.relative_to(root).as_posix()
        data = self._json(path, rel)
        return from_preprocessor_config(data, source=rel) if data is not None else None

    def _hf_cache(self, repo: str, revision: str | None) -> DataConfig | None:
        cache = self.sources.hf_cache_dir
        if cache is None or "/" not in repo or ".." in repo:
            return None
        folder = cache / f"models--{repo.replace('/', '--')}"
        if not folder.is_dir():
            return None
        snapshot = _snapshot(folder, revision)
        if snapshot is None:
            return None
        path = folder / "snapshots" / snapshot / PREPROCESSOR_FILE
        if not path.is_file():
            return None
        data = self._json(path, None)
        return from_preprocessor_config(data, source=f"local Hugging Face cache: {path}") if data is not None else None

    def _json(self, path: Path, rel: str | None) -> object | None:
        try:
            return json.loads(read_bytes(path, MAX_PREPROCESSOR_BYTES).decode("utf-8"))
        except Unreadable as error:
            reason = str(error)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            reason = f"not valid JSON ({type(error).__name__})"
        if rel is not None:
            self.skipped.append(SkippedFile(rel, f"{PREPROCESSOR_FILE} not read for model hygiene: {reason}"))
        return None


def _snapshot(folder: Path, revision: str | None) -> str | None:
    """The snapshot a load without (or with) a revision uses: refs/<revision or main>, else the only one."""
    ref = folder / "refs" / (revision or "main")
    try:
        if ref.is_file():
            sha = ref.read_text(encoding="utf-8", errors="replace").strip()[:80]
            if sha and "/" not in sha and ".." not in sha:
                return sha
        if revision and (folder / "snapshots" / revision).is_dir():
            return revision
        snapshots = [p.name for p in (folder / "snapshots").iterdir() if p.is_dir()] if (folder / "snapshots").is_dir() else []
    except OSError:
        return None
    return snapshots[0] if len(snapshots) == 1 else None


# --------------------------------------------------------------------------------------- preprocessing


@dataclass
class _Found:
    """What the hand-written steps amount to."""

    normalized: bool  # a mean/std (or shift) step was applied
    mean: tuple[float, ...] | None  # effective, in [0, 1] units; None when some value is not known
    std: tuple[float, ...] | None
    from_model: bool  # the values are read from the model itself
    resize: tuple[int, ...] | None
    crop: tuple[int, ...] | None
    interpolation: str | None
    random: bool
    normalize_steps: list[PreprocessingStep]
    size_steps: list[PreprocessingStep]


def fold(steps: tuple[PreprocessingStep, ...], kb: KnowledgeBase) -> _Found:
    """Compose the steps: y = a * pixel + b per channel (pixel in 0..255), then report mean = -b / (255 a) and
    std = 1 / (255 a), the Normalize that would do the same to a [0, 1] input. A Normalize met before any scaling
    is taken to receive [0, 1] values when its mean is at most 1.5 (an earlier ToTensor not followed here)."""
    a, b = [1.0] * 3, [0.0] * 3
    scaled = False
    known = True
    normalized = from_model = random = False
    resize = crop = None
    interpolation = None
    normalize_steps: list[PreprocessingStep] = []
    size_steps: list[PreprocessingStep] = []
    for step in steps:
        op = step.op
        if op in ("scale", "to-tensor") and normalized:
            normalize_steps.append(step)  # a division by std written as its own step belongs to the normalization
        if op == "to-tensor":
            # ToTensor divides by 255 only uint8 input (PIL images, uint8 arrays); after an explicit scaling the
            # values are floats already and it leaves them alone.
            if not scaled:
                a, b, scaled = [x / 255.0 for x in a], [x / 255.0 for x in b], True
        elif op == "scale" and step.factor:
            # Any explicit scaling sets the value range (x / 255, x / 127.5 - 1): later shifts are in its units.
            f = _channels(step.factor)
            a, b, scaled = [x * y for x, y in zip(a, f)], [x * y for x, y in zip(b, f)], True
        elif op == "shift" and step.shift:
            normalized = True
            normalize_steps.append(step)
            shift = _channels(step.shift)
            if not scaled and max(abs(v) for v in shift) <= 1.5:
                a, b, scaled = [x / 255.0 for x in a], [x / 255.0 for x in b], True
            b = [x + y for x, y in zip(b, shift)]
        elif op == "normalize":
            normalized = True
            normalize_steps.append(step)
            if step.from_model:
                from_model = True
                continue
            mean = step.mean if step.mean is not None else (kb.library_constant(step.mean_name) if step.mean_name else None)
            std = step.std if step.std is not None else (kb.library_constant(step.std_name) if step.std_name else None)
            if mean is None or std is None or any(s == 0 for s in std):
                known = False
                continue
            m, s = _channels(mean), _channels(std)
            if step.max_pixel is not None:  # albumentations: (x - mean * max_pixel) / (std * max_pixel)
                m, s = [v * step.max_pixel for v in m], [v * step.max_pixel for v in s]
            elif not scaled and max(m) <= 1.5 and max(s) <= 1.5:
                a, b, scaled = [x / 255.0 for x in a], [x / 255.0 for x in b], True
            scaled = True
            a = [x / y for x, y in zip(a, s)]
            b = [(x - y) / z for x, y, z in zip(b, m, s)]
        elif op == "resize":
            size_steps.append(step)
            if resize is None:
                resize, interpolation = step.size, step.interpolation
        elif op == "center-crop":
            size_steps.append(step)
            crop = step.size
        elif op == "random":
            random = True
        elif op in ("opaque", "unknown"):
            if normalized:
                known = False  # values already normalized then changed in an unknown way (a learned stem, a helper)
            if op == "unknown" or _changes_size(step):
                random = True  # size comparisons need every size-changing step known
    if not known or from_model:
        mean = std = None
    else:
        mean = tuple(-y / (255.0 * x) for x, y in zip(a, b)) if all(x != 0 for x in a) else None
        std = tuple(1.0 / (255.0 * x) for x in a) if all(x != 0 for x in a) else None
    return _Found(normalized, mean, std, from_model, resize, crop, interpolation, random, normalize_steps, size_steps)


def _changes_size(step: PreprocessingStep) -> bool:
    text = step.text.lower()
    return any(word in text for word in ("pad", "crop", "resize", "scale"))


def _channels(values: tuple[float, ...]) -> list[float]:
    return list(values) * 3 if len(values) == 1 else list(values[:3]) + [values[-1]] * (3 - len(values[:3]))


def _preprocessing(obs: HygieneObservation, reader: ConfigReader) -> list[HygieneIssue]:
    """A mismatch (normalization or size) and/or missing normalization, for one path into one model."""
    ref = obs.model
    assert ref is not None
    ident = reader.identify(ref)
    expected = reader.config(ident, ref.revision)
    if expected is None or expected.preset in NOT_JUDGED_PRESETS:
        return []
    found = fold(obs.steps, reader.kb)
    missing = []
    if not found.normalized and obs.complete and expected.normalizes and not _identity(expected):
        missing = [_missing(obs, ident, expected, found)]
    differences: list[str] = []
    where: list[PreprocessingStep] = []
    if found.normalized and not found.from_model:
        if not expected.normalizes:
            differences.append("a mean/std normalization the weights' own transform does not apply (a second normalization)")
            where += found.normalize_steps
        elif found.mean is not None and found.std is not None and not (
            same_values(found.mean, expected.mean) and same_values(found.std, expected.std)
        ):
            differences.append(f"mean {numbers_text(_round(found.mean))} and std {numbers_text(_round(found.std))} "
                               f"instead of mean {numbers_text(expected.mean)} and std {numbers_text(expected.std)}")
            where += found.normalize_steps
    size = "" if _new_head(ref) else _size_difference(found, expected)
    if size:
        differences.append(size)
        where += found.size_steps
    if not differences:
        return missing
    if found.interpolation and expected.interpolation and found.interpolation != expected.interpolation and found.size_steps:
        differences.append(f"{found.interpolation} resizing instead of {expected.interpolation}")
    steps_text = "; ".join(f"{s.text or s.op} at {_where(s.location)}" for s in _unique(where))
    summary = (
        f"The weights {ident.name} expect {describe(expected)}, but the preprocessing that reaches the model at "
        f"{_where(obs.location)} applies {'; '.join(differences)} ({steps_text})."
    )
    return [HygieneIssue(
        rule="preprocessing-mismatch",
        component=ident.component_id,
        summary=summary,
        expected=expected.values(),
        found=_found_values(found, where),
        fix=door_fix(ident, ref),
        locations=_locations(obs, where),
        scope=ref.scope,
    ), *missing]


def _new_head(ref: ModelReference) -> bool:
    """Loaded into the project's own subclass of a library's ``*PreTrainedModel`` (``class MySeg(Dinov2PreTrainedModel)``):
    a new model with its own head built on the pretrained weights, whose input resolution is the project's design
    (dense heads train at higher resolutions on purpose). Its normalization is still judged, its size is not."""
    return (ref.api or "").endswith("PreTrainedModel.from_pretrained")


def _missing(obs: HygieneObservation, ident: Identified, expected: DataConfig, found: _Found) -> HygieneIssue:
    ref = obs.model
    assert ref is not None
    raw = found.std is not None and found.std[0] < 0.5  # never scaled to [0, 1]: values stay 0..255
    what = "raw 0-255 pixel values" if raw else "values scaled to [0, 1] (ToTensor or /255) with no mean/std normalization"
    summary = (
        f"The weights {ident.name} expect mean {numbers_text(expected.mean)} and std {numbers_text(expected.std)} "
        f"({expected.source}), but the model at {_where(obs.location)} is fed {what}."
    )
    steps = [s for s in obs.steps if s.op in ("to-tensor", "scale", "resize", "center-crop")]
    return HygieneIssue(
        rule="missing-normalization",
        component=ident.component_id,
        summary=summary,
        expected=expected.values(),
        found={**_found_values(found, steps), "mean": None, "std": None},
        fix=door_fix(ident, ref),
        locations=_locations(obs, steps),
        scope=ref.scope,
    )


def _identity(config: DataConfig) -> bool:
    return same_values(config.mean, (0.0,), 1e-6) and same_values(config.std, (1.0,), 1e-6)


def _size_difference(found: _Found, expected: DataConfig) -> str:
    """Size differences of a deterministic (eval) pipeline: the input size the model gets, and for the usual
    resize-then-center-crop form, the resize before the crop (hand-copied 256 where the weights use 232)."""
    if found.random or not found.size_steps:
        return ""
    crop = found.crop
    resize = found.resize
    final = crop if crop is not None else (resize if resize is not None and len(resize) == 2 else None)
    target = expected.input_size
    if final is not None and target is not None:
        if _pair(final) != _pair(target):
            return f"an input of {size_text(_pair(final))} instead of {size_text(_pair(target))}"
        exp_resize = expected.resize
        if (crop is not None and resize is not None and len(resize) == 1 and isinstance(exp_resize, int)
                and expected.crop is not None and abs(resize[0] - exp_resize) > RESIZE_TOLERANCE * exp_resize):
            return f"a resize to {resize[0]} before the {size_text(_pair(crop))} crop instead of {exp_resize}"
    return ""


def _pair(size: tuple[int, ...] | int) -> tuple[int, int]:
    if isinstance(size, int):
        return (size, size)
    return (size[0], size[0]) if len(size) == 1 else (size[0], size[1])


def _round(values: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(round(v, 4) for v in values)


def _found_values(found: _Found, steps: list[PreprocessingStep]) -> dict[str, object]:
    return {
        "mean": list(_round(found.mean)) if found.mean is not None and found.normalized else None,
        "std": list(_round(found.std)) if found.std is not None and found.normalized else None,
        "resize": list(found.resize) if found.resize else None,
        "crop": list(found.crop) if found.crop else None,
        "interpolation": found.interpolation,
        "where": [f"{_where(s.location)}: {s.text or s.op}" for s in _unique(steps)],
    }


def _unique(steps: list[PreprocessingStep]) -> list[PreprocessingStep]:
    return list(dict.fromkeys(steps))


def _locations(obs: HygieneObservation, steps: list[PreprocessingStep]) -> tuple[Location, ...]:
    """The call that feeds the model first, then the load, then each step the finding names."""
    out = [obs.location]
    if obs.model is not None:
        out.append(obs.model.location)
    out += [s.location for s in steps]
    return tuple(dict.fromkeys(out))


def _where(loc: Location) -> str:
    text = f"{loc.path}:{loc.line}"
    if loc.cell is not None:
        text += f" (cell {loc.cell})"
    return text


def door_fix(ident: Identified, ref: ModelReference) -> str:
    """The one line that gives this door's model its own preprocessing."""
    cid = ident.component_id
    if cid.startswith("torchvision:"):
        return f"preprocess = {cid.split(':', 1)[1]}.transforms()"
    if cid.startswith("timm:"):
        return "transform = timm.data.create_transform(**timm.data.resolve_model_data_config(model))"
    if cid.startswith("open_clip:"):
        model, _, tag = cid.split(":", 1)[1].partition(":")
        return f"model, _, preprocess = open_clip.create_model_and_transforms({model!r}, pretrained={tag!r})"
    if ref.loader == "open_clip" or (ref.api or "").startswith("open_clip."):
        return f"model, _, preprocess = open_clip.create_model_and_transforms('hf-hub:{ref.name}')"
    if cid.startswith("hf:timm/"):
        return "transform = timm.data.create_transform(**timm.data.resolve_model_data_config(model))"
    return f"processor = AutoImageProcessor.from_pretrained({ref.name!r})"


# -------------------------------------------------------------------------------------------- processor


def _processor(obs: HygieneObservation, reader: ConfigReader) -> HygieneIssue | None:
    model_ref, proc_ref = obs.model, obs.processor
    assert model_ref is not None and proc_ref is not None
    model_ident, proc_ident = reader.identify(model_ref), reader.identify(proc_ref)
    if model_ident.component_id == proc_ident.component_id:
        return None
    expected = reader.config(model_ident, model_ref.revision)
    used = reader.config(proc_ident, proc_ref.revision)
    if expected is None or used is None:
        return None  # one side's config is not known: nothing is compared
    differences = []
    if expected.normalizes != used.normalizes or not (same_values(expected.mean, used.mean) and same_values(expected.std, used.std)):
        differences.append(f"mean {numbers_text(used.mean)} and std {numbers_text(used.std)} instead of "
                           f"{numbers_text(expected.mean)} and {numbers_text(expected.std)}")
    if expected.input_size is not None and used.input_size is not None and _pair(expected.input_size) != _pair(used.input_size):
        differences.append(f"an input of {size_text(_pair(used.input_size))} instead of {size_text(_pair(expected.input_size))}")
    if not differences:
        return None
    summary = (
        f"The model {model_ident.name} is fed by the processor of {proc_ident.name}, loaded from another id, at "
        f"{_where(obs.location)}; its config gives {'; '.join(differences)} ({used.source} vs {expected.source})."
    )
    return HygieneIssue(
        rule="processor-mismatch",
        component=model_ident.component_id,
        summary=summary,
        expected=expected.values(),
        found={**used.values(), "where": [f"{_where(proc_ref.location)}: processor {proc_ident.component_id}"]},
        fix=f"processor = AutoImageProcessor.from_pretrained({model_ref.name!r})",
        locations=tuple(dict.fromkeys([obs.location, model_ref.location, proc_ref.location])),
        scope=model_ref.scope,
    )


# --------------------------------------------------------------------------------------------- untrained


def _untrained(obs: HygieneObservation, kb: KnowledgeBase) -> HygieneIssue | None:
    if obs.library == "torchvision" and kb.torchvision_builder_category(obs.name) != "classification":
        return None  # detection/segmentation builders load pretrained backbone weights by default
    candidates = kb.pretrained_weights(obs.library, obs.name)
    if not candidates:
        return None  # nothing pretrained exists for it: from scratch is the only option
    if obs.library == "torchvision":
        enum_name = candidates[0].split(":", 1)[1].split(".", 1)[0]
        fix = f"model = {obs.name}(weights={enum_name}.DEFAULT)"
        built = f"{obs.name}() without weights"
    else:
        fix = f"model = timm.create_model({obs.name!r}, pretrained=True)"
        built = f"timm.create_model({obs.name!r}) without pretrained=True"
    summary = (
        f"{built} starts from random weights in training code, while {obs.evidence}; training from scratch needs "
        "far more data and time than fine-tuning the pretrained weights that exist for it."
    )
    return HygieneIssue(
        rule="untrained-backbone",
        component=f"{obs.library}:{obs.name}",
        summary=summary,
        expected={"weights": candidates[0]},
        found={"weights": None, "evidence": obs.evidence, "where": [f"{_where(obs.location)}: {obs.location.snippet}"]},
        fix=fix,
        locations=(obs.location,),
        scope=obs.scope,
        candidates=tuple(candidates[:MAX_CANDIDATES]),
    )
