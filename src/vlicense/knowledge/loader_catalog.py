"""The loader catalog: one YAML entry per library (``knowledge/loaders/<library>.yaml``), validated and indexed.

An entry says which callees load weights, which argument carries the id, how the value maps to a component id,
the library's defaults (with the version and source line they were read from), and the command-line forms.
discovery/loaders/engine.py reads every entry; docs/loader-catalog.md documents the fields.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from vlicense.knowledge.schema_check import problems
from vlicense.knowledge.weight_urls import is_url, names_a_file, weight_format

SCHEMA_NAME = "loader-catalog.schema.json"
CACHE_FORMAT = "loader-catalog-2"
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


class _Unset:
    """No ``equals`` test (None is a value a test may compare with)."""

    def __repr__(self) -> str:
        return "UNSET"


_UNSET: Any = _Unset()


@dataclass(frozen=True)
class Arg:
    """Where a value is in a call: position and/or keyword, the callee's subscript, the callee's own name
    (``short``: its last part; ``owner``: everything before it), optionally one item of a dict argument (``key``)
    or of a ``[key, value, ...]`` list (``after``); ``const``: a value the library fills in itself; ``multiple``:
    the argument is a list of ids."""

    pos: int | None = None
    kw: str | None = None
    subscript: bool = False
    callee: str | None = None
    key: str | None = None
    const: str | None = None
    multiple: bool = False
    # A yacs-style ``[key, value, key, value]`` list argument: the item after this key (``MODEL.WEIGHT``).
    after: str | None = None

    @property
    def label(self) -> str:
        return self.kw or (f"argument {self.pos + 1}" if self.pos is not None else "subscript" if self.subscript else "callee")


@dataclass(frozen=True)
class MatchRule:
    """One ``match`` rule: a test on the id's value and the mapping fields it sets when the test passes."""

    then: Mapping
    regex: str | None = None
    within: tuple[Any, ...] | None = None  # ``in:``
    equals: Any = _UNSET

    def test(self, value: Any) -> dict[str, str] | None:
        """The regex's named groups when the test passes (``{}`` for ``in``/``equals``), else None. ``in`` on a
        list value passes when any element is in the set; ``equals`` compares the whole value."""
        if self.regex is not None:
            found = _regex(self.regex).search(value) if isinstance(value, str) else None
            return {k: v for k, v in found.groupdict().items() if v is not None} if found else None
        if self.within is not None:
            items = value if isinstance(value, tuple) else (value,)
            return {} if any(_same(item, w) for item in items for w in self.within) else None
        return {} if _same(value, self.equals) else None


@dataclass(frozen=True)
class Mapping:
    """How a value becomes a reference: the mapping kind (``map``), the namespace of ``component``, value
    transforms, a name template (``value``), the closed set of names the library accepts (``values``), ordered
    ``match`` rules that pick other mapping fields, a ``delegate`` callee whose mapping applies after this one's
    rules, or ``unresolved``: the value is listed as unresolved with this reason. Fields left unset (None) in a
    match rule, a dispatch case or a default keep the mapping they refine."""

    map: str | None = None
    namespace: str | None = None
    transform: tuple[str, ...] = ()
    value: str | None = None
    values: frozenset[str] | None = None
    match: tuple[MatchRule, ...] = ()
    delegate: str | None = None
    unresolved: str | None = None

    @property
    def loader(self) -> str:
        return self.namespace if self.map == "component" and self.namespace else KIND_LOADERS.get(self.map or "", self.map or "file")

    def overlay(self, over: Mapping) -> Mapping:
        """``over`` refining this mapping: its set fields win; a delegate or an unresolved reason replaces it all."""
        if over.delegate or over.unresolved:
            return over
        return Mapping(
            over.map or self.map,
            over.namespace or self.namespace,
            over.transform or self.transform,
            over.value if over.value is not None else self.value,
            over.values if over.values is not None else self.values,
            over.match or self.match,
            self.delegate if over.map is None else None,
            None,
        )


@dataclass(frozen=True)
class Choice:
    """What a value maps to: the final mapping and name, nothing (``map: none``), or an unresolved reason."""

    mapping: Mapping | None = None
    name: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Default:
    """What loads when the id argument is missing, where that was read (``file:line`` in the library), and the
    mapping when it differs from the argument's (``RFDETRBase()`` loads ``rfdetr:RFDETRBase``, a path does not)."""

    value: str | tuple[str, ...]  # a tuple for a list-valued id (deepface ``actions``)
    at: str
    mapping: Mapping | None = None


@dataclass(frozen=True)
class When:
    """The call loads weights only when this argument is truthy (``truthy: false``: falsy) or, with ``equals``,
    equal to that constant; ``missing``: whether an absent argument loads."""

    arg: Arg
    truthy: bool = True
    missing: bool = False
    equals: Any = _UNSET
    # The argument is an object, not a flag (sahi ``model=``): a value a call built is truthy.
    object: bool = False

    def loads(self, value: Any) -> bool:
        return _same(value, self.equals) if self.equals is not _UNSET else bool(value) == self.truthy



@dataclass(frozen=True)
class OnlyWhen:
    """The call is audited only when this argument is one of ``values`` (None = absent); else unresolved."""

    arg: Arg
    values: tuple[str | None, ...]
    reason: str


@dataclass(frozen=True)
class Case:
    """A dispatch case: the mapping fields it refines, and optionally another id argument and default."""

    mapping: Mapping
    id: Arg | None = None
    has_id: bool = False
    default: Default | None = None
    when: When | None = None


@dataclass(frozen=True)
class Dispatch:
    """Another argument decides how the id is read and mapped (sahi ``model_type``); ``default``: the argument's
    own default in the library (used when it is not passed); absent without a default -> ``otherwise``."""

    arg: Arg | CliArg
    cases: tuple[tuple[str, Case], ...]
    otherwise: Case | None = None
    default: Default | None = None

    def case_for(self, value: str) -> Case | None:
        return next((c for k, c in self.cases if k == value), self.otherwise)


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
    # Named arguments a ``value`` template reads (``{weights}``: super-gradients ``pretrained_weights=``).
    template_args: tuple[tuple[str, Arg], ...] = ()

    def arg(self, name: str) -> Arg | None:
        return next((a for n, a in self.args if n == name), None)


@dataclass(frozen=True)
class CallRule:
    """Callees (qualified names or patterns) and the parts they load; ``api`` is how messages name the call.

    The parts are read from the entry's checked data on first use: a run meets a few of the catalog's rules, and
    building all of them would cost every process (the pre-commit hook starts one per commit)."""

    library: str
    callees: tuple[str, ...]
    data: dict[str, Any] = field(compare=True, repr=False)
    api: str | None = None
    triggers: tuple[str, ...] = ()
    # Which project functions that pass a parameter here are wrappers: "any", or "download-helpers" (only those
    # named like one: a general-purpose HTTP call in every API client must not make each client a wrapper).
    wrappers: str = "any"

    @cached_property
    def part(self) -> Part:
        return _part(self.data)

    @cached_property
    def also(self) -> tuple[Part, ...]:
        return tuple(_part(p) for p in self.data.get("also") or ())

    @property
    def parts(self) -> tuple[Part, ...]:
        return (self.part, *self.also)


@dataclass(frozen=True)
class CliArg:
    """Where a command line holds a value: ``key=value``, an option (``--weights x``/``--weights=x``), or the
    n-th positional word after the subcommand; ``multiple``: every word after the option up to the next option."""

    key: str | None = None
    options: tuple[str, ...] = ()
    pos: int | None = None
    multiple: bool = False


@dataclass(frozen=True)
class CliRule:
    """A command-line form: ``yolo predict model=x.pt``, ``mim download mmdet --config X``."""

    library: str
    commands: tuple[str, ...]
    mapping: Mapping
    id: CliArg
    subcommand: tuple[str, ...] = ()
    default: Default | None = None
    default_when: tuple[str, ...] = ()
    skip_when: tuple[str, ...] = ()
    dispatch: Dispatch | None = None


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
    # Class-constant tables (``Models.YOLO_NAS_L`` -> ``yolo_nas_l``): qualified ``Class.MEMBER`` -> value.
    constants: tuple[tuple[str, str], ...] = ()


@dataclass
class LoaderCatalog:
    """Every entry, indexed: exact callees, patterns per top-level module, triggers, CLI commands."""

    entries: tuple[LibraryEntry, ...]
    _exact: dict[str, CallRule] = field(default_factory=dict)
    _patterns: dict[str, list[tuple[re.Pattern[str], CallRule]]] = field(default_factory=dict)
    _triggers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _cli: dict[str, tuple[CliRule, ...]] = field(default_factory=dict)
    _methods: dict[str, int] = field(default_factory=dict)
    _memo: dict[str, CallRule | None] = field(default_factory=dict)
    _last: frozenset[str] | None = None
    _constants: dict[str, str] = field(default_factory=dict)
    _namespaces: frozenset[str] | None = None

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
                    if "()" in callee:
                        # ``pkg.Class().a.b``: the attribute chain after the returned object, by its last name.
                        chain = callee.rsplit("()", 1)[1].strip(".").split(".")
                        last = chain[-1]
                        self._methods[last] = max(self._methods.get(last, 0), len(chain))
                    triggers.setdefault(module, []).extend(rule.triggers)
            for rule in entry.cli:
                for command in rule.commands:
                    cli.setdefault(command, []).append(rule)
            self._constants.update(entry.constants)
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
        """Last names of the callees that are class attributes (``from_pretrained``, ``from_preset``): a project
        class's method with one of these names may be a library's, inherited (``class Net(PyTorchModelHubMixin)``
        then ``Net.from_pretrained``). Module functions (``models.get``) and methods of returned objects are not."""
        if self._last is None:
            self._last = frozenset(
                t for e in self.entries for r in e.calls for c in r.callees
                if "()" not in c and (t := _trigger(c)) and _owner_may_be_a_class(c)
            )
        return self._last

    @property
    def method_names(self) -> frozenset[str]:
        """Names of methods (or attribute chains) used on an object a library call returned (``FaceAnalysis().prepare``,
        ``get_cfg().MODEL.WEIGHTS``)."""
        return frozenset(self._methods)

    def method_chain(self, name: str) -> int:
        """How many attribute names a ``Class().a.b`` callee ending in ``name`` spells after the returned object."""
        return self._methods.get(name, 0)

    @property
    def namespaces(self) -> frozenset[str]:
        """Every component namespace an entry can emit (``insightface``, ``super_gradients``, ``roboflow``, ...)."""
        if self._namespaces is None:
            found: set[str] = set()
            forms = [(p.mapping, p.dispatch, p.default) for e in self.entries for r in e.calls for p in r.parts]
            forms += [(c.mapping, c.dispatch, c.default) for e in self.entries for c in e.cli]
            for mapping, dispatch, default in forms:
                for m in _refinements(mapping, dispatch, default):
                    found.update(x.namespace for x in (m, *(r.then for r in m.match)) if x.namespace)
            self._namespaces = frozenset(found)
        return self._namespaces

    def constant(self, dotted: str) -> str | None:
        """The value of a library's class constant (``super_gradients.common.object_names.Models.YOLO_NAS_L``)."""
        return self._constants.get(dotted)

    def cli_rules(self, command: str) -> tuple[CliRule, ...]:
        return self._cli.get(command, ())

    def entry(self, library: str) -> LibraryEntry | None:
        return next((e for e in self.entries if e.library == library), None)

    def defaults_source(self, rule: CallRule | CliRule) -> str:
        """``ultralytics 8.4.190`` for messages about a default."""
        entry = self.entry(rule.library)
        return f"{entry.distribution} {entry.read_from.version}" if entry else rule.library

    def effective(self, mapping: Mapping) -> Mapping:
        """A mapping with its ``delegate`` resolved: the delegate callee's (first part's) mapping, after this
        mapping's own match rules and fields (checked at load: the callee exists and does not delegate)."""
        if mapping.delegate is None:
            return mapping
        rule = self.rule_for(mapping.delegate)
        target = rule.part.mapping if rule is not None else Mapping("file")
        own = dataclasses.replace(mapping, delegate=None)
        return dataclasses.replace(target.overlay(own), match=mapping.match + target.match, delegate=None)

    def choose(self, mapping: Mapping, value: Any, variables: dict[str, str] | None = None) -> Choice:
        """What a constant id (a string, a bool, None, or a tuple of them) maps to: the first ``match`` rule whose
        test passes refines the mapping; then ``unresolved``/``none``; then the transforms, the closed set of
        ``values`` and the name template (``{value}``, the regex's named groups, ``variables``: ``{callee}``
        and the rule's template arguments). A value that is not a string keeps the mapping and no name."""
        mapping = self.effective(mapping)
        groups: dict[str, str] | None = None
        for rule in mapping.match:
            groups = rule.test(value)
            if groups is not None:
                mapping = self.effective(mapping.overlay(rule.then))
                break
        if groups is None and mapping.map == "component" and isinstance(value, str) and names_a_file(value.strip()):
            # A path or URL is a file the code loads, not a name in the namespace (unless a match rule says so).
            return Choice(Mapping("url" if is_url(value.strip()) else "file"), value.strip())
        if mapping.unresolved:
            return Choice(reason=mapping.unresolved.format(value=value))
        if mapping.map == "none":
            return Choice()
        if isinstance(value, str):
            name = transform(value.strip(), mapping.transform)
            if mapping.values is not None and name not in mapping.values:
                return Choice(reason=f"{name!r} is not one of the {len(mapping.values)} names the library accepts")
        elif mapping.value is None or "{value}" in mapping.value:
            return Choice(mapping)  # not a name (None, a flag, a list): the mapping kind says what it means
        else:
            name = ""  # a constant template names the weights (easyocr: the language list picks english_g2)
        if mapping.value is not None:
            try:
                name = mapping.value.format_map({**(variables or {}), **(groups or {}), "value": name})
            except (KeyError, IndexError, ValueError) as exc:
                return Choice(reason=f"the name template {mapping.value!r} needs {exc}")
        return Choice(mapping, name)


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


@lru_cache(maxsize=1)
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
    if raw is not None and len(raw) == len(texts):
        try:
            # The cache key covers the schema, this module and every entry's bytes: the data was checked.
            return LoaderCatalog(tuple(_entry(data, path.name) for (path, _), data in zip(texts, raw)))
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # a damaged cache file: read the YAML again
    raw = [_checked(path, data) for path, data in texts]
    entries = [_entry(data, path.name) for (path, _), data in zip(texts, raw)]
    _check_unique(entries)
    catalog = LoaderCatalog(tuple(entries))
    _check_mappings(catalog)
    if cache is not None:
        _write_cached(cache, raw)
    return catalog


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
    """What the schema cannot say about one file: names match, callees start with a listed module, triggers
    exist, regexes compile, dispatch cases are named by strings (mappings are checked on the whole catalog)."""
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
    for where, node in _walk(data, "$"):
        if node.get("map") not in (None, "component") and node.get("namespace"):
            out.append(f"{where}: namespace is only for map component")
        for j, rule in enumerate(node.get("match") or ()):
            if "regex" in rule:
                try:
                    re.compile(rule["regex"])
                except re.error as exc:
                    out.append(f"{where}.match[{j}]: bad regex ({exc})")
            if sum(k in rule for k in ("regex", "in", "equals")) != 1:
                out.append(f"{where}.match[{j}]: give exactly one of regex, in, equals")
        dispatch = node.get("dispatch")
        if isinstance(dispatch, dict) and any(not isinstance(k, str) for k in dispatch.get("cases") or {}):
            out.append(f"{where}.dispatch.cases: quote every case name (a YAML true/1 is not a string)")
    for i, cli in enumerate(data.get("cli") or []):
        if sum(k in cli["id"] for k in ("key", "option", "pos")) != 1:
            out.append(f"cli[{i}].id: give exactly one of key, option, pos")
        if isinstance((cli.get("default") or {}).get("value"), list):
            out.append(f"cli[{i}].default: a command line's default is one id")
    for owner in data.get("constants") or {}:
        if owner.split(".", 1)[0] not in modules:
            out.append(f"constants: {owner} does not start with one of the modules {sorted(modules)}")
    return out


def _walk(node: Any, where: str):
    """Every mapping-like dict of an entry with its path (calls, parts, cases, match rules, defaults, cli)."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}[{i}]")


def _check_mappings(catalog: LoaderCatalog) -> None:
    """Every mapping a value can end up with (a part's, refined by a case, a default, a match rule, a delegate)
    names a kind, ``component`` has a namespace, and a delegate names a callee that does not delegate itself."""
    for entry in catalog.entries:
        found: list[str] = []
        rules = [(f"calls[{i}]", part) for i, r in enumerate(entry.calls) for part in r.parts]
        for where, part in rules:
            for mapping in _refinements(part.mapping, part.dispatch, part.default):
                found += _mapping_problems(catalog, mapping, where)
        for i, cli in enumerate(entry.cli):
            for mapping in _refinements(cli.mapping, cli.dispatch, cli.default):
                found += _mapping_problems(catalog, mapping, f"cli[{i}]")
        if found:
            raise CatalogError(f"{entry.path}: " + "; ".join(dict.fromkeys(found)))


def _refinements(base: Mapping, dispatch: Dispatch | None, default: Default | None) -> list[Mapping]:
    """The mappings a value can meet: the base (unless a dispatch with ``otherwise`` always refines it), each
    case's, and a default's own."""
    cases = [c for _, c in dispatch.cases] + ([dispatch.otherwise] if dispatch.otherwise else []) if dispatch else []
    out = [] if dispatch is not None and dispatch.otherwise is not None else [base]
    out += [base.overlay(c.mapping) for c in cases]
    out += [base.overlay(d.mapping) for d in [default, *(c.default for c in cases)] if d is not None and d.mapping is not None]
    return out


def _mapping_problems(catalog: LoaderCatalog, mapping: Mapping, where: str) -> list[str]:
    out: list[str] = []
    for m in (mapping, *(mapping.overlay(r.then) for r in mapping.match)):
        if m.delegate is not None:
            rule = catalog.rule_for(m.delegate)
            if rule is None:
                out.append(f"{where}: delegate {m.delegate} is not a callee of the catalog")
                continue
            if rule.part.mapping.delegate is not None:
                out.append(f"{where}: delegate {m.delegate} delegates again (one step only)")
                continue
        m = catalog.effective(m)
        if m.unresolved:
            continue
        if m.map is None:
            out.append(f"{where}: no map")
        elif m.map == "component" and not m.namespace:
            out.append(f"{where}: map component needs a namespace")
    return out


def _owner_may_be_a_class(callee: str) -> bool:
    owner = callee.rsplit(".", 2)[-2] if callee.count(".") >= 1 else ""
    return owner in ("*", "**") or owner[:1].isupper()


def _is_pattern(callee: str) -> bool:
    return "*" in callee


def _is_method(callee: str) -> bool:
    """``pkg.Class.method`` or ``pkg.**.method`` (not ``pkg.module.function``)."""
    parts = callee.split(".")
    return len(parts) >= 2 and (parts[-2] in ("*", "**") or parts[-2][:1].isupper())


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
    const = data.get("const")
    return Arg(data.get("pos"), data.get("kw"), bool(data.get("subscript")), data.get("callee"), data.get("key"),
               None if const is None else str(const), bool(data.get("multiple")), data.get("after"))


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def _mapping(data: dict[str, Any]) -> Mapping:
    values = data.get("values")
    match = tuple(
        MatchRule(_mapping(rule), rule.get("regex"), _frozen(rule["in"]) if "in" in rule else None,
                  _frozen(rule["equals"]) if "equals" in rule else _UNSET)
        for rule in data.get("match") or ()
    )
    return Mapping(data.get("map"), data.get("namespace"), tuple(data.get("transform") or ()), data.get("value"),
                   frozenset(map(str, values)) if values is not None else None, match, data.get("delegate"),
                   data.get("unresolved"))


MAPPING_KEYS = ("map", "namespace", "transform", "value", "values", "match", "delegate", "unresolved")


def _default(data: dict[str, Any] | None) -> Default | None:
    if not data:
        return None
    refined = any(k in data for k in MAPPING_KEYS if k != "value")
    value = data["value"]
    # (A default's ``value`` is the id itself, never a name template.)
    return Default(tuple(map(str, value)) if isinstance(value, list) else str(value), str(data["at"]),
                   _mapping({k: v for k, v in data.items() if k != "value"}) if refined else None)


def _case(data: dict[str, Any]) -> Case:
    return Case(_mapping(data), _arg(data.get("id")), "id" in data, _default(data.get("default")), _when(data.get("when")))


def _dispatch(data: dict[str, Any] | None, arg_reader) -> Dispatch | None:
    if not data:
        return None
    return Dispatch(
        arg_reader(data["arg"]),
        tuple((str(k), _case(v)) for k, v in data["cases"].items()),
        _case(data["otherwise"]) if data.get("otherwise") else None,
        _default(data.get("default")),
    )


def _when(data: dict[str, Any] | None) -> When | None:
    if not data:
        return None
    return When(Arg(data.get("pos"), data.get("kw")), data.get("truthy", True), data.get("missing", False),
                _frozen(data["equals"]) if "equals" in data else _UNSET, bool(data.get("object", False)))


def _part(data: dict[str, Any]) -> Part:
    only = data.get("only_when")
    default_by = data.get("default_by")
    return Part(
        mapping=_mapping(data),
        id=_arg(data.get("id")),
        args=tuple((name, _arg(data[name])) for name in PART_ARGS if data.get(name) is not None),  # type: ignore[misc]
        when=_when(data.get("when")),
        only_when=OnlyWhen(_arg(only["arg"]), tuple(only["values"]), only["reason"]) if only else None,  # type: ignore[arg-type]
        default=_default(data.get("default")),
        default_by=DefaultBy(
            _arg(default_by["arg"]),  # type: ignore[arg-type]
            default_by["at"],
            tuple((str(k), str(v["value"]), v.get("revision")) for k, v in default_by["values"].items()),
        ) if default_by else None,
        dispatch=_dispatch(data.get("dispatch"), _arg),
        required=bool(data.get("required")),
        weights_only=bool(data.get("weights_only")),
        template_args=tuple((name, _arg(a)) for name, a in (data.get("args") or {}).items()),  # type: ignore[misc]
    )


def _cli_arg(data: dict[str, Any]) -> CliArg:
    option = data.get("option")
    return CliArg(data.get("key"), (option,) if isinstance(option, str) else tuple(option or ()), data.get("pos"),
                  bool(data.get("multiple")))


def _entry(data: dict[str, Any], path: str) -> LibraryEntry:
    library = data["library"]
    calls = []
    for call in data.get("calls") or []:
        callees = (call["callee"],) if isinstance(call["callee"], str) else tuple(call["callee"])
        triggers = tuple(call.get("triggers") or dict.fromkeys(t for t in map(_trigger, callees) if t))
        calls.append(CallRule(library, callees, call, call.get("api"), triggers, call.get("wrappers", "any")))
    cli = []
    for form in data.get("cli") or []:
        commands = (form["command"],) if isinstance(form["command"], str) else tuple(form["command"])
        cli.append(CliRule(
            library, commands, _mapping(form), _cli_arg(form["id"]), tuple(form.get("subcommand") or ()),
            _default(form.get("default")), tuple(form.get("default_when") or ()), tuple(form.get("skip_when") or ()),
            _dispatch(form.get("dispatch"), _cli_arg),
        ))
    read = data["read_from"]
    constants = tuple((f"{owner}.{member}", str(value)) for owner, table in (data.get("constants") or {}).items()
                      for member, value in table["members"].items())
    return LibraryEntry(library, data["distribution"], tuple(data["modules"]),
                        ReadFrom(str(read["version"]), read["source"], str(read["date"])), tuple(calls), tuple(cli), path,
                        constants)


# ------------------------------------------------------------------------------------------------ values

TRANSFORMS: dict[str, Callable[[str], str]] = {
    "basename": lambda s: s.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1],
    "stem": lambda s: PurePosixPath(s.replace("\\", "/")).stem,
    "lower": str.lower,
    "strip_weight_suffix": lambda s: s[: -len(f".{weight_format(s)}")] if weight_format(s) else s,
    # A config file named as the model (detectron2 ``COCO-Detection/x.yaml``, an mmdet ``configs/.../x.py``).
    "strip_config_suffix": lambda s: re.sub(r"\.(ya?ml|py|json)$", "", s),
}


def transform(value: str, names: tuple[str, ...]) -> str:
    for name in names:
        value = TRANSFORMS[name](value)
    return value


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _same(value: Any, expected: Any) -> bool:
    """Constant equality that keeps True apart from 1 and compares a list with a tuple item by item."""
    if isinstance(expected, tuple):
        return isinstance(value, tuple) and len(value) == len(expected) and all(map(_same, value, expected))
    return value == expected and isinstance(value, bool) == isinstance(expected, bool)
