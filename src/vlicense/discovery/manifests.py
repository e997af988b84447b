"""Dependency manifests: requirements*.txt (with -r includes), pyproject.toml, setup.cfg -> RequirementReference."""

from __future__ import annotations

import configparser
import re
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from vlicense.bounded import OverLimit, load_toml
from vlicense.discovery.sources import (
    MAX_TEXT_BYTES,
    Unreadable,
    decode_text,
    read_bytes,
)
from vlicense.model import Location, RequirementReference, SkippedFile

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]

_COMMENT = re.compile(r"(^|\s+)#.*$")
# Per-requirement options (``--hash=...``) start at the first `` -x``/`` --x`` after the requirement.
_TRAILING_OPTION = re.compile(r"\s+--?[A-Za-z]")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
TEST_WORDS = ("test",)
DEV_WORDS = ("dev", "lint", "doc", "ci", "type", "build", "bench")


def is_manifest(rel: str) -> bool:
    """Whether discovery reads ``rel`` as a dependency manifest."""
    # Asked of every walked file: plain string operations, no PurePosixPath.
    parent, _, name = rel.rpartition("/")
    name = name.lower()
    if name in ("pyproject.toml", "setup.cfg"):
        return True
    if name.endswith((".txt", ".in")):
        return name.startswith("requirements") or parent.rpartition("/")[2].lower() == "requirements"
    return False


def requirements_group(rel: str) -> str:
    """Group from a requirements file name: requirements-dev.txt -> dev, requirements/test.txt -> test."""
    path = PurePosixPath(rel.lower())
    label = path.stem.replace("requirements", "")
    if any(w in label for w in TEST_WORDS):
        return "test"
    if any(w in label for w in DEV_WORDS):
        return "dev"
    return "runtime"


class ManifestReader:
    """Reads manifests under one root; remembers requirements files already read so includes are read once."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.requirements: list[RequirementReference] = []
        self.skipped: list[SkippedFile] = []
        self._seen: set[str] = set()
        # Every requirements file read (includes too): a whole-run cache must notice when one of them changes.
        self.files_read: list[str] = []
        # Distribution names the project (and its nested projects) declare for themselves, as written.
        self.own_names: set[str] = set()

    def read(self, path: Path, rel: str) -> None:
        """Read one manifest; raises Unreadable when the whole file cannot be read."""
        name = PurePosixPath(rel).name.lower()
        if name == "pyproject.toml":
            self._pyproject(path, rel)
        elif name == "setup.cfg":
            self._setup_cfg(path, rel)
        else:
            self._requirements(path, rel, depth=0)

    # ------------------------------------------------------------ requirements.txt

    def _requirements(self, path: Path, rel: str, depth: int) -> None:
        if rel in self._seen:
            return
        self._seen.add(rel)
        self.files_read.append(rel)
        text = decode_text(read_bytes(path, MAX_TEXT_BYTES))
        group = requirements_group(rel)
        for lineno, line in _logical_lines(text):
            include = _include_target(line)
            if include:
                if include[0] in ("-r", "--requirement"):
                    self._include(rel, lineno, include[1], depth)
                # Constraint files (-c) pin versions but declare no dependency: nothing to record.
                continue
            if line.startswith("-") and not line.startswith(("-e", "--editable")):
                continue  # global options: --index-url, --find-links, --pre, ...
            self._requirement_line(rel, lineno, line, group)

    def _include(self, rel: str, lineno: int, target: str, depth: int) -> None:
        if "://" in target:
            self.skipped.append(SkippedFile(rel, f"line {lineno}: remote include {target} not followed"))
            return
        joined = PurePosixPath(rel).parent / target.replace("\\", "/")
        parts: list[str] = []
        for part in joined.parts:
            if part == "..":
                if not parts:
                    self.skipped.append(SkippedFile(rel, f"line {lineno}: include {target} is outside the project"))
                    return
                parts.pop()
            elif part != ".":
                parts.append(part)
        inc_rel = "/".join(parts)
        if depth > 20:
            self.skipped.append(SkippedFile(rel, f"line {lineno}: includes nested too deeply"))
            return
        inc_path = self.base / inc_rel
        if not inc_path.is_file():
            self.skipped.append(SkippedFile(rel, f"line {lineno}: included file {target} not found"))
            return
        try:
            self._requirements(inc_path, inc_rel, depth + 1)
        except Unreadable as exc:
            self.skipped.append(SkippedFile(inc_rel, str(exc)))

    def _requirement_line(self, rel: str, lineno: int, line: str, group: str) -> None:
        snippet = line[:200]
        editable = False
        if line.startswith(("-e", "--editable")):
            editable = True
            line = re.sub(r"^(-e|--editable)(\s*=\s*|\s+|(?=\S))", "", line).strip()
        else:
            cut = _TRAILING_OPTION.search(line)
            if cut:
                line = line[: cut.start()].strip()
        loc = Location(rel, lineno, 1, snippet)
        name_spec = _name_and_specifier(line)
        if name_spec is None:
            if editable and line in (".", "./"):
                return  # the project itself
            kind = "editable requirement" if editable else "requirement"
            self.skipped.append(SkippedFile(rel, f"line {lineno}: {kind} without a derivable package name ({line})"))
            return
        name, spec = name_spec
        self.requirements.append(RequirementReference(name, spec, loc, group))

    # ------------------------------------------------------------ pyproject.toml

    def _pyproject(self, path: Path, rel: str) -> None:
        text = decode_text(read_bytes(path, MAX_TEXT_BYTES))
        if tomllib is None:  # pragma: no cover
            raise Unreadable("pyproject.toml not read (needs Python 3.11+ or the tomli package)")
        try:
            data = load_toml(text, max_bytes=MAX_TEXT_BYTES, what="pyproject.toml")
        except tomllib.TOMLDecodeError as exc:
            raise Unreadable(f"malformed TOML ({exc})") from exc
        except OverLimit as exc:
            raise Unreadable(f"not read: {exc}") from None
        lines = text.splitlines()
        project = data.get("project")
        if isinstance(project, dict):
            self._own_name(project.get("name"))
            self._pep508_list(rel, lines, project.get("dependencies"), "runtime", "project")
            extras = project.get("optional-dependencies")
            if isinstance(extras, dict):
                for extra, reqs in sorted(extras.items()):
                    self._pep508_list(rel, lines, reqs, f"optional:{extra}", "project.optional-dependencies")
        groups = data.get("dependency-groups")
        if isinstance(groups, dict):
            for group, reqs in sorted(groups.items()):
                # {include-group = "x"} entries refer to another group, read on its own.
                strings = [r for r in reqs if isinstance(r, str)] if isinstance(reqs, list) else reqs
                self._pep508_list(rel, lines, strings, f"group:{group}", "dependency-groups")
        poetry = (data.get("tool") or {}).get("poetry") if isinstance(data.get("tool"), dict) else None
        if isinstance(poetry, dict):
            self._own_name(poetry.get("name"))
            self._poetry(rel, lines, poetry.get("dependencies"), "runtime", "tool.poetry.dependencies")
            self._poetry(rel, lines, poetry.get("dev-dependencies"), "dev", "tool.poetry.dev-dependencies")
            poetry_groups = poetry.get("group")
            if isinstance(poetry_groups, dict):
                for group, body in sorted(poetry_groups.items()):
                    if isinstance(body, dict):
                        self._poetry(rel, lines, body.get("dependencies"), f"group:{group}", f"tool.poetry.group.{group}.dependencies")

    def _pep508_list(self, rel: str, lines: list[str], reqs, group: str, section: str) -> None:
        if reqs is None:
            return
        if not isinstance(reqs, list):
            self.skipped.append(SkippedFile(rel, f"[{section}] {group}: dependencies are not a list"))
            return
        start = _section_line(lines, section)
        for raw in reqs:
            if not isinstance(raw, str):
                continue
            lineno = _find_line(lines, raw, start)
            parsed = _name_and_specifier(raw.strip())
            if parsed is None:
                self.skipped.append(SkippedFile(rel, f"line {lineno}: invalid requirement {raw!r}"))
                continue
            snippet = lines[lineno - 1].strip()[:200] if lineno else raw[:200]
            self.requirements.append(RequirementReference(parsed[0], parsed[1], Location(rel, lineno, 1, snippet), group))

    def _poetry(self, rel: str, lines: list[str], deps, group: str, section: str) -> None:
        if not isinstance(deps, dict):
            return
        start = _section_line(lines, section)
        for name, spec in sorted(deps.items()):
            if name.lower() == "python":
                continue
            lineno = _find_key_line(lines, name, start)
            snippet = lines[lineno - 1].strip()[:200] if lineno else name
            self.requirements.append(RequirementReference(canonicalize_name(name), _poetry_spec(spec), Location(rel, lineno, 1, snippet), group))

    # ------------------------------------------------------------ setup.cfg

    def _setup_cfg(self, path: Path, rel: str) -> None:
        text = decode_text(read_bytes(path, MAX_TEXT_BYTES))
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text, source=rel)
        except configparser.Error as exc:
            raise Unreadable(f"malformed setup.cfg ({exc.message if hasattr(exc, 'message') else exc})") from exc
        lines = text.splitlines()
        if parser.has_option("metadata", "name"):
            self._own_name(parser.get("metadata", "name"))
        sections: list[tuple[str, str, str]] = []
        if parser.has_option("options", "install_requires"):
            sections.append(("options", "install_requires", "runtime"))
        if parser.has_option("options", "tests_require"):
            sections.append(("options", "tests_require", "test"))
        if parser.has_section("options.extras_require"):
            for extra in parser.options("options.extras_require"):
                sections.append(("options.extras_require", extra, f"optional:{extra}"))
        for section, option, group in sections:
            value = parser.get(section, option)
            start = _section_line(lines, section)
            if value.strip().startswith("file:"):
                self.skipped.append(SkippedFile(rel, f"[{section}] {option} = {value.strip()} not followed"))
                continue
            for entry in value.splitlines():
                entry = _COMMENT.sub("", entry).strip()
                if not entry:
                    continue
                lineno = _find_line(lines, entry, start, quoted=False)
                parsed = _name_and_specifier(entry)
                if parsed is None:
                    self.skipped.append(SkippedFile(rel, f"line {lineno}: invalid requirement {entry!r}"))
                    continue
                snippet = lines[lineno - 1].strip()[:200] if lineno else entry[:200]
                self.requirements.append(RequirementReference(parsed[0], parsed[1], Location(rel, lineno, 1, snippet), group))

    # ------------------------------------------------------------ setup.py (literal lists from the AST)

    def add_setup_py(self, rel: str, entries: list[tuple[str, str, int]], problems: list[str], lines: list[str],
                     name: str | None = None) -> None:
        self._own_name(name)
        for text, group, lineno in entries:
            parsed = _name_and_specifier(text.strip())
            if parsed is None:
                self.skipped.append(SkippedFile(rel, f"line {lineno}: invalid requirement {text!r}"))
                continue
            snippet = lines[lineno - 1].strip()[:200] if 0 < lineno <= len(lines) else text
            self.requirements.append(RequirementReference(parsed[0], parsed[1], Location(rel, lineno, 1, snippet), group))
        for problem in problems:
            self.skipped.append(SkippedFile(rel, f"setup() {problem}"))


    def _own_name(self, name: object) -> None:
        if isinstance(name, str) and _DIST_NAME.fullmatch(name.strip()):
            self.own_names.add(canonicalize_name(name.strip()))


# A distribution name (PEP 508 / core metadata); anything else (a template placeholder, "{{ name }}") is ignored.
_DIST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


def _logical_lines(text: str):
    """(first line number, text) per logical line: comments stripped, backslash continuations joined."""
    pending: list[str] = []
    start = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).rstrip()
        if not pending:
            start = lineno
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = " ".join(p.strip() for p in pending).strip()
        pending = []
        if joined:
            yield start, joined
    if pending:
        joined = " ".join(p.strip() for p in pending).strip()
        if joined:
            yield start, joined


def _include_target(line: str) -> tuple[str, str] | None:
    """(option, file) for ``-r file``, ``-rfile``, ``--requirement=file``, ``-c file``..., else None."""
    for option in ("--requirement", "--constraint", "-r", "-c"):
        if line.startswith(option):
            rest = line[len(option):]
            if option.startswith("--") and rest[:1] not in (" ", "\t", "="):
                continue
            target = rest.lstrip(" \t=").strip()
            return (option, target) if target else None
    return None


def _name_and_specifier(text: str) -> tuple[str, str] | None:
    """(canonical name, specifier text with extras/url/markers) or None when no name can be derived."""
    if not text:
        return None
    named_url = re.match(r"^[A-Za-z0-9][\w.\-]*\s*(\[[^\]]*\])?\s*@", text)
    if not named_url and ("://" in text or text.lower().endswith((".whl", ".tar.gz", ".zip")) or text.startswith((".", "/", "~"))):
        return _url_requirement(text)
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    spec = ""
    if req.extras:
        spec += "[" + ",".join(sorted(req.extras)) + "]"
    spec += str(req.specifier)
    if req.url:
        spec += f" @ {req.url}"
    if req.marker is not None:
        spec += f"; {req.marker}"
    return canonicalize_name(req.name), spec.strip()


def _url_requirement(text: str) -> tuple[str, str] | None:
    egg = _EGG.search(text)
    if egg:
        return canonicalize_name(egg.group(1)), f"@ {text}"
    filename = text.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        if filename.endswith(".whl"):
            return canonicalize_name(parse_wheel_filename(filename)[0]), f"@ {text}"
        if filename.endswith((".tar.gz", ".zip")):
            return canonicalize_name(parse_sdist_filename(filename)[0]), f"@ {text}"
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


def _poetry_spec(spec) -> str:
    if isinstance(spec, str):
        return spec
    if isinstance(spec, dict):
        for key, prefix in (("version", ""), ("git", "@ git+"), ("url", "@ "), ("path", "path: ")):
            if key in spec:
                return f"{prefix}{spec[key]}"
        return ""
    if isinstance(spec, list):
        return " || ".join(_poetry_spec(s) for s in spec)
    return str(spec)


def _section_line(lines: list[str], section: str) -> int:
    """0-based index of a ``[section]`` header line (0 when absent)."""
    pattern = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(re.escape(p) for p in section.split(".")) + r"\s*\]")
    for index, line in enumerate(lines):
        if pattern.match(line):
            return index
    return 0


def _find_line(lines: list[str], needle: str, start: int, *, quoted: bool = True) -> int:
    """1-based line of ``needle`` at or after ``start`` (then anywhere); 0 when not found."""
    needles = [f'"{needle}"', f"'{needle}'"] if quoted else [needle]
    for rng in (range(start, len(lines)), range(start)):
        for index in rng:
            if any(n in lines[index] for n in needles):
                return index + 1
    return 0


def _find_key_line(lines: list[str], key: str, start: int) -> int:
    pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for rng in (range(start, len(lines)), range(start)):
        for index in rng:
            if pattern.match(lines[index]):
                return index + 1
    return 0
