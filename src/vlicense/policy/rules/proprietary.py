"""Rule proprietary: licenses that require an agreement or account with the vendor (e.g. Roboflow PML-1.0)."""

from __future__ import annotations

from vlicense.policy.rules.base import (
    SeverityRule,
    Trigger,
    exception_note,
    unreviewed_note,
)


def explain(t: Trigger) -> str:
    obligation = t.info.obligation if t.info else ""
    return f"{t.key} is a proprietary license ({t.clause}). {obligation}" + exception_note(t) + unreviewed_note(t)


def recommend(t: Trigger) -> str:
    route = t.info.commercial_route if t.info and t.info.commercial_route else "the vendor's commercial terms"
    return f"Confirm the organisation holds {route} covering this deployment, or replace {t.component.name}."


RULE = SeverityRule(
    id="proprietary",
    title="Proprietary / commercial license required",
    categories=("proprietary",),
    defaults={"default": "warning"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
