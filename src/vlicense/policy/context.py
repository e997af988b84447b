"""Project context vocabulary: distribution models, commercial use, and the keys a rule severity is looked up by."""

from __future__ import annotations

from vlicense.model import ProjectContext

DISTRIBUTIONS = ("internal", "saas", "binary", "open-source")
# Accepted spellings for the same distribution model (a phone app ships weights just like a binary does).
DISTRIBUTION_ALIASES = {"on-device": "binary", "opensource": "open-source", "oss": "open-source", "service": "saas"}
COMMERCIAL_KEYS = ("commercial", "non-commercial")
# Keys a rule's severity table may use: one per distribution model, the two commercial states, and a fallback.
SEVERITY_KEYS = DISTRIBUTIONS + COMMERCIAL_KEYS + ("default",)
SEVERITIES = ("error", "warning", "info", "ignore")
# Where a component can be used besides shipped ("runtime") code; manifests add "group:<name>" and
# "optional:<extra>" (see vlicense.model.ImportReference / RequirementReference).
SCOPE_NAMES = ("test", "dev", "docs", "example", "notebook", "script")
_SCOPE_LABELS = {
    "test": "test code",
    "dev": "development tooling",
    "docs": "documentation",
    "example": "examples",
    "notebook": "notebooks",
    "script": "scripts",
}


def describe_scope(scope: str) -> str:
    """Plain words for a scope: 'test code', 'the optional extra \'gpu\'', 'the dependency group \'lint\''."""
    if scope.startswith("group:"):
        return f"the dependency group '{scope[len('group:'):]}'"
    if scope.startswith("optional:"):
        return f"the optional extra '{scope[len('optional:'):]}'"
    return _SCOPE_LABELS.get(scope, scope)

_LABELS = {
    "internal": "internal use only",
    "saas": "offered as a network service (SaaS)",
    "binary": "shipped to customers as a binary / on-device",
    "open-source": "published as open source",
}


def normalize_distribution(value: str) -> str | None:
    """Canonical distribution name, or None when the value is not one."""
    v = value.strip().lower()
    v = DISTRIBUTION_ALIASES.get(v, v)
    return v if v in DISTRIBUTIONS else None


def context_keys(context: ProjectContext) -> list[str]:
    """The severity-table keys that apply to this context, e.g. ``["saas", "commercial"]``."""
    return [*context.distribution, "commercial" if context.commercial else "non-commercial"]


def describe(context: ProjectContext) -> str:
    """One phrase for reports: 'offered as a network service (SaaS); commercial use'."""
    dist = "; ".join(_LABELS.get(d, d) for d in context.distribution) or "no distribution model"
    use = "commercial use" if context.commercial else "non-commercial use"
    lic = f"; project license {context.project_license}" if context.project_license else ""
    return f"{dist}; {use}{lic}"


def with_overrides(
    context: ProjectContext, *, distribution: list[str] | None = None, commercial: bool | None = None
) -> ProjectContext:
    """A copy of the context with CLI/config values applied (unknown distribution names raise ValueError)."""
    dist = context.distribution
    if distribution is not None:
        normalized = []
        for d in distribution:
            n = normalize_distribution(d)
            if n is None:
                raise ValueError(f"unknown distribution model {d!r} (expected one of: {', '.join(DISTRIBUTIONS)})")
            normalized.append(n)
        dist = tuple(dict.fromkeys(normalized))
    return ProjectContext(
        distribution=dist,
        commercial=context.commercial if commercial is None else commercial,
        project_license=context.project_license,
    )
