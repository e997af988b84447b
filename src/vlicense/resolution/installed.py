"""Read a target environment's installed distributions (.dist-info / .egg-info) by path, never by running it."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from email.parser import Parser
from pathlib import Path, PurePosixPath

from packaging.utils import canonicalize_name

from vlicense.model import LicenseFact, SkippedFile
from vlicense.resolution import spdx
from vlicense.resolution.cache import AnswerCache
from vlicense.resolution.environment import cfg_version, read_pyvenv_cfg

FACT_SOURCE = "installed-metadata"
_DETAIL_LIMIT = 200
_MAX_METADATA_BYTES = 4 * 1024 * 1024  # a METADATA with an embedded README is rarely over 1 MiB
_MAX_LICENSE_BYTES = 512 * 1024
# File names that hold license texts (NOTICE/AUTHORS/README listed as License-File are not license texts).
_LICENSE_NAME = re.compile(r"(^|[._-])(licen[cs]e|copying|copyright|unlicense)([._-]|$)", re.IGNORECASE)
_PYTHON_DIR = re.compile(r"python(\d+)\.(\d+)", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _truncate(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= _DETAIL_LIMIT else value[: _DETAIL_LIMIT - 1] + "…"


@dataclass(frozen=True)
class InstalledDistribution:
    """One installed distribution with its resolved license; ``path`` is its .dist-info/.egg-info folder."""

    name: str  # canonical (packaging.utils.canonicalize_name)
    display_name: str
    version: str
    path: Path
    license: str | None
    license_source: str | None
    facts: tuple[LicenseFact, ...]
    requires: tuple[str, ...]
    # Computed on first access (top_level.txt, else RECORD / installed-files.txt), because most audits only
    # need it for the few dists whose import names are looked up.
    _top_level: list = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def top_level(self) -> tuple[str, ...]:
        """Import names this distribution provides (top-level packages and modules), sorted."""
        if not self._top_level:
            self._top_level.append(_read_top_level(self.path))
        return self._top_level[0][0]

    def provides_module(self, dotted: str) -> bool:
        """True when the dist ships ``dotted`` (``google.protobuf``) or its top-level package when not dotted."""
        top = dotted.split(".")[0]
        if top not in self.top_level:
            return False
        if "." not in dotted:
            return True
        prefixes = self._top_level[0][1]
        second = ".".join(dotted.split(".")[:2])
        # No file list to tell (top_level.txt only): the top-level match is all we know.
        return not prefixes or second in prefixes


class Environment:
    """The distributions installed in a set of site directories, read once."""

    def __init__(self, site_dirs: Sequence[Path], python_version: str | None,
                 distributions: dict[str, InstalledDistribution], problems: list[SkippedFile]) -> None:
        self.site_dirs = tuple(site_dirs)
        self.python_version = python_version
        self.distributions = distributions
        # Dists that could not be read: never dropped silently.
        self.problems = problems
        self._module_index: dict[str, list[str]] | None = None

    @classmethod
    def from_paths(cls, site_dirs: Sequence[Path], python_version: str | None = None, *,
                   cache: AnswerCache | None = None) -> Environment:
        """Read every distribution of the site dirs; with ``cache``, unchanged dist-info folders are not re-read
        (a pre-commit hook reads the project's venv on every commit: hundreds of METADATA and RECORD files)."""
        dirs = [Path(d) for d in site_dirs]
        if python_version is None:
            python_version = _python_version_from_paths(dirs)
        distributions: dict[str, InstalledDistribution] = {}
        problems: list[SkippedFile] = []
        locations = [loc for site in dirs for loc in _metadata_locations(site, problems)]
        signatures = {loc: _signature(*loc) for loc in locations} if cache is not None else {}
        cached = cache.get_many(_CACHE_NAMESPACE, [s for s in signatures.values() if s]) if cache is not None else {}
        fresh: dict[str, object] = {}
        for meta_dir, meta_file in locations:
            signature = signatures.get((meta_dir, meta_file))
            dist = _from_payload(meta_dir, cached[signature]) if signature in cached else None
            if dist is None:
                dist = _read_distribution(meta_dir, meta_file, problems)
                if dist is not None and signature:
                    fresh[signature] = _to_payload(dist)
            # First wins, like importlib.metadata walking sys.path.
            if dist is not None and dist.name not in distributions:
                distributions[dist.name] = dist
        if cache is not None and fresh:
            cache.put_many(_CACHE_NAMESPACE, fresh)
        return cls(dirs, python_version, dict(sorted(distributions.items())), problems)

    # The architecture page names it so.
    from_site_packages = from_paths

    def get(self, name: str) -> InstalledDistribution | None:
        """The distribution called ``name`` in any spelling (``Pillow``, ``pillow``, ``ruamel_yaml``)."""
        return self.distributions.get(canonicalize_name(name))

    def distributions_for_module(self, module: str) -> list[str]:
        """Canonical names of the dists that provide the import ``module`` (several for namespace packages)."""
        if self._module_index is None:
            index: dict[str, list[str]] = {}
            for name, dist in self.distributions.items():
                for top in dist.top_level:
                    index.setdefault(top, []).append(name)
            self._module_index = index
        candidates = self._module_index.get(module.split(".")[0], [])
        if "." in module and len(candidates) > 1:
            narrowed = [n for n in candidates if self.distributions[n].provides_module(module)]
            candidates = narrowed or candidates
        return sorted(candidates)


# ----------------------------------------------------------------------------------------------- caching

_CACHE_NAMESPACE = "installed-v2"


def _signature(meta_dir: Path, meta_file: Path) -> str | None:
    """Identity of one dist-info folder's content: its path plus the size, mtime and inode of the folder and of
    the files read from it. pip writes a new folder on every install or upgrade; None when not stat-able."""
    try:
        parts = [str(meta_dir)]
        for path in (meta_dir, meta_file, meta_dir / "RECORD", meta_dir / "top_level.txt"):
            try:
                st = path.stat()
            except FileNotFoundError:
                parts.append("-")
                continue
            parts.append(f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
        return "|".join(parts)
    except OSError:
        return None


def _to_payload(dist: InstalledDistribution) -> dict[str, object]:
    tops, seconds = dist.top_level, sorted(dist._top_level[0][1])
    return {
        "name": dist.name, "display_name": dist.display_name, "version": dist.version,
        "license": dist.license, "license_source": dist.license_source,
        "facts": [[f.source, f.license, f.detail, f.declares_none] for f in dist.facts],
        "requires": list(dist.requires), "top_level": list(tops), "seconds": seconds,
    }


def _from_payload(meta_dir: Path, payload: object) -> InstalledDistribution | None:
    """The cached distribution, or None when the entry is not what this version wrote (then it is re-read)."""
    try:
        dist = InstalledDistribution(
            name=payload["name"], display_name=payload["display_name"], version=payload["version"],  # type: ignore[index]
            path=meta_dir, license=payload["license"], license_source=payload["license_source"],  # type: ignore[index]
            facts=tuple(LicenseFact(*fact) for fact in payload["facts"]),  # type: ignore[index]
            requires=tuple(payload["requires"]),  # type: ignore[index]
        )
        dist._top_level.append((tuple(payload["top_level"]), frozenset(payload["seconds"])))  # type: ignore[index]
        return dist
    except (KeyError, TypeError, ValueError):
        return None


# ----------------------------------------------------------------------------------------------- reading


def _python_version_from_paths(dirs: Iterable[Path]) -> str | None:
    for d in dirs:
        for part in reversed(Path(d).parts):
            match = _PYTHON_DIR.fullmatch(part)
            if match:
                return f"{match.group(1)}.{match.group(2)}"
    for d in dirs:
        # Windows venvs (Lib/site-packages) only tell their version in pyvenv.cfg.
        for parent in list(Path(d).parents)[:3]:
            cfg = parent / "pyvenv.cfg"
            version = _pyvenv_version(cfg)
            if version:
                return version
    return None


def _pyvenv_version(cfg: Path) -> str | None:
    return cfg_version(read_pyvenv_cfg(cfg))


def _metadata_locations(site: Path, problems: list[SkippedFile]) -> list[tuple[Path, Path]]:
    """(metadata folder, metadata file) for every dist in one site dir, in name order for determinism."""
    try:
        entries = sorted(os.scandir(site), key=lambda e: e.name)
    except OSError as exc:
        problems.append(SkippedFile(str(site), f"site directory not readable: {exc.strerror or exc}"))
        return []
    found = []
    for entry in entries:
        name = entry.name
        path = Path(entry.path)
        if name.endswith(".dist-info"):
            found.append((path, path / "METADATA"))
        elif name.endswith(".egg-info"):
            # An egg-info is a folder with PKG-INFO, or (distutils) a single PKG-INFO-format file.
            found.append((path, path / "PKG-INFO" if entry.is_dir() else path))
        elif name.endswith(".egg") and entry.is_dir():
            found.append((path / "EGG-INFO", path / "EGG-INFO" / "PKG-INFO"))
    return found


def _read_text(path: Path, limit: int) -> str:
    with open(path, "rb") as handle:
        data = handle.read(limit)
    return data.decode("utf-8", errors="replace")


def _read_distribution(meta_dir: Path, meta_file: Path, problems: list[SkippedFile]) -> InstalledDistribution | None:
    try:
        text = _read_text(meta_file, _MAX_METADATA_BYTES)
    except OSError as exc:
        problems.append(SkippedFile(str(meta_file), f"metadata not readable: {exc.strerror or exc}"))
        return None
    # Headers only: the body (the long description) can be large and says nothing we need; cut it before
    # parsing, since the email parser still walks a body line by line even with headersonly.
    text = text.replace("\r\n", "\n")
    end = text.find("\n\n")
    if end != -1:
        text = text[: end + 1]
    try:
        message = Parser().parsestr(text, headersonly=True)
    except Exception as exc:  # email.parser is lenient; this guards truly odd input
        problems.append(SkippedFile(str(meta_file), f"metadata not parseable: {exc}"))
        return None
    display_name = (message.get("Name") or "").strip()
    if not display_name:
        problems.append(SkippedFile(str(meta_file), "metadata has no Name field; distribution skipped"))
        return None
    version = (message.get("Version") or "").strip()
    license_value, license_source, facts = _resolve_license(message, meta_dir)
    requires = tuple(_header_values(message, "Requires-Dist"))
    if not requires and meta_dir.is_dir():
        requires = tuple(_egg_requires(meta_dir / "requires.txt"))
    return InstalledDistribution(
        name=canonicalize_name(display_name),
        display_name=display_name,
        version=version,
        path=meta_dir,
        license=license_value,
        license_source=license_source,
        facts=facts,
        requires=requires,
    )


def _header_values(message: Message, field_name: str) -> list[str]:
    return [str(v).strip() for v in (message.get_all(field_name) or []) if str(v).strip()]


def _unfold(value: str) -> str:
    """A multi-line header as written by setuptools: continuation lines indented by 8 spaces or '       |'."""
    lines = value.replace("\r\n", "\n").split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        if line.startswith("       |"):
            line = line[8:]
        elif line.startswith("        "):
            line = line[8:]
        out.append(line)
    return "\n".join(out).strip()


# ----------------------------------------------------------------------------------------------- license


_NO_LICENSE_DETAILS = ("license: unknown", "license: none")


@dataclass
class _Candidate:
    source: str  # the license_source label
    license: str | None
    detail: str
    # The first section of a text that bundles several licenses: it may narrow a vague declared family
    # ("License: BSD" -> BSD-3-Clause) but is not an answer of its own.
    narrows_only: bool = False
    # Every section of a bundled text identified (``A AND B``): the answer only when nothing else answers.
    last_resort: bool = False


def _resolve_license(message: Message, meta_dir: Path) -> tuple[str | None, str | None, tuple[LicenseFact, ...]]:
    """PEP 639 order: License-Expression, License-File texts, classifiers, License. Returns (license, source, facts)."""
    candidates: list[_Candidate] = []
    expression = (message.get("License-Expression") or "").strip()
    if expression:
        candidates.append(_Candidate("License-Expression", spdx.normalize(expression),
                                     f"License-Expression: {_truncate(expression)}"))
    else:
        # The texts matter only when no expression says it already (and reading them costs I/O).
        candidates.extend(_license_file_candidates(message, meta_dir))
    classifiers = [c for c in _header_values(message, "Classifier") if c.startswith("License ::")]
    if classifiers:
        candidates.append(_Candidate("Classifier", spdx.from_classifiers(classifiers),
                                     "Classifier: " + _truncate("; ".join(classifiers))))
    raw_license = message.get("License")
    if raw_license is not None and str(raw_license).strip():
        value = _unfold(str(raw_license))
        normalized = spdx.normalize(value)
        candidates.append(_Candidate("License", normalized, f"License: {_truncate(value)}"))
        if normalized is None and "\n" in value:
            # A pasted text that bundles several (scipy) or a DEP-5 copyright file (scikit-image).
            candidates += _bundle_candidates("License", value)

    narrowing = [c for c in candidates if c.narrows_only and c.license is not None]
    resolved = [c for c in candidates if c.license is not None and not (c.narrows_only or c.last_resort)]
    if not resolved:
        resolved = [c for c in candidates if c.last_resort and c.license is not None][:1]
    if not resolved:
        # Old setuptools wrote "License: UNKNOWN" when the author gave none: that, too, declares no license.
        silent = all(c.detail.strip().lower() in _NO_LICENSE_DETAILS for c in candidates)
        facts = tuple(LicenseFact(FACT_SOURCE, None, c.detail, declares_none=silent) for c in candidates)
        return None, None, facts or (LicenseFact(FACT_SOURCE, None, "no license metadata", declares_none=True),)
    chosen = _gnu_or_later(_declarations_over_packaging_file(resolved[0], resolved), resolved)
    if spdx.is_vague(chosen.license):
        # "BSD License" then "BSD-3-Clause": a later source naming the variant refines the vague family.
        for later in resolved[1:] + narrowing:
            if spdx.refines(chosen.license, later.license):
                chosen = later
                break
        else:
            # No license file says it: the license header of the package's own top-level module may.
            header = _module_header_candidate(meta_dir)
            if header is not None and spdx.refines(chosen.license, header.license):
                chosen = header
    facts = [LicenseFact(FACT_SOURCE, chosen.license, chosen.detail)]
    for other in resolved:
        if other is chosen or other.license == chosen.license:
            continue
        if spdx.refines(other.license, chosen.license):
            continue  # a vague family the chosen answer narrows is agreement, not conflict
        if other.source.startswith("License-File") and f"{other.license}".removesuffix("-only") + "-or-later" == chosen.license:
            continue  # a GNU text read as -only, the or-later its notice chose (_gnu_or_later): agreement
        facts.append(LicenseFact(FACT_SOURCE, other.license, other.detail))
    return chosen.license, chosen.source, tuple(facts)


def _declarations_over_packaging_file(chosen: _Candidate, resolved: list[_Candidate]) -> _Candidate:
    """A license file that both declarations contradict while agreeing with each other is the packaging's, not the
    distribution's: opencv-python ships its build scripts' MIT LICENSE.txt, while ``License: Apache 2.0`` and the
    Apache classifier say what OpenCV is under. One declaration alone (a template's MIT classifier) does not
    outweigh the file."""
    if not chosen.source.startswith("License-File"):
        return chosen
    declared = [c for c in resolved if c.source in ("Classifier", "License")]
    if len(declared) != 2 or not _agree(declared[0].license, declared[1].license):
        return chosen
    if any(_agree(chosen.license, d.license) for d in declared):
        return chosen
    classifier, field = declared
    return field if spdx.refines(classifier.license, field.license) or not spdx.is_vague(field.license) else classifier


def _gnu_or_later(chosen: _Candidate, resolved: list[_Candidate]) -> _Candidate:
    """A GNU license text reads the same for "-only" and "-or-later" (the choice is made in the notice, not the
    text): a declaration naming the or-later form of the same version says what a file identified as -only cannot."""
    if not (chosen.source.startswith("License-File") and chosen.license and chosen.license.endswith("-only")
            and " " not in chosen.license):
        return chosen
    later = chosen.license.removesuffix("-only") + "-or-later"
    return next((c for c in resolved if c.license == later), chosen)


def _agree(a: str | None, b: str | None) -> bool:
    """The same license, or a vague family and a license of that family."""
    return a is not None and b is not None and (a == b or spdx.refines(a, b) or spdx.refines(b, a))


def _license_file_candidates(message: Message, meta_dir: Path) -> list[_Candidate]:
    if not meta_dir.is_dir():
        return []
    files: list[tuple[str, Path]] = []
    for listed in _header_values(message, "License-File"):
        path = _license_file_path(meta_dir, listed)
        if path is not None and _LICENSE_NAME.search(PurePosixPath(listed).name):
            files.append((listed, path))
    if not files:
        # Older wheels copy license files into the dist-info without listing them.
        for folder in (meta_dir / "licenses", meta_dir):
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            for name in names:
                if _LICENSE_NAME.search(name) and (folder / name).is_file():
                    rel = name if folder == meta_dir else f"licenses/{name}"
                    files.append((rel, folder / name))
    identified: dict[str, str] = {}
    bundles: list[_Candidate] = []
    for listed, path in files:
        try:
            text = _read_text(path, _MAX_LICENSE_BYTES)
        except OSError:
            continue
        license_id = spdx.identify_text(text)
        if license_id is not None:
            identified[listed] = license_id
        else:
            bundles += _bundle_candidates(f"License-File {listed}", text)
    if not identified:
        return bundles
    names = " ".join(sorted(identified))
    if len(set(identified.values())) == 1:
        license_id = next(iter(identified.values()))
        return [_Candidate(f"License-File {names}", license_id, f"License-File {_truncate(names)}")]
    # Several files with different licenses: AND (bundled code) or OR (dual licensing)? Unknown: no guess.
    listing = ", ".join(f"{k}={v}" for k, v in sorted(identified.items()))
    return [_Candidate(f"License-File {names}", None, f"License-File {_truncate(listing)} (relationship unknown)")]


def _bundle_candidates(label: str, text: str) -> list[_Candidate]:
    """A text that bundles several licenses. Its first section (the package's own terms) or the ``Files: *``
    stanza of a DEP-5 file may narrow a vague declared family; when every section is identified, their AND is
    the answer of last resort. The detail names the bundled terms so they stay visible."""
    main = spdx.dep5_main_license(text)
    if main is not None:
        return [_Candidate(f"{label} (Files: *)", main, f"{label} (DEP-5, Files: * is {main})", narrows_only=True)]
    sections = spdx.identify_sections(text)
    if len(sections) < 2 or sections[0] is None:
        return []
    bundled = sorted({s for s in sections[1:] if s is not None and s != sections[0]})
    unidentified = sum(1 for s in sections[1:] if s is None)
    extra = f"; bundles {', '.join(bundled)}" if bundled else ""
    if unidentified:
        extra += f"; {unidentified} more section(s) not identified"
    out = [_Candidate(f"{label} (first section)", sections[0], f"{_truncate(label)} (first section {sections[0]}{extra})",
                      narrows_only=True)]
    if not unidentified:
        every = " AND ".join(dict.fromkeys(s for s in sections if s is not None))
        out.append(_Candidate(label, every, f"{_truncate(label)} (sections: {every})", last_resort=True))
    return out


_MAX_HEADER_BYTES = 16 * 1024


def _module_header_candidate(meta_dir: Path) -> _Candidate | None:
    """The license text in the leading comment or docstring of the distribution's top-level module, when exactly
    one module carries one (pynvml.py opens with the BSD-3-Clause text while its metadata says only "BSD")."""
    found: dict[str, str] = {}
    tops, _ = _read_top_level(meta_dir)
    for top in tops[:8]:
        for rel in (f"{top}.py", f"{top}/__init__.py"):
            path = meta_dir.parent / rel
            try:
                text = _read_text(path, _MAX_HEADER_BYTES)
            except OSError:
                continue
            license_id = spdx.identify_text(_leading_text(text))
            if license_id is not None:
                found[rel] = license_id
            break
    if len(set(found.values())) != 1:
        return None
    rel, license_id = sorted(found.items())[0]
    return _Candidate(f"module header {rel}", license_id, f"license header of {rel}")


# Leading comment lines, then an optional module docstring: where a license header lives.
_LEADING_COMMENTS = re.compile(r"\A(?:[ \t]*(?:#[^\n]*)?\n)*")
_DOCSTRING = re.compile(r"\A[rRuU]?(\"\"\"|\'\'\')(.*?)\1", re.DOTALL)


def _leading_text(source: str) -> str:
    """The comment lines and the docstring at the top of a module."""
    comments = _LEADING_COMMENTS.match(source)
    head = comments.group(0) if comments else ""
    docstring = _DOCSTRING.match(source[len(head):].lstrip())
    return head + (docstring.group(2) if docstring else "")


def _license_file_path(meta_dir: Path, listed: str) -> Path | None:
    """Where a License-File value lives; None for absolute or escaping paths (hostile metadata)."""
    rel = PurePosixPath(listed.replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        return None
    for candidate in (meta_dir / "licenses" / Path(*rel.parts), meta_dir / Path(*rel.parts)):
        if candidate.is_file():
            return candidate
    return None


def _egg_requires(path: Path) -> list[str]:
    """requires.txt of an egg-info: plain lines, then ``[extra:marker]`` sections; rewritten as Requires-Dist."""
    try:
        text = _read_text(path, _MAX_METADATA_BYTES)
    except OSError:
        return []
    out: list[str] = []
    extra, marker = "", ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            continue
        conditions = []
        if marker:
            conditions.append(f"({marker})")
        if extra:
            conditions.append(f'extra == "{extra}"')
        out.append(f"{line}; {' and '.join(conditions)}" if conditions else line)
    return out


# ------------------------------------------------------------------------------------------- top level


def _read_top_level(meta_dir: Path) -> tuple[tuple[str, ...], frozenset[str]]:
    """(top-level import names, "pkg.sub" prefixes seen in the file list)."""
    tops: set[str] = set()
    seconds: set[str] = set()
    try:
        text = _read_text(meta_dir / "top_level.txt", _MAX_METADATA_BYTES)
        tops.update(line.strip().replace("/", ".").split(".")[0] for line in text.splitlines() if line.strip())
    except OSError:
        pass
    for parts in _installed_paths(meta_dir):
        if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith((".dist-info", ".egg-info", ".data")):
            continue
        first = parts[0]
        if len(parts) == 1:
            # A top-level module file: foo.py, foo.cpython-311-x86_64-linux-gnu.so, foo.pyd.
            if not first.endswith((".py", ".so", ".pyd")):
                continue
            first = first.split(".")[0]
        elif len(parts) >= 3 or parts[1].endswith(".py") or parts[1].endswith((".so", ".pyd")):
            seconds.add(f"{first}.{parts[1].split('.')[0]}")
        if _IDENTIFIER.match(first):
            tops.add(first)
    tops = {t for t in tops if _IDENTIFIER.match(t)}
    return tuple(sorted(tops)), frozenset(seconds)


def _posix_parts(path: str) -> tuple[str, ...]:
    """``PurePosixPath(path).parts``, without building a path object (a RECORD has thousands of rows)."""
    parts = tuple(p for p in path.split("/") if p and p != ".")
    if not path.startswith("/"):
        return parts
    # POSIX keeps exactly two leading slashes as the root; one or three and more are "/".
    return ("//" if path.startswith("//") and not path.startswith("///") else "/", *parts)


def _installed_paths(meta_dir: Path) -> list[tuple[str, ...]]:
    """Parts of the paths relative to the site dir from RECORD (dist-info) or installed-files.txt (egg-info)."""
    try:
        record = _read_text(meta_dir / "RECORD", _MAX_METADATA_BYTES * 4)
        return [_posix_parts(row[0]) for row in csv.reader(io.StringIO(record)) if row and row[0]]
    except (OSError, csv.Error):
        pass
    try:
        listing = _read_text(meta_dir / "installed-files.txt", _MAX_METADATA_BYTES * 4)
    except OSError:
        return []
    site = PurePosixPath(meta_dir.parent.as_posix())
    out = []
    for line in listing.splitlines():
        line = line.strip()
        if not line:
            continue
        # Relative to the egg-info folder: "../foo/__init__.py" -> "foo/__init__.py".
        joined = os.path.normpath(os.path.join(meta_dir.as_posix(), line))
        try:
            out.append(PurePosixPath(joined).relative_to(site).parts)
        except ValueError:
            continue
    return out
