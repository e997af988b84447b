"""Policy YAML: the dataclasses and a loader that finds every mistake and reports each as file:line: key: message."""

from __future__ import annotations

import contextlib
import datetime
import fnmatch
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from license_expression import ExpressionError
from packaging.utils import canonicalize_name

from vlicense import resources
from vlicense.bounded import POLICY_YAML, OverLimit, compose_yaml, size_text
from vlicense.errors import PolicyError
from vlicense.model import Component, ProjectContext
from vlicense.knowledge.licenses import LICENSING
from vlicense.policy.context import (
    DISTRIBUTIONS,
    SCOPE_NAMES,
    SEVERITIES,
    SEVERITY_KEYS,
    normalize_distribution,
)
from vlicense.policy.rules import TABLE_RULES, all_rule_ids, rule_alias

TOP_LEVEL_KEYS = (
    "name",
    "description",
    "extends",
    "context",
    "rules",
    "scopes",
    "allow",
    "deny",
    "overrides",
    "choices",
    "exceptions",
    "hygiene",
)
CONTEXT_KEYS = ("distribution", "commercial", "project_license")
LIST_KEYS = ("licenses", "packages", "models")
OVERRIDE_KEYS = ("license", "reason")
CHOICE_KEYS = ("license", "reason")
EXCEPTION_KEYS = ("component", "version", "path", "rule", "reason", "owner", "ticket", "expires")
# Component id prefixes (DESIGN.md section 4); an id without one can never match, so it is a policy mistake.
COMPONENT_PREFIXES = ("pypi:", "hf:", "timm:", "torchvision:", "ultralytics:", "torchhub:", "open_clip:", "file:", "local:")


# Mildest first; max() keeps the first of equal candidates (the context key listed first).
_SEVERITY_ORDER = ("ignore", "info", "warning", "error")


def variant_key(rule_id: str, variant: str) -> str:
    """Where a rule variant's severity table is kept in Policy.rules: ``unknown-license.declared-none``."""
    return f"{rule_id}.{variant}"


@dataclass(frozen=True)
class PolicyProblem:
    """One mistake in a policy file: where (path, 1-based line; 0 when unknown), the key at fault, what, how to fix."""

    path: str
    line: int
    key: str
    message: str
    fix: str = ""

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self) -> str:
        """``file:line: key: message (fix)`` - the one-line form `vlicense policy check` prints."""
        return f"{self.where}: {self.key}: {self.message}" + (f" ({self.fix})" if self.fix else "")

    def error(self, more: int = 0) -> PolicyError:
        fix = self.fix
        if more:
            extra = f"{more} more problem{'s' if more > 1 else ''} in the policy; run `vlicense policy check` to list all"
            fix = f"{fix}; {extra}" if fix else extra
        return PolicyError(f"{self.key}: {self.message}", where=self.where, fix=fix or None)


@dataclass(frozen=True)
class Matchers:
    """An allow or deny list. Packages are distribution names, models are component ids; both take globs."""

    licenses: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    def license_pattern(self, key: str) -> str | None:
        """The listed license matching ``key`` (case-insensitive), or None."""
        k = key.lower()
        return next((p for p in self.licenses if p.lower() == k), None)

    def component_pattern(self, component: Component) -> str | None:
        """The listed package/model pattern matching the component, or None."""
        if component.id.startswith("pypi:"):
            name = component.id[len("pypi:") :]
            return next((p for p in self.packages if fnmatch.fnmatchcase(name, str(canonicalize_name(p)))), None)
        return next((p for p in self.models if fnmatch.fnmatchcase(component.id, p)), None)


@dataclass(frozen=True)
class Override:
    """A license correction for one component (metadata is wrong); ``where`` is file:line."""

    component: str
    license: str
    reason: str
    where: str = ""


@dataclass(frozen=True)
class Choice:
    """A pinned branch of a component's OR license (``MIT OR GPL-3.0-only`` -> ``MIT``), with the reason."""

    component: str
    license: str
    reason: str
    where: str = ""


@dataclass(frozen=True)
class PolicyException:
    """An accepted finding, scoped to a component (optionally a version, path glob and rule), with an expiry."""

    component: str
    reason: str
    expires: datetime.date
    version: str | None = None
    path: str | None = None
    rule: str | None = None
    owner: str | None = None
    ticket: str | None = None
    where: str = ""


@dataclass(frozen=True)
class Policy:
    """A loaded policy with its ``extends`` chain already merged in."""

    name: str
    context: ProjectContext
    rules: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    allow: Matchers = Matchers()
    deny: Matchers = Matchers()
    overrides: tuple[Override, ...] = ()
    exceptions: tuple[PolicyException, ...] = ()
    description: str = ""
    source: str = ""
    # Names/paths of the policies this one extends, nearest first.
    extends: tuple[str, ...] = ()
    # Pinned OR choices per component.
    choices: tuple[Choice, ...] = ()
    # Maximum severity for findings about components used only in a non-runtime scope ("test", "group:*", ...).
    scopes: Mapping[str, str] = field(default_factory=dict)
    # Model hygiene rules (preprocessing-mismatch, missing-normalization, ...): `hygiene: false` turns them off.
    hygiene: bool = True

    def severity_table(self, rule_id: str, variant: str | None = None) -> Mapping[str, str]:
        """The rule's severity table: the policy's values over the rule's built-in defaults; a variant's own keys
        (``unknown-license`` -> ``declared-none``) over those."""
        table = dict(TABLE_RULES[rule_id].defaults)
        table.update(self.rules.get(rule_id, {}))
        if variant:
            table.update(self.rules.get(variant_key(rule_id, variant), {}))
        return table

    def severity(self, rule_id: str, keys: list[str], variant: str | None = None) -> tuple[str, str]:
        """(severity, the table key that set it) for a context's keys: the worst among the keys that apply;
        'default' only when none applies."""
        table = self.severity_table(rule_id, variant)
        candidates = [(table[k], k) for k in keys if k in table]
        if not candidates:
            return table.get("default", "ignore"), "default"
        return max(candidates, key=lambda c: _SEVERITY_ORDER.index(c[0]))

    def scope_cap(self, scope: str) -> tuple[str, str] | None:
        """(maximum severity, the scopes key that set it) for a component scope; None for runtime or unlisted.

        An exact key (``group:lint``) beats a glob (``group:*``).
        """
        if not scope or scope == "runtime":
            return None
        if scope in self.scopes:
            return self.scopes[scope], scope
        for key in sorted(self.scopes):
            if fnmatch.fnmatchcase(scope, key):
                return self.scopes[key], key
        return None


# --------------------------------------------------------------------------------------------- loading


def load_policy(name_or_path: str, *, search_dir: Path | None = None) -> Policy:
    """Load a preset by name (``closed-source-saas``) or a policy file by path, following ``extends``.

    Raises PolicyError naming the first problem (file:line, key) and how many more there are.
    """
    problems: list[PolicyProblem] = []
    try:
        path = _locate(name_or_path, search_dir=search_dir, base=None, node_where=None)
    except _Invalid as bad:
        raise bad.problem.error() from None
    policy = _load_file(path, search_dir=search_dir, seen=(), problems=problems)
    if problems or policy is None:
        raise problems[0].error(more=len(problems) - 1)
    return policy


def check_policy(name_or_path: str, *, search_dir: Path | None = None) -> tuple[Policy | None, list[PolicyProblem]]:
    """Validate a policy (and the files it extends): every problem found, in file then line order.

    Returns the merged policy when there are no problems, else None with the problems.
    """
    problems: list[PolicyProblem] = []
    try:
        path = _locate(name_or_path, search_dir=search_dir, base=None, node_where=None)
    except _Invalid as bad:
        return None, [bad.problem]
    policy = _load_file(path, search_dir=search_dir, seen=(), problems=problems)
    order = {p: i for i, p in enumerate(dict.fromkeys(x.path for x in problems))}
    problems.sort(key=lambda x: (order[x.path], x.line))
    return (policy if not problems else None), problems


class _Invalid(Exception):
    """Internal: one problem, raised to abandon the value being read; the caller records it and goes on."""

    def __init__(self, problem: PolicyProblem) -> None:
        super().__init__(problem.format())
        self.problem = problem


def _is_path_like(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith((".yaml", ".yml"))


def _locate(value: str, *, search_dir: Path | None, base: Path | None, node_where: tuple[str, int] | None) -> Path:
    path_s, line = node_where if node_where else (value, 0)
    if _is_path_like(value) or (base is None and Path(value).is_file()):
        path = Path(value)
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.is_file():
            raise _Invalid(PolicyProblem(path_s, line, "extends" if node_where else "policy",
                                         f"policy file {value!r} not found", "check the path"))
        return path
    dirs = [d for d in (search_dir, resources.policies_dir()) if d is not None]
    for d in dirs:
        candidate = d / f"{value}.yaml"
        if candidate.is_file():
            return candidate
    names = sorted({p.stem for d in dirs if d.is_dir() for p in d.glob("*.yaml")})
    raise _Invalid(
        PolicyProblem(
            path_s,
            line,
            "extends" if node_where else "policy",
            f"unknown policy preset {value!r}",
            f"use one of the presets: {', '.join(names)}; or give the path to a policy file",
        )
    )


class _Doc:
    """One policy file being read: its nodes carry line numbers; problems are collected, not raised."""

    def __init__(self, path: Path, problems: list[PolicyProblem]) -> None:
        self.path = path
        self.problems = problems
        self.text: str | None = None
        try:
            with path.open("rb") as handle:
                raw = handle.read(POLICY_YAML.max_bytes + 1)
            if len(raw) > POLICY_YAML.max_bytes:
                problems.append(PolicyProblem(str(path), 0, "policy", f"policy file larger than {size_text(POLICY_YAML.max_bytes)}"))
            else:
                # Universal newlines, as read_text would: YAML marks (the line numbers we report) count them alike.
                self.text = raw.decode("utf-8").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(PolicyProblem(str(path), 0, "policy", f"cannot read policy file: {exc}"))
        # Constructs scalar values only; the document is composed (and its size checked) by root().
        self.loader = yaml.SafeLoader("")

    def line(self, node: yaml.Node | None) -> int:
        return node.start_mark.line + 1 if node is not None else 0

    def where(self, node: yaml.Node | None) -> str:
        return f"{self.path}:{self.line(node)}" if node is not None else str(self.path)

    def fail(self, node: yaml.Node | None, key: str, message: str, fix: str = "") -> _Invalid:
        return _Invalid(PolicyProblem(str(self.path), self.line(node), key, message, fix))

    def note(self, node: yaml.Node | None, key: str, message: str, fix: str = "") -> None:
        """Record a problem and carry on."""
        self.problems.append(PolicyProblem(str(self.path), self.line(node), key, message, fix))

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Run a block; a problem raised inside is recorded and the rest of the file is still checked."""
        try:
            yield
        except _Skip:
            pass
        except _Invalid as bad:
            self.problems.append(bad.problem)

    def root(self) -> yaml.Node | None:
        if self.text is None:
            return None
        try:
            # Pure-Python composer (its error messages are the ones policy tests and users see), same limits as
            # any YAML from outside: an alias bomb in `exceptions:` would expand in every rule that reads it.
            nodes = compose_yaml(self.text, POLICY_YAML, loader=yaml.SafeLoader)
            node = nodes[0] if nodes else None
        except OverLimit as exc:
            self.problems.append(PolicyProblem(str(self.path), exc.line, "policy", f"policy YAML over a limit: {exc}",
                                               "remove the anchors/aliases or nesting that make it expand"))
            return None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            self.problems.append(
                PolicyProblem(str(self.path), mark.line + 1 if mark else 0, "policy", f"invalid YAML: {exc.problem or exc}")
            )
            return None
        except yaml.YAMLError as exc:
            self.note(None, "policy", f"invalid YAML: {exc}")
            return None
        if node is None:
            self.note(None, "policy", "policy file is empty", "start from `vlicense policy init`")
        return node

    def is_null(self, node: yaml.Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")

    def mapping(
        self, node: yaml.Node, key: str, allowed: tuple[str, ...] | None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping node's entries as {key: (key_node, value_node)}; unknown or duplicate keys are recorded and skipped."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, key, "must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                self.note(knode, key, "keys must be plain strings")
                continue
            name = str(knode.value)
            if allowed is not None and name not in allowed:
                self.note(knode, key, f"unknown key {name!r}", f"expected one of: {', '.join(allowed)}")
                continue
            if name in out:
                self.note(knode, key, f"duplicate key {name!r}")
                continue
            out[name] = (knode, vnode)
        return out

    def scalar(self, node: yaml.Node, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, key, "must be a single value")
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:  # e.g. a date like 2026-02-30 that YAML resolves but cannot build
            raise self.fail(node, key, f"invalid value {node.value!r} ({exc})") from None

    def string(self, node: yaml.Node, key: str, *, allow_null: bool = False) -> str | None:
        value = self.scalar(node, key)
        if value is None and allow_null:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool) or str(value).strip() == "":
            raise self.fail(node, key, "must be a non-empty string")
        return str(value)

    def string_list(self, node: yaml.Node, key: str) -> list[tuple[str, yaml.Node]]:
        """The list's strings with their nodes; bad items are recorded and skipped."""
        if self.is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, key, "must be a list")
        out = []
        for i, item in enumerate(node.value):
            with self.guard():
                out.append((self.string(item, f"{key}[{i}]") or "", item))
        return out


def _load_file(
    path: Path, *, search_dir: Path | None, seen: tuple[Path, ...], problems: list[PolicyProblem]
) -> Policy | None:
    resolved = path.resolve()
    if resolved in seen:
        problems.append(PolicyProblem(str(path), 0, "extends", "policy extends itself (cycle)", "remove the cyclic `extends`"))
        return None
    doc = _Doc(path, problems)
    root = doc.root()
    if root is None:
        return None
    try:
        top = doc.mapping(root, "policy", TOP_LEVEL_KEYS)
    except _Invalid as bad:
        problems.append(bad.problem)
        return None

    parent: Policy | None = None
    chain: tuple[str, ...] = ()
    if "extends" in top:
        with doc.guard():
            vnode = top["extends"][1]
            target = doc.string(vnode, "extends") or ""
            parent_path = _locate(target, search_dir=search_dir, base=path.parent, node_where=(str(path), doc.line(vnode)))
            parent = _load_file(parent_path, search_dir=search_dir, seen=(*seen, resolved), problems=problems)
            if parent is not None:
                chain = (target, *parent.extends)

    def text_field(key: str) -> str | None:
        if key not in top:
            return None
        with doc.guard():
            return doc.string(top[key][1], key)
        return None

    name = text_field("name") or path.stem
    description = text_field("description") or (parent.description if parent else "")
    context = _context(doc, top.get("context"), parent.context if parent else ProjectContext())
    rules = _rules(doc, top.get("rules"), parent.rules if parent else {})
    scopes = _scopes(doc, top.get("scopes"), parent.scopes if parent else {})
    allow = _matchers(doc, top.get("allow"), "allow", parent.allow if parent else Matchers())
    deny = _matchers(doc, top.get("deny"), "deny", parent.deny if parent else Matchers())
    overrides = _overrides(doc, top.get("overrides"), parent.overrides if parent else ())
    choices = _choices(doc, top.get("choices"), parent.choices if parent else ())
    exceptions = (*(parent.exceptions if parent else ()), *_exceptions(doc, top.get("exceptions")))
    hygiene = _hygiene(doc, top.get("hygiene"), parent.hygiene if parent else True)
    return Policy(
        name=str(name),
        context=context,
        rules=rules,
        allow=allow,
        deny=deny,
        overrides=overrides,
        exceptions=exceptions,
        description=str(description),
        source=str(path),
        extends=chain,
        choices=choices,
        scopes=scopes,
        hygiene=hygiene,
    )


def _hygiene(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, base: bool) -> bool:
    """``hygiene: true|false``: the model-hygiene rule family on or off (inherited through ``extends``)."""
    if entry is None:
        return base
    with doc.guard():
        value = doc.scalar(entry[1], "hygiene")
        if not isinstance(value, bool):
            raise doc.fail(entry[1], "hygiene", f"must be true or false (got {entry[1].value!r})",
                           "true reports model-hygiene findings (the default), false turns the family off")
        return value
    return base


def _section(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, key: str, allowed: tuple[str, ...] | None):
    """The entries of an optional top-level mapping section (null or absent -> {}); a non-mapping is recorded."""
    if entry is None or doc.is_null(entry[1]):
        return {}
    try:
        return doc.mapping(entry[1], key, allowed)
    except _Invalid as bad:
        doc.problems.append(bad.problem)
        return {}


def _context(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, base: ProjectContext) -> ProjectContext:
    items = _section(doc, entry, "context", CONTEXT_KEYS)
    distribution, commercial, project_license = base.distribution, base.commercial, base.project_license
    if "distribution" in items:
        with doc.guard():
            vnode = items["distribution"][1]
            raw = (
                [(doc.string(vnode, "context.distribution") or "", vnode)]
                if isinstance(vnode, yaml.ScalarNode)
                else doc.string_list(vnode, "context.distribution")
            )
            values = []
            for value, node in raw:
                norm = normalize_distribution(value)
                if norm is None:
                    doc.note(
                        node,
                        "context.distribution",
                        f"unknown value {value!r}",
                        f"expected any of: {', '.join(DISTRIBUTIONS)}",
                    )
                    continue
                values.append(norm)
            if values:
                distribution = tuple(dict.fromkeys(values))
            elif not raw:
                raise doc.fail(vnode, "context.distribution", "must name at least one distribution model")
    if "commercial" in items:
        with doc.guard():
            vnode = items["commercial"][1]
            value = doc.scalar(vnode, "context.commercial")
            if not isinstance(value, bool):
                raise doc.fail(vnode, "context.commercial", f"must be true or false (got {vnode.value!r})")
            commercial = value
    if "project_license" in items:
        with doc.guard():
            vnode = items["project_license"][1]
            project_license = doc.string(vnode, "context.project_license", allow_null=True)
            if project_license is not None:
                _check_expression(doc, vnode, project_license, "context.project_license")
    return ProjectContext(distribution=distribution, commercial=commercial, project_license=project_license)


def _rules(
    doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, base: Mapping[str, Mapping[str, str]]
) -> dict[str, dict[str, str]]:
    merged = {k: dict(v) for k, v in base.items()}
    for raw_id, (knode, vnode) in _section(doc, entry, "rules", None).items():
        rule_id = rule_alias(raw_id)
        if rule_id not in TABLE_RULES:
            doc.note(knode, "rules", f"unknown rule {raw_id!r}", f"expected one of: {', '.join(sorted(TABLE_RULES))}")
            continue
        variants = getattr(TABLE_RULES[rule_id], "variants", ())
        if isinstance(vnode, yaml.ScalarNode):  # `unknown-license: error` is shorthand for {default: error}
            with doc.guard():
                merged[rule_id] = _severity_table(doc, vnode, f"rules.{raw_id}")
                for variant in variants:  # ... for every kind of the rule: tables inherited for one kind go
                    merged.pop(variant_key(rule_id, variant), None)
            continue
        table: dict[str, str] = {}
        with doc.guard():
            for key, (_, v2) in doc.mapping(vnode, f"rules.{raw_id}", SEVERITY_KEYS + variants).items():
                with doc.guard():
                    if key in variants:  # `declared-none: {saas: error}`: this kind's own severity table
                        merged.setdefault(variant_key(rule_id, key), {}).update(
                            _severity_table(doc, v2, f"rules.{raw_id}.{key}"))
                    else:
                        table[key] = _severity(doc, v2, f"rules.{raw_id}.{key}")
        merged.setdefault(rule_id, {}).update(table)
    return merged


def _severity_table(doc: _Doc, node: yaml.Node, key: str) -> dict[str, str]:
    """A severity table ``{saas: error, default: warning}``, or one severity as shorthand for ``{default: ...}``."""
    if isinstance(node, yaml.ScalarNode):
        return {"default": _severity(doc, node, key)}
    table: dict[str, str] = {}
    for name, (_, value) in doc.mapping(node, key, SEVERITY_KEYS).items():
        with doc.guard():
            table[name] = _severity(doc, value, f"{key}.{name}")
    return table


def _severity(doc: _Doc, node: yaml.Node, key: str) -> str:
    value = doc.string(node, key)
    if value not in SEVERITIES:
        raise doc.fail(node, key, f"unknown severity {value!r}", f"expected one of: {', '.join(SEVERITIES)}")
    return str(value)


_SCOPE_KEY = re.compile(r"(group|optional):[A-Za-z0-9_.*?\[\]-]+")


def _scopes(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, base: Mapping[str, str]) -> dict[str, str]:
    merged = dict(base)
    for name, (knode, vnode) in _section(doc, entry, "scopes", None).items():
        if name == "runtime":
            doc.note(knode, "scopes", "'runtime' cannot be capped", "runtime findings are set by `rules:`")
            continue
        if name not in SCOPE_NAMES and not _SCOPE_KEY.fullmatch(name):
            doc.note(
                knode,
                "scopes",
                f"unknown scope {name!r}",
                f"expected one of: {', '.join(SCOPE_NAMES)}, group:<name>, optional:<extra> (globs allowed)",
            )
            continue
        with doc.guard():
            merged[name] = _severity(doc, vnode, f"scopes.{name}")
    return merged


def _matchers(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, key: str, base: Matchers) -> Matchers:
    lists = {k: list(getattr(base, k)) for k in LIST_KEYS}
    for name, (_, vnode) in _section(doc, entry, key, LIST_KEYS).items():
        with doc.guard():
            values = doc.string_list(vnode, f"{key}.{name}")
            for value, node in values:
                if name == "licenses":
                    with doc.guard():
                        _check_expression(doc, node, value, f"{key}.licenses")
                elif name == "models" and not value.startswith(COMPONENT_PREFIXES):
                    doc.note(node, f"{key}.models", f"{value!r} is not a model id", _ID_FIX)
                if value not in lists[name]:
                    lists[name].append(value)
    return Matchers(**{k: tuple(v) for k, v in lists.items()})


_ID_FIX = f"component ids start with one of: {', '.join(COMPONENT_PREFIXES)} (see `vlicense audit -f json`)"


def _component_id(doc: _Doc, node: yaml.Node, value: str, key: str) -> None:
    if not value.startswith(COMPONENT_PREFIXES):
        raise doc.fail(node, key, f"{value!r} is not a component id", _ID_FIX)


def _license_and_reason(doc: _Doc, knode: yaml.Node, vnode: yaml.Node, key: str, what: str) -> tuple[str, str]:
    fields = doc.mapping(vnode, key, OVERRIDE_KEYS)
    missing = [k for k in OVERRIDE_KEYS if k not in fields]
    if missing:
        raise doc.fail(knode, key, f"missing required key {missing[0]!r}", f"{what} needs `license` and `reason`")
    lic = doc.string(fields["license"][1], f"{key}.license") or ""
    _check_expression(doc, fields["license"][1], lic, f"{key}.license")
    reason = doc.string(fields["reason"][1], f"{key}.reason") or ""
    return lic, reason


def _overrides(
    doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, base: tuple[Override, ...]
) -> tuple[Override, ...]:
    by_id = {o.component: o for o in base}
    for component, (knode, vnode) in _section(doc, entry, "overrides", None).items():
        with doc.guard():
            _component_id(doc, knode, component, "overrides")
            lic, reason = _license_and_reason(doc, knode, vnode, f"overrides.{component}", "an override")
            by_id[component] = Override(component=component, license=lic, reason=reason, where=doc.where(knode))
    return tuple(sorted(by_id.values(), key=lambda o: o.component))


def _choices(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, base: tuple[Choice, ...]) -> tuple[Choice, ...]:
    by_id = {c.component: c for c in base}
    for component, (knode, vnode) in _section(doc, entry, "choices", None).items():
        with doc.guard():
            _component_id(doc, knode, component, "choices")
            lic, reason = _license_and_reason(doc, knode, vnode, f"choices.{component}", "a pinned choice")
            by_id[component] = Choice(component=component, license=lic, reason=reason, where=doc.where(knode))
    return tuple(sorted(by_id.values(), key=lambda c: c.component))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _exceptions(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None) -> list[PolicyException]:
    if entry is None or doc.is_null(entry[1]):
        return []
    if not isinstance(entry[1], yaml.SequenceNode):
        doc.note(entry[1], "exceptions", "must be a list")
        return []
    out = []
    for i, item in enumerate(entry[1].value):
        with doc.guard():
            out.append(_exception(doc, item, f"exceptions[{i}]"))
    return out


def _exception(doc: _Doc, item: yaml.Node, key: str) -> PolicyException:
    fields = doc.mapping(item, key, EXCEPTION_KEYS)
    bad = False
    for required in ("component", "reason", "expires"):
        if required not in fields:
            doc.note(
                item,
                key,
                f"missing required key {required!r}",
                "every exception needs component, reason, owner or ticket, and expires (YYYY-MM-DD)",
            )
            bad = True
    if "owner" not in fields and "ticket" not in fields:
        doc.note(item, key, "missing required key 'owner' (or 'ticket')", "say who owns the exception or which ticket tracks it")
        bad = True
    values: dict[str, str | None] = {}
    for k, (_, v) in fields.items():
        if k == "expires":
            continue
        try:
            values[k] = doc.string(v, f"{key}.{k}")
        except _Invalid as problem:
            doc.problems.append(problem.problem)
            bad = True
    if values.get("component") is not None:
        try:
            _component_id(doc, fields["component"][1], values["component"] or "", f"{key}.component")
        except _Invalid as problem:
            doc.problems.append(problem.problem)
            bad = True
    if values.get("rule") is not None:
        values["rule"] = rule_alias(values["rule"] or "")
        if values["rule"] not in all_rule_ids():
            doc.note(fields["rule"][1], f"{key}.rule", f"unknown rule {values['rule']!r}",
                     f"expected one of: {', '.join(all_rule_ids())}")
            bad = True
    expires: datetime.date | None = None
    if "expires" in fields:
        try:
            expires = _date(doc, fields["expires"][1], f"{key}.expires")
        except _Invalid as problem:
            doc.problems.append(problem.problem)
            bad = True
    if bad or expires is None:
        raise _Skip()
    return PolicyException(expires=expires, where=doc.where(item), **values)  # type: ignore[arg-type]


class _Skip(_Invalid):
    """An entry whose problems are already recorded."""

    def __init__(self) -> None:
        Exception.__init__(self, "skip")


def _date(doc: _Doc, node: yaml.Node, key: str) -> datetime.date:
    raw = doc.scalar(node, key)
    if isinstance(raw, datetime.datetime) or not isinstance(raw, (datetime.date, str)):
        raise doc.fail(node, key, "must be a date YYYY-MM-DD")
    if isinstance(raw, str):
        try:
            if not _DATE.fullmatch(raw):
                raise ValueError
            return datetime.date.fromisoformat(raw)
        except ValueError:
            raise doc.fail(node, key, f"must be a date YYYY-MM-DD (got {raw!r})") from None
    return raw


def _check_expression(doc: _Doc, node: yaml.Node, value: str, key: str) -> None:
    try:
        LICENSING.parse(value)
    except ExpressionError as exc:
        raise doc.fail(node, key, f"invalid license expression {value!r} ({exc})") from None
