"""Rule use-restricted: OpenRAIL, Llama, Gemma and similar licenses: use allowed, with restrictions to honour and pass on."""

from __future__ import annotations

from vlicense.policy.rules.base import (
    SeverityRule,
    Trigger,
    exception_note,
    unreviewed_note,
)


def explain(t: Trigger) -> str:
    restrictions = list(t.info.restrictions) if t.info else []
    listed = "; ".join(restrictions) if restrictions else "see the license text"
    return (
        f"{t.key} allows use but restricts it ({t.clause}). Restrictions: {listed}."
        + exception_note(t)
        + unreviewed_note(t)
    )


def recommend(t: Trigger) -> str:
    if t.severity == "error":
        return f"Replace {t.component.name} with a permissively licensed alternative, or get the licensor's agreement."
    return (
        f"Check the product against each restriction, record the decision, and pass the {t.key} terms on to anyone "
        "who receives the model."
    )


RULE = SeverityRule(
    id="use-restricted",
    title="Use-restricted licenses (OpenRAIL, Llama, Gemma)",
    categories=("use-restricted",),
    defaults={"default": "warning"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
