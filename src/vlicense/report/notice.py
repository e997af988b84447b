"""Third-party NOTICE / attribution file: components grouped by license, with the license texts and NOTICE files they ship."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path, PurePosixPath

from license_expression import ExpressionError

from vlicense.model import AuditResult, Component
from vlicense.knowledge.licenses import LICENSING, exception_info, license_info
from vlicense.resolution.installed import Environment, InstalledDistribution

_MAX_FILE_BYTES = 512 * 1024
_MAX_METADATA_BYTES = 4 * 1024 * 1024
_RULE = "=" * 78
_SUB = "-" * 78
# Files a distribution ships for attribution. NOTICE files are what Apache-2.0 section 4(d) says must travel along.
_NOTICE_WORDS = ("notice", "authors")  # attribution files that are not license texts
_LICENSE_WORDS = ("license", "licence", "copying", "copyright", "unlicense")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class AttributionFile:
    """One file from a distribution's metadata folder: ``kind`` is ``license`` or ``notice``."""

    kind: str
    name: str  # path relative to the .dist-info folder (POSIX)
    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(" ".join(self.text.split()).encode("utf-8")).hexdigest()


@dataclass
class Entry:
    """One component in the notice, with the files found for it and what is missing."""

    component: Component
    files: list[AttributionFile] = field(default_factory=list)
    missing: str = ""  # why no license text could be included (empty when one was)


@dataclass
class Group:
    """All components under one license expression."""

    license: str  # the expression, or UNKNOWN
    entries: list[Entry] = field(default_factory=list)


def _is_attribution_name(name: str) -> str | None:
    lower = name.lower()
    stem = lower.rsplit("/", 1)[-1]
    if any(word in stem for word in _NOTICE_WORDS):
        return "notice"
    if any(word in stem for word in _LICENSE_WORDS):
        return "license"
    return None


def _read(path: Path, limit: int) -> str | None:
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return None
    text = data[:limit].decode("utf-8", errors="replace")
    if len(data) > limit:
        text += "\n[… truncated by vlicense: file larger than 512 KiB]"
    # Normalise line endings so the same text gives the same bytes on every platform.
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip("\n")


def _inside(folder: Path, candidate: Path) -> bool:
    """True when ``candidate`` (after symlinks) stays inside ``folder``: metadata is untrusted input."""
    try:
        candidate.resolve().relative_to(folder.resolve())
    except (OSError, ValueError):
        return False
    return candidate.is_file()


def _listed_files(meta_dir: Path) -> list[str]:
    """``License-File`` entries of METADATA (PKG-INFO for egg-info), as written."""
    for name in ("METADATA", "PKG-INFO"):
        path = meta_dir / name
        if path.is_file():
            text = _read(path, _MAX_METADATA_BYTES) or ""
            message = Parser().parsestr(text, headersonly=True)
            return [v.strip() for v in message.get_all("License-File") or [] if v.strip()]
    return []


def attribution_files(dist: InstalledDistribution) -> list[AttributionFile]:
    """License texts and NOTICE files a distribution ships in its metadata folder, read by path, sorted by name."""
    meta_dir = dist.path
    if not meta_dir.is_dir():  # a single-file .egg-info has no room for license files
        return []
    found: dict[str, Path] = {}
    for listed in _listed_files(meta_dir):
        rel = PurePosixPath(listed.replace("\\", "/"))
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            continue
        for candidate in (meta_dir / "licenses" / Path(*rel.parts), meta_dir / Path(*rel.parts)):
            if _inside(meta_dir, candidate):
                found[candidate.relative_to(meta_dir).as_posix()] = candidate
                break
    licenses_dir = meta_dir / "licenses"
    if licenses_dir.is_dir():  # PEP 639: everything under licenses/ is a license or notice file
        for folder, dirs, files in os.walk(licenses_dir):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder) / name
                if _inside(meta_dir, path):
                    found.setdefault(path.relative_to(meta_dir).as_posix(), path)
    for name in sorted(os.listdir(meta_dir)):
        path = meta_dir / name
        if _is_attribution_name(name) and _inside(meta_dir, path):
            found.setdefault(name, path)
    out = []
    for rel, path in sorted(found.items()):
        text = _read(path, _MAX_FILE_BYTES)
        if text is None or not text.strip():
            continue
        out.append(AttributionFile(_is_attribution_name(rel) or "license", rel, text))
    return out


def _ships(component: Component) -> bool:
    # Test, docs, notebooks and example code do not go out with the product.
    return component.scope == "runtime"


def build(result: AuditResult, environment: Environment | None) -> list[Group]:
    """Groups of shipped components by license (sorted; unknown last) with the files each distribution ships."""
    groups: dict[str, Group] = {}
    for comp in sorted(result.components, key=lambda c: (c.kind != "library", c.id)):
        if not _ships(comp):
            continue
        key = comp.license or UNKNOWN
        entry = Entry(comp)
        if comp.kind == "library":
            dist = environment.get(comp.name) if environment is not None else None
            if dist is None:
                entry.missing = "not installed in the target environment, so its license files could not be read"
            else:
                entry.files = attribution_files(dist)
                if not any(f.kind == "license" for f in entry.files):
                    entry.missing = f"{dist.path.name} ships no license file"
        groups.setdefault(key, Group(key)).entries.append(entry)
    return [groups[k] for k in sorted(groups, key=lambda k: (k == UNKNOWN, k.lower()))]


def _leaves(expression: str) -> list[str]:
    try:
        parsed = LICENSING.parse(expression)
    except ExpressionError:
        return [expression]
    if parsed is None:
        return []
    keys: set[str] = set()
    for symbol in LICENSING.license_symbols(parsed, unique=True, decompose=True):
        keys.add(symbol.key)
    return sorted(keys, key=str.lower)


def _describe(key: str) -> str:
    info = license_info(key)
    if info is not None:
        return f"{info.name}" + (f" <{info.url}>" if info.url else "")
    exc = exception_info(key)
    if exc is not None:
        return "license exception" + (f" <{exc.url}>" if exc.url else "")
    return "no catalog entry (read the license text the component ships)"


def _license_lines(expression: str) -> list[str]:
    """One line per license (and exception) in the expression: its name and where its text is published."""
    return [f"  {key}: {_describe(key)}" for key in _leaves(expression)]


def _label(comp: Component) -> str:
    version = f" {comp.version}" if comp.version else ""
    return f"{comp.name}{version} ({comp.kind}, {comp.id})"


def _licensed(expression: str | None) -> str:
    if not expression:
        return "license unknown"
    names = []
    for key in _leaves(expression):
        info = license_info(key)
        if info is not None:
            names.append(f"{info.name} ({key}" + (f", {info.url})" if info.url else ")"))
        else:
            names.append(key)
    return f"licensed under {expression}: " + "; ".join(names)


def attribution_line(comp: Component) -> str:
    """The sentence a model's attribution needs: what it is, under which license, and where that is stated."""
    loader = f", loaded with {comp.loader}" if comp.loader else ""
    return f'Pretrained model "{comp.name}" ({comp.id}{loader}), {_licensed(comp.license)}.'


def lineage_lines(comp: Component) -> list[str]:
    """One line per model up the lineage: a fine-tune ships its base's weights in derived form, so the base's
    attribution (and terms) go out with it."""
    return [f'Derived from "{link.id.split(":", 1)[-1]}" ({link.id}, via {link.relation}), '
            f"{_licensed(link.license)}; its terms apply to this model too." for link in comp.lineage]


def _source_line(comp: Component) -> str:
    if comp.facts:
        fact = comp.facts[0]
        return f"{fact.source}: {' '.join(fact.detail.split())}" if fact.detail else fact.source
    return comp.license_source or "none recorded"


def render(result: AuditResult, environment: Environment | None = None) -> str:
    """The NOTICE text: plain UTF-8, deterministic (sorted groups, components and files; no wall clock)."""
    groups = build(result, environment)
    lines = [
        "THIRD-PARTY SOFTWARE AND MODEL NOTICES",
        _RULE,
        f"Product: {result.root}",
        f"Prepared by vlicense {result.tool_version} on {result.generated_at} from a static audit (policy {result.policy_name}).",
        "",
        "This product uses the third-party libraries and pretrained models listed below, grouped by license.",
        "For libraries, the license texts and NOTICE files are reproduced as their installed distributions",
        "ship them. For models, the license, where it is stated, and an attribution line are given.",
        "Components used only by tests, notebooks, docs or examples are not listed: they do not ship.",
        "",
        "Summary",
        "-------",
    ]
    for group in groups:
        n = len(group.entries)
        lines.append(f"  {group.license}: {n} component{'s' if n != 1 else ''}")
    attention = [(g, e) for g in groups for e in g.entries if e.missing or g.license == UNKNOWN]
    if attention:
        lines += ["", "Needs attention before shipping", "-------------------------------"]
        for group, entry in attention:
            reason = "license unknown: no attribution can be prepared" if group.license == UNKNOWN else entry.missing
            if entry.component.kind == "model" and group.license != UNKNOWN:
                continue  # models carry no files: their attribution line is complete
            lines.append(f"  - {entry.component.id}: {reason}")
    for group in groups:
        title = "License unknown" if group.license == UNKNOWN else f"License: {group.license}"
        lines += ["", "", _RULE, title, _RULE]
        if group.license != UNKNOWN:
            lines += _license_lines(group.license)
        lines += ["", "Components:"] + [f"  - {_label(e.component)}" for e in group.entries]
        printed: dict[str, str] = {}  # identical texts (e.g. the Apache-2.0 text) are printed once per group
        for entry in group.entries:
            comp = entry.component
            lines += ["", _SUB, _label(comp), _SUB]
            if comp.kind == "model":
                lines.append(attribution_line(comp))
                lines += lineage_lines(comp)
                lines.append(f"Source: {_source_line(comp)}")
                continue
            if group.license == UNKNOWN:
                lines.append("No license is known for this component: there is no permission to redistribute it until one is found.")
            if entry.missing:
                lines.append(f"License text not included: {entry.missing}.")
                if group.license != UNKNOWN:
                    lines.append("The standard text of each license named above is published at the address given.")
            for f in entry.files:
                if f.kind == "license":
                    heading = "License file"
                else:
                    heading = "NOTICE file" if "notice" in f.name.lower() else "Attribution file"
                lines += ["", f"{heading}: {f.name}"]
                if f.digest in printed:
                    lines.append(f"(identical to the text printed above for {printed[f.digest]})")
                    continue
                printed[f.digest] = comp.name
                lines += ["", f.text]
    return "\n".join(lines).rstrip() + "\n"
