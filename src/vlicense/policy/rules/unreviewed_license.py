"""Rule unreviewed-license: a custom license whose full text vlicense has not read; its category is a sourced reading."""

from __future__ import annotations

from vlicense.policy.rules.base import SeverityRule, Trigger


def explain(t: Trigger) -> str:
    name = t.info.name if t.info else t.license
    return (
        f"{name} is a custom license whose full text vlicense has not reviewed; vlicense reads it as "
        f"'{t.category}' ({t.info.obligation if t.info else ''}). Have someone read the terms before relying on that."
    )


def recommend(t: Trigger) -> str:
    url = t.info.url if t.info else "the license text"
    return f"Read {url}, then record the decision as a policy exception (or override) with an owner and expiry."


RULE = SeverityRule(
    id="unreviewed-license",
    title="Custom license not reviewed",
    categories=(),
    defaults={"default": "warning"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
