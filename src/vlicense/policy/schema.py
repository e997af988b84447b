"""Policy YAML: the dataclasses and a loader that reports every mistake as file:line plus the key at fault."""

from __future__ import annotations

import datetime
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml
from license_expression import ExpressionError
from packaging.utils import canonicalize_name

from vlicense import resources
from vlicense.errors import PolicyError
from vlicense.model import Component, ProjectContext
from vlicense.policy.catalog import LICENSING
from vlicense.policy.context import (
    DISTRIBUTIONS,
    SEVERITIES,
    SEVERITY_KEYS,
    normalize_distribution,
)
from vlicense.policy.rules import SEVERITY_RULES, rule_alias

TOP_LEVEL_KEYS = ("name", "description", "extends", "context", "rules", "allow", "deny", "overrides", "exceptions")
CONTEXT_KEYS = ("distribution", "commercial", "project_license")
LIST_KEYS = ("licenses", "packages", "models")
OVERRIDE_KEYS = ("license", "reason")
EXCEPTION_KEYS = ("component", "version", "path", "rule", "reason", "owner", "ticket", "expires")


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

    def severity_table(self, rule_id: str) -> Mapping[str, str]:
        """The rule's severity table: the policy's values over the rule's built-in defaults."""
        table = dict(SEVERITY_RULES[rule_id].defaults)
        table.update(self.rules.get(rule_id, {}))
        return table


# --------------------------------------------------------------------------------------------- loading


def load_policy(name_or_path: str, *, search_dir: Path | None = None) -> Policy:
    """Load a preset by name (``closed-source-saas``) or a policy file by path, following ``extends``."""
    path = _locate(name_or_path, search_dir=search_dir, base=None, where=None)
    return _load_file(path, search_dir=search_dir, seen=())


def _is_path_like(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith((".yaml", ".yml"))


def _locate(value: str, *, search_dir: Path | None, base: Path | None, where: str | None) -> Path:
    if _is_path_like(value) or (base is None and Path(value).is_file()):
        path = Path(value)
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.is_file():
            raise PolicyError(f"policy file {value!r} not found", where=where, fix="check the path")
        return path
    dirs = [d for d in (search_dir, resources.policies_dir()) if d is not None]
    for d in dirs:
        candidate = d / f"{value}.yaml"
        if candidate.is_file():
            return candidate
    names = sorted({p.stem for d in dirs if d.is_dir() for p in d.glob("*.yaml")})
    raise PolicyError(
        f"unknown policy preset {value!r}",
        where=where,
        fix=f"use one of the presets: {', '.join(names)}; or give the path to a policy file",
    )


class _Doc:
    """One policy file being read: its nodes carry line numbers for error messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PolicyError(f"cannot read policy file: {exc}", where=str(path)) from None
        self.loader = yaml.SafeLoader(self.text)

    def where(self, node: yaml.Node | None) -> str:
        return f"{self.path}:{node.start_mark.line + 1}" if node is not None else str(self.path)

    def fail(self, node: yaml.Node | None, what: str, fix: str | None = None) -> PolicyError:
        return PolicyError(what, where=self.where(node), fix=fix)

    def root(self) -> yaml.Node:
        try:
            node = self.loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = f":{mark.line + 1}" if mark else ""
            raise PolicyError(f"invalid YAML: {exc.problem or exc}", where=f"{self.path}{line}") from None
        except yaml.YAMLError as exc:
            raise PolicyError(f"invalid YAML: {exc}", where=str(self.path)) from None
        finally:
            self.loader.dispose()
        if node is None:
            raise self.fail(None, "policy file is empty", "start from `vlicense policy init`")
        return node

    def mapping(
        self, node: yaml.Node, key: str, allowed: tuple[str, ...] | None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A mapping node's entries as {key: (key_node, value_node)}; unknown or duplicate keys are errors."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{key} must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                raise self.fail(knode, f"{key}: keys must be plain strings")
            name = str(knode.value)
            if allowed is not None and name not in allowed:
                raise self.fail(knode, f"unknown key {name!r} in {key}", f"expected one of: {', '.join(allowed)}")
            if name in out:
                raise self.fail(knode, f"duplicate key {name!r} in {key}")
            out[name] = (knode, vnode)
        return out

    def scalar(self, node: yaml.Node, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{key} must be a single value")
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:  # e.g. a date like 2026-02-30 that YAML resolves but cannot build
            raise self.fail(node, f"{key}: invalid value {node.value!r} ({exc})") from None

    def string(self, node: yaml.Node, key: str, *, allow_null: bool = False) -> str | None:
        value = self.scalar(node, key)
        if value is None and allow_null:
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool) or str(value).strip() == "":
            raise self.fail(node, f"{key} must be a non-empty string")
        return str(value)

    def string_list(self, node: yaml.Node, key: str) -> list[str]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{key} must be a list")
        return [self.string(item, f"{key}[{i}]") or "" for i, item in enumerate(node.value)]


def _load_file(path: Path, *, search_dir: Path | None, seen: tuple[Path, ...]) -> Policy:
    resolved = path.resolve()
    if resolved in seen:
        raise PolicyError("policy extends itself (cycle)", where=str(path), fix="remove the cyclic `extends`")
    doc = _Doc(path)
    top = doc.mapping(doc.root(), "policy", TOP_LEVEL_KEYS)

    parent: Policy | None = None
    if "extends" in top:
        knode, vnode = top["extends"]
        target = doc.string(vnode, "extends")
        assert target is not None
        parent_path = _locate(target, search_dir=search_dir, base=path.parent, where=doc.where(vnode))
        parent = _load_file(parent_path, search_dir=search_dir, seen=(*seen, resolved))

    name = doc.string(top["name"][1], "name") if "name" in top else path.stem
    description = doc.string(top["description"][1], "description") if "description" in top else ""
    context = _context(doc, top.get("context"), parent.context if parent else ProjectContext())
    rules = _rules(doc, top.get("rules"), parent.rules if parent else {})
    allow = _matchers(doc, top.get("allow"), "allow", parent.allow if parent else Matchers())
    deny = _matchers(doc, top.get("deny"), "deny", parent.deny if parent else Matchers())
    overrides = _overrides(doc, top.get("overrides"), parent.overrides if parent else ())
    exceptions = (*(parent.exceptions if parent else ()), *_exceptions(doc, top.get("exceptions")))
    chain = ((str(top["extends"][1].value),) + parent.extends) if parent and "extends" in top else ()
    return Policy(
        name=str(name),
        context=context,
        rules=rules,
        allow=allow,
        deny=deny,
        overrides=overrides,
        exceptions=exceptions,
        description=str(description or (parent.description if parent else "")),
        source=str(path),
        extends=chain,
    )


def _context(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, base: ProjectContext) -> ProjectContext:
    if entry is None:
        return base
    items = doc.mapping(entry[1], "context", CONTEXT_KEYS)
    distribution, commercial, project_license = base.distribution, base.commercial, base.project_license
    if "distribution" in items:
        vnode = items["distribution"][1]
        raw = (
            [doc.string(vnode, "context.distribution")]
            if isinstance(vnode, yaml.ScalarNode)
            else doc.string_list(vnode, "context.distribution")
        )
        values = []
        for value, node in zip(raw, vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode], strict=True):
            norm = normalize_distribution(str(value))
            if norm is None:
                raise doc.fail(
                    node,
                    f"context.distribution: unknown value {value!r}",
                    f"expected any of: {', '.join(DISTRIBUTIONS)}",
                )
            values.append(norm)
        if not values:
            raise doc.fail(vnode, "context.distribution must name at least one distribution model")
        distribution = tuple(dict.fromkeys(values))
    if "commercial" in items:
        vnode = items["commercial"][1]
        value = doc.scalar(vnode, "context.commercial")
        if not isinstance(value, bool):
            raise doc.fail(vnode, "context.commercial must be true or false")
        commercial = value
    if "project_license" in items:
        vnode = items["project_license"][1]
        project_license = doc.string(vnode, "context.project_license", allow_null=True)
        if project_license is not None:
            _check_expression(doc, vnode, project_license, "context.project_license")
    return ProjectContext(distribution=distribution, commercial=commercial, project_license=project_license)


def _rules(
    doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, base: Mapping[str, Mapping[str, str]]
) -> dict[str, dict[str, str]]:
    merged = {k: dict(v) for k, v in base.items()}
    if entry is None or (isinstance(entry[1], yaml.ScalarNode) and entry[1].tag.endswith(":null")):
        return merged
    items = doc.mapping(entry[1], "rules", None)
    for raw_id, (knode, vnode) in items.items():
        rule_id = rule_alias(raw_id)
        if rule_id not in SEVERITY_RULES:
            raise doc.fail(
                knode, f"unknown rule {raw_id!r} in rules", f"expected one of: {', '.join(sorted(SEVERITY_RULES))}"
            )
        table: dict[str, str] = {}
        if isinstance(vnode, yaml.ScalarNode):  # `unknown-license: error` is shorthand for {default: error}
            table["default"] = _severity(doc, vnode, f"rules.{raw_id}")
            merged[rule_id] = table
            continue
        for key, (_, v2) in doc.mapping(vnode, f"rules.{raw_id}", SEVERITY_KEYS).items():
            table[key] = _severity(doc, v2, f"rules.{raw_id}.{key}")
        merged.setdefault(rule_id, {}).update(table)
    return merged


def _severity(doc: _Doc, node: yaml.Node, key: str) -> str:
    value = doc.string(node, key)
    if value not in SEVERITIES:
        raise doc.fail(node, f"{key}: unknown severity {value!r}", f"expected one of: {', '.join(SEVERITIES)}")
    return str(value)


def _matchers(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, key: str, base: Matchers) -> Matchers:
    if entry is None:
        return base
    items = doc.mapping(entry[1], key, LIST_KEYS)
    lists = {k: list(getattr(base, k)) for k in LIST_KEYS}
    for name, (_, vnode) in items.items():
        values = doc.string_list(vnode, f"{key}.{name}")
        if name == "licenses":
            for value, node in zip(values, vnode.value, strict=True):
                _check_expression(doc, node, value, f"{key}.licenses")
        lists[name].extend(v for v in values if v not in lists[name])
    return Matchers(**{k: tuple(v) for k, v in lists.items()})


def _overrides(
    doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None, base: tuple[Override, ...]
) -> tuple[Override, ...]:
    by_id = {o.component: o for o in base}
    if entry is not None:
        for component, (knode, vnode) in doc.mapping(entry[1], "overrides", None).items():
            fields = doc.mapping(vnode, f"overrides.{component}", OVERRIDE_KEYS)
            for required in OVERRIDE_KEYS:
                if required not in fields:
                    raise doc.fail(
                        knode,
                        f"overrides.{component}: missing required key {required!r}",
                        "an override needs `license` and `reason`",
                    )
            lic = doc.string(fields["license"][1], f"overrides.{component}.license") or ""
            _check_expression(doc, fields["license"][1], lic, f"overrides.{component}.license")
            reason = doc.string(fields["reason"][1], f"overrides.{component}.reason") or ""
            by_id[component] = Override(component=component, license=lic, reason=reason, where=doc.where(knode))
    return tuple(sorted(by_id.values(), key=lambda o: o.component))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _exceptions(doc: _Doc, entry: tuple[yaml.Node, yaml.Node] | None) -> list[PolicyException]:
    if entry is None or (isinstance(entry[1], yaml.ScalarNode) and entry[1].tag.endswith(":null")):
        return []
    if not isinstance(entry[1], yaml.SequenceNode):
        raise doc.fail(entry[1], "exceptions must be a list")
    out = []
    for i, item in enumerate(entry[1].value):
        key = f"exceptions[{i}]"
        fields = doc.mapping(item, key, EXCEPTION_KEYS)
        for required in ("component", "reason", "expires"):
            if required not in fields:
                raise doc.fail(
                    item,
                    f"{key}: missing required key {required!r}",
                    "every exception needs component, reason, owner or ticket, and expires (YYYY-MM-DD)",
                )
        if "owner" not in fields and "ticket" not in fields:
            raise doc.fail(
                item,
                f"{key}: missing required key 'owner' (or 'ticket')",
                "say who owns the exception or which ticket tracks it",
            )
        values = {k: doc.string(v, f"{key}.{k}") for k, (_, v) in fields.items() if k != "expires"}
        enode = fields["expires"][1]
        raw = doc.scalar(enode, f"{key}.expires")
        if isinstance(raw, datetime.datetime) or not isinstance(raw, (datetime.date, str)):
            raise doc.fail(enode, f"{key}.expires must be a date YYYY-MM-DD")
        if isinstance(raw, str):
            try:
                if not _DATE.fullmatch(raw):
                    raise ValueError
                raw = datetime.date.fromisoformat(raw)
            except ValueError:
                raise doc.fail(enode, f"{key}.expires must be a date YYYY-MM-DD (got {raw!r})") from None
        if values.get("rule") is not None:
            values["rule"] = rule_alias(values["rule"] or "")
        out.append(PolicyException(expires=raw, where=doc.where(item), **values))  # type: ignore[arg-type]
    return out


def _check_expression(doc: _Doc, node: yaml.Node, value: str, key: str) -> None:
    try:
        LICENSING.parse(value)
    except ExpressionError as exc:
        raise doc.fail(node, f"{key}: invalid license expression {value!r} ({exc})") from None
