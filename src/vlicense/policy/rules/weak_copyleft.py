"""Rule weak-copyleft: LGPL, MPL, EPL, CDDL, CC-BY-SA: obligations on the component itself when it is distributed."""

from __future__ import annotations

from vlicense.policy.rules.base import (
    SeverityRule,
    Trigger,
    exception_note,
    unreviewed_note,
)


def explain(t: Trigger) -> str:
    obligation = t.info.obligation if t.info else ""
    if t.decided_by == "binary":
        text = f"Shipping the application distributes this component, which triggers {t.clause}. {obligation}"
    elif t.decided_by in ("saas", "internal"):
        text = (
            f"Not triggered for this distribution model: {t.key} attaches its obligations ({t.clause}) to distributing "
            "the component, and nothing is distributed."
        )
    else:
        text = f"Your code keeps its own license; the component's own files stay under {t.key} ({t.clause})."
    return text + exception_note(t) + unreviewed_note(t)


def recommend(t: Trigger) -> str:
    if t.severity in ("error", "warning"):
        return (
            f"Keep {t.component.name} an unmodified, separately replaceable module, ship its license text and "
            "provide (or offer) its source; publish any changes you make to its files."
        )
    return "No action for this distribution model."


RULE = SeverityRule(
    id="weak-copyleft",
    title="Weak copyleft (LGPL, MPL, EPL, CDDL, CC-BY-SA)",
    categories=("weak-copyleft",),
    defaults={"binary": "warning", "saas": "info", "internal": "info", "open-source": "info", "default": "warning"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
