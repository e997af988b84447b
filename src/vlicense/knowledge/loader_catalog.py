"""The loader catalog: one YAML entry per library (``knowledge/loaders/<library>.yaml``), validated and indexed.

An entry says which callees load weights, which argument carries the id, how the value maps to a component id,
the library's defaults (with the version and source line they were read from), and the command-line forms.
discovery/loaders/engine.py reads every entry; docs/loader-catalog.md documents the fields.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vlicense.knowledge.schema_check import problems

SCHEMA_NAME = "loader-catalog.schema.json"
CACHE_FORMAT = "loader-catalog-1"
# The loader name (ModelReference.loader) each mapping kind emits; ``component`` emits its namespace.
KIND_LOADERS = {
    "hub": "huggingface",
    "ultralytics": "ultralytics",
    "timm": "timm",
    "torchvision": "torchvision",
    "open_clip": "open_clip",
    "torchhub": "torchhub",
    "file": "file",
    "url": "file",
}
MAX_MEMO = 50_000
PART_ARGS = ("variant", "revision", "task", "flag", "url", "dest", "into", "filename")


class CatalogError(ValueError):
    """A catalog file breaks the schema or a rule the schema cannot say (the message names file and key)."""


@dataclass(frozen=True)
class Arg:
    """Where a value is in a call: position and/or keyword, the callee's subscript, the callee's own name
    (``short``: its last part; ``owner``: everything before it), optionally one item of a dict argument."""

    pos: int | None = None
    kw: str | None = None
    subscript: bool = False
    callee: str | None = None
    key: str | None = None

    @property
    def label(self) -> str:
        return self.kw or (f"argument {self.pos + 1}" if self.pos is not None else "subscript" if self.subscript else "callee")


@dataclass(frozen=True)
class Mapping:
    """How a value becomes a reference: the mapping kind, the namespace of ``component``, value transforms."""

    map: str
    namespace: str | None = None
    transform: tuple[str, ...] = ()

    @property
    def loader(self) -> str:
        return self.namespace if self.map == "component" and self.namespace else KIND_LOADERS.get(self.map, self.map)


@dataclass(frozen=True)
class Default:
    """What loads when the id argument is missing, and where that was read (``file:line`` in the library)."""

    value: str
    at: str


@dataclass(frozen=True)
class When:
    """The call loads weights only when this argument is truthy (``truthy: false``: falsy); ``missing``: when absent."""

    arg: Arg
    truthy: bool = True
    missing: bool = False


@dataclass(frozen=True)
class OnlyWhen:
    """The call is audited only when this argument is one of ``values`` (None = absent); else unresolved."""

    arg: Arg
    values: tuple[str | None, ...]
    reason: str


@dataclass(frozen=True)
class Dispatch:
    """Another argument decides which mapping the id goes through (sahi ``model_type``)."""

    arg: Arg
    cases: tuple[tuple[str, Mapping], ...]
    otherwise: Mapping | None = None

    def mapping_for(self, value: str) -> Mapping | None:
        return next((m for k, m in self.cases if k == value), self.otherwise)


@dataclass(frozen=True)
class DefaultBy:
    """The default id depends on another argument (transformers ``pipeline(task)``): value -> (id, revision)."""

    arg: Arg
    at: str
    values: tuple[tuple[str, str, str | None], ...]

    def get(self, key: str) -> tuple[str, str | None] | None:
        return next(((v, r) for k, v, r in self.values if k == key), None)


@dataclass(frozen=True)
class Part:
    """One id a call loads: the argument, its mapping, and the conditions around it."""

    mapping: Mapping
    id: Arg | None = None
    args: tuple[tuple[str, Arg], ...] = ()  # variant, revision, task, flag, url, dest, into, filename
    when: When | None = None
    only_when: OnlyWhen | None = None
    default: Default | None = None
    default_by: DefaultBy | None = None
    dispatch: Dispatch | None = None
    required: bool = False
    # A general-purpose downloader (``map: url``): only URLs that name weights count; values not known are not listed.
    weights_only: bool = False

    def arg(self, name: str) -> Arg | None:
        return next((a for n, a in self.args if n == name), None)


@dataclass(frozen=True)
class CallRule:
    """Callees (qualified names or patterns) and the parts they load; ``api`` is how messages name the call."""

    library: str
    callees: tuple[str, ...]
    part: Part
    also: tuple[Part, ...] = ()
    api: str | None = None
    triggers: tuple[str, ...] = ()

    @property
    def parts(self) -> tuple[Part, ...]:
        return (self.part, *self.also)


@dataclass(frozen=True)
class CliRule:
    """A command-line form: ``yolo predict model=x.pt``, ``mim download mmdet --config X``."""

    library: str
    commands: tuple[str, ...]
    mapping: Mapping
    subcommand: tuple[str, ...] = ()
    key: str | None = None
    options: tuple[str, ...] = ()
    pos: int | None = None
    default: Default | None = None
    default_when: tuple[str, ...] = ()
    skip_when: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadFrom:
    version: str
    source: str
    date: str


@dataclass(frozen=True)
class LibraryEntry:
    library: str
    distribution: str
    modules: tuple[str, ...]
    read_from: ReadFrom
    calls: tuple[CallRule, ...] = ()
    cli: tuple[CliRule, ...] = ()
    path: str = ""


@dataclass
class LoaderCatalog:
    """Every entry, indexed: exact callees, patterns per top-level module, triggers, CLI commands."""

    entries: tuple[LibraryEntry, ...]
    _exact: dict[str, CallRule] = field(default_factory=dict)
    _patterns: dict[str, list[tuple[re.Pattern[str], CallRule]]] = field(default_factory=dict)
    _triggers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _cli: dict[str, tuple[CliRule, ...]] = field(default_factory=dict)
    _methods: set[str] = field(default_factory=set)
    _memo: dict[str, CallRule | None] = field(default_factory=dict)
    _last: frozenset[str] | None = None

    def __post_init__(self) -> None:
        triggers: dict[str, list[str]] = {}
        cli: dict[str, list[CliRule]] = {}
        for entry in self.entries:
            for rule in entry.calls:
                for callee in rule.callees:
                    module = callee.split(".", 1)[0]
                    if _is_pattern(callee):
                        self._patterns.setdefault(module, []).append((_compile(callee), rule))
                    else:
                        self._exact.setdefault(callee, rule)
                    last = callee.rsplit(".", 1)[-1]
                    if "()" in callee.rsplit(".", 1)[0] or last.endswith("()"):
                        self._methods.add(last.replace("()", ""))
                    triggers.setdefault(module, []).extend(rule.triggers)
            for rule in entry.cli:
                for command in rule.commands:
                    cli.setdefault(command, []).append(rule)
        self._triggers = {m: tuple(dict.fromkeys(t)) for m, t in triggers.items()}
        self._cli = {c: tuple(r) for c, r in cli.items()}

    @property
    def modules(self) -> frozenset[str]:
        """Top-level modules whose calls may load weights."""
        return frozenset(self._triggers)

    def triggers(self, module: str) -> tuple[str, ...]:
        """Words one of which a source calling into ``module``'s loaders must spell (the cheap prefilter)."""
        return self._triggers.get(module, ())

    def rule_for(self, qualname: str) -> CallRule | None:
        """The rule for a qualified callee: an exact name first, then patterns in catalog order (memoized)."""
        if qualname in self._memo:
            return self._memo[qualname]
        rule = self._exact.get(qualname)
        if rule is None:
            rule = next((r for p, r in self._patterns.get(qualname.split(".", 1)[0], ()) if p.fullmatch(qualname)), None)
        if len(self._memo) >= MAX_MEMO:
            self._memo.clear()  # bounded: a huge tree of distinct callees only costs the pattern matches again
        self._memo[qualname] = rule
        return rule

    @property
    def last_names(self) -> frozenset[str]:
        """Last names of every callee (``from_pretrained``, ``YOLO``): a project class's method with one of these
        names may be a library's, inherited (``class Net(PyTorchModelHubMixin)`` then ``Net.from_pretrained``)."""
        if self._last is None:
            self._last = frozenset(t for e in self.entries for r in e.calls for c in r.callees if (t := _trigger(c)))
        return self._last

    @property
    def method_names(self) -> frozenset[str]:
        """Names of methods called on an object a library call returned (``FaceAnalysis().prepare``)."""
        return frozenset(self._methods)

    def cli_rules(self, command: str) -> tuple[CliRule, ...]:
        return self._cli.get(command, ())

    def entry(self, library: str) -> LibraryEntry | None:
        return next((e for e in self.entries if e.library == library), None)

    def defaults_source(self, rule: CallRule | CliRule) -> str:
        """``ultralytics 8.4.190`` for messages about a default."""
        entry = self.entry(rule.library)
        return f"{entry.distribution} {entry.read_from.version}" if entry else rule.library


# ------------------------------------------------------------------------------------------------ loading

_LOCK = threading.Lock()
_CACHE: dict[Path, LoaderCatalog] = {}


def catalog_dir() -> Path:
    return Path(__file__).resolve().parent / "loaders"


def load_catalog(directory: Path | None = None) -> LoaderCatalog:
    """The catalog in ``directory`` (default: the bundled one), read and checked once per process."""
    key = (directory or catalog_dir()).resolve()
    with _LOCK:
        catalog = _CACHE.get(key)
        if catalog is None:
            catalog = _CACHE[key] = read_catalog(key, use_cache=True)
        return catalog


def schema() -> dict[str, Any]:
    return json.loads((catalog_dir() / SCHEMA_NAME).read_text(encoding="utf-8"))


def read_catalog(directory: Path, *, use_cache: bool = False) -> LoaderCatalog:
    """Read and check every ``*.yaml`` in ``directory``; CatalogError names the first bad file and its problems.

    ``use_cache``: reuse the checked data of the same files (same bytes) from the user cache folder, so a
    process pays ~1 ms instead of parsing and checking YAML (the pre-commit hook starts a process per commit).
    """
    paths = sorted(directory.glob("*.yaml"))
    texts = [(path, path.read_bytes()) for path in paths]
    cache = _cache_file(texts) if use_cache else None
    raw = _read_cached(cache) if cache is not None else None
    entries: list[LibraryEntry] | None = None
    if raw is not None and len(raw) == len(texts):
        try:
            entries = [_entry(data, path.name) for (path, _), data in zip(texts, raw)]
        except (KeyError, TypeError, ValueError, AttributeError):
            entries = None  # a damaged cache file: read the YAML again
    if entries is None:
        raw = [_checked(path, data) for path, data in texts]
        entries = [_entry(data, path.name) for (path, _), data in zip(texts, raw)]
        if cache is not None:
            _write_cached(cache, raw)
    _check_unique(entries)
    return LoaderCatalog(tuple(entries))


def _checked(path: Path, data: bytes) -> dict[str, Any]:
    from vlicense.yaml_fast import load_bundled_yaml  # only when the cache misses: yaml costs ~20 ms to import

    try:
        entry = _dates_as_text(load_bundled_yaml(data.decode("utf-8")))
    except Exception as exc:  # noqa: BLE001 - any parse failure is a broken catalog file
        raise CatalogError(f"{path.name}: not valid YAML ({exc})") from exc
    found = problems(entry, schema())
    if not found:
        found = _semantic_problems(entry, path.stem)
    if found:
        raise CatalogError(f"{path.name}: " + "; ".join(found[:10]))
    return entry


def _cache_file(texts: list[tuple[Path, bytes]]) -> Path | None:
    """Content-addressed: the schema, the checker and every entry's name and bytes make the key."""
    from vlicense.cache_location import user_cache_dir

    digest = hashlib.sha256(CACHE_FORMAT.encode())
    here = Path(__file__).resolve().parent
    for extra in (here / "loaders" / SCHEMA_NAME, here / "schema_check.py", Path(__file__).resolve()):
        digest.update(extra.read_bytes())
    for path, data in texts:
        digest.update(f"\0{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    try:
        return user_cache_dir() / "loader-catalog" / f"{digest.hexdigest()[:32]}.json"
    except Exception:  # noqa: BLE001 - no cache folder (platformdirs missing, odd HOME): just read the YAML
        return None


def _read_cached(path: Path) -> list[dict[str, Any]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, list) and all(isinstance(d, dict) for d in data) else None


def _write_cached(path: Path, raw: list[dict[str, Any]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(raw, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache folder only costs the parse next time


def _dates_as_text(data: Any) -> Any:
    """YAML reads an unquoted ``2026-12-05`` as a date; the catalog keeps dates as text."""
    if isinstance(data, dict):
        return {k: _dates_as_text(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_dates_as_text(v) for v in data]
    return data.isoformat() if hasattr(data, "isoformat") else data


def _check_unique(entries: list[LibraryEntry]) -> None:
    seen: dict[str, str] = {}
    for entry in entries:
        for rule in entry.calls:
            for callee in rule.callees:
                if callee in seen and seen[callee] != entry.library:
                    raise CatalogError(f"{entry.path}: callee {callee} is also claimed by {seen[callee]}.yaml")
                seen[callee] = entry.library


def _semantic_problems(data: dict[str, Any], stem: str) -> list[str]:
    """What the schema cannot say: names match, callees start with a listed module, triggers exist, namespaces."""
    out: list[str] = []
    if data["library"] != stem:
        out.append(f"library {data['library']!r} must match the file name {stem!r}")
    modules = set(data["modules"])
    for i, call in enumerate(data.get("calls") or []):
        where = f"calls[{i}]"
        callees = [call["callee"]] if isinstance(call["callee"], str) else call["callee"]
        for callee in callees:
            if callee.split(".", 1)[0] not in modules:
                out.append(f"{where}: callee {callee} does not start with one of the modules {sorted(modules)}")
            if not _trigger(callee) and not call.get("triggers"):
                out.append(f"{where}: callee {callee} has no literal last name: give triggers")
        for j, part in enumerate([call, *(call.get("also") or [])]):
            out += _mapping_problems(part, f"{where}" if j == 0 else f"{where}.also[{j - 1}]")
            for name, case in ((part.get("dispatch") or {}).get("cases") or {}).items():
                out += _mapping_problems(case, f"{where}.dispatch.cases.{name}")
    for i, cli in enumerate(data.get("cli") or []):
        if sum(k in cli["id"] for k in ("key", "option", "pos")) != 1:
            out.append(f"cli[{i}].id: give exactly one of key, option, pos")
        out += _mapping_problems(cli, f"cli[{i}]")
    return out


def _mapping_problems(part: dict[str, Any], where: str) -> list[str]:
    if part.get("map") == "component" and not part.get("namespace"):
        return [f"{where}: map component needs a namespace"]
    if part.get("map") not in ("component", None) and part.get("namespace"):
        return [f"{where}: namespace is only for map component"]
    return []


def _is_pattern(callee: str) -> bool:
    return "*" in callee


def _trigger(callee: str) -> str:
    """The literal last name of a callee (``a.b.YOLO`` -> ``YOLO``; ``x.reg[]`` -> ``reg``), "" for a glob."""
    last = callee.rsplit(".", 1)[-1].replace("()", "").replace("[]", "")
    return "" if "*" in last or len(last) < 2 else last


def _compile(pattern: str) -> re.Pattern[str]:
    """``**`` = any number of dotted parts (also none), ``*`` alone = one part, ``*`` inside a part = any text."""
    parts = pattern.split(".")
    out = re.escape(parts[0])
    for part in parts[1:]:
        if part == "**":
            out += r"(?:\.[^.]+)*"
        elif part == "*":
            out += r"\.[^.]+"
        else:
            out += r"\." + ".*".join(re.escape(p) for p in part.split("*")).replace(".*", "[^.]*")
    return re.compile(out)


def _arg(data: dict[str, Any] | None) -> Arg | None:
    if data is None:
        return None
    return Arg(data.get("pos"), data.get("kw"), bool(data.get("subscript")), data.get("callee"), data.get("key"))


def _mapping(data: dict[str, Any]) -> Mapping:
    return Mapping(data["map"], data.get("namespace"), tuple(data.get("transform") or ()))


def _default(data: dict[str, Any] | None) -> Default | None:
    return Default(str(data["value"]), str(data["at"])) if data else None


def _part(data: dict[str, Any]) -> Part:
    when = data.get("when")
    only = data.get("only_when")
    dispatch = data.get("dispatch")
    default_by = data.get("default_by")
    return Part(
        mapping=_mapping(data),
        id=_arg(data.get("id")),
        args=tuple((name, _arg(data[name])) for name in PART_ARGS if data.get(name) is not None),  # type: ignore[misc]
        when=When(Arg(when.get("pos"), when.get("kw")), when.get("truthy", True), when.get("missing", False)) if when else None,
        only_when=OnlyWhen(_arg(only["arg"]), tuple(only["values"]), only["reason"]) if only else None,  # type: ignore[arg-type]
        default=_default(data.get("default")),
        default_by=DefaultBy(
            _arg(default_by["arg"]),  # type: ignore[arg-type]
            default_by["at"],
            tuple((str(k), str(v["value"]), v.get("revision")) for k, v in default_by["values"].items()),
        ) if default_by else None,
        dispatch=Dispatch(
            _arg(dispatch["arg"]),  # type: ignore[arg-type]
            tuple((str(k), _mapping(v)) for k, v in dispatch["cases"].items()),
            _mapping(dispatch["otherwise"]) if dispatch.get("otherwise") else None,
        ) if dispatch else None,
        required=bool(data.get("required")),
        weights_only=bool(data.get("weights_only")),
    )


def _entry(data: dict[str, Any], path: str) -> LibraryEntry:
    library = data["library"]
    calls = []
    for call in data.get("calls") or []:
        callees = (call["callee"],) if isinstance(call["callee"], str) else tuple(call["callee"])
        triggers = tuple(call.get("triggers") or dict.fromkeys(t for t in map(_trigger, callees) if t))
        also = tuple(_part(p) for p in call.get("also") or ())
        calls.append(CallRule(library, callees, _part(call), also, call.get("api"), triggers))
    cli = []
    for form in data.get("cli") or []:
        commands = (form["command"],) if isinstance(form["command"], str) else tuple(form["command"])
        option = form["id"].get("option")
        cli.append(CliRule(
            library, commands, _mapping(form), tuple(form.get("subcommand") or ()), form["id"].get("key"),
            (option,) if isinstance(option, str) else tuple(option or ()), form["id"].get("pos"),
            _default(form.get("default")), tuple(form.get("default_when") or ()), tuple(form.get("skip_when") or ()),
        ))
    read = data["read_from"]
    return LibraryEntry(library, data["distribution"], tuple(data["modules"]),
                        ReadFrom(str(read["version"]), read["source"], str(read["date"])), tuple(calls), tuple(cli), path)
