"""Rules permissive and public-domain: no finding by default; a policy can raise them (e.g. to list attribution duties)."""

from __future__ import annotations

from vlicense.policy.rules.base import SeverityRule, Trigger, exception_note


def explain(t: Trigger) -> str:
    obligation = t.info.obligation if t.info else ""
    return f"{t.key} is {t.category} ({t.clause}). {obligation}" + exception_note(t)


def recommend(t: Trigger) -> str:
    return "Keep the license and attribution notices with what you distribute (see `vlicense notice`)."


RULE = SeverityRule(
    id="permissive",
    title="Permissive licenses",
    categories=("permissive",),
    defaults={"default": "ignore"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)

PUBLIC_DOMAIN = SeverityRule(
    id="public-domain",
    title="Public-domain dedications",
    categories=("public-domain",),
    defaults={"default": "ignore"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
