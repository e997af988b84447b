"""Rule source-available: BUSL, Elastic License: source is public, but hosted or production use is restricted."""

from __future__ import annotations

from vlicense.policy.rules.base import (
    SeverityRule,
    Trigger,
    exception_note,
    unreviewed_note,
)


def explain(t: Trigger) -> str:
    obligation = t.info.obligation if t.info else ""
    if t.decided_by == "saas":
        text = f"The application is offered as a service, which {t.clause} restricts. {obligation}"
    else:
        text = f"{t.key} is source-available, not open source ({t.clause}). {obligation}"
    return text + exception_note(t) + unreviewed_note(t)


def recommend(t: Trigger) -> str:
    if t.severity == "error":
        return f"Replace {t.component.name}, or obtain a commercial license from the licensor."
    return f"Confirm that this use is covered by {t.key}'s grant and record the decision."


RULE = SeverityRule(
    id="source-available",
    title="Source-available licenses (BUSL, Elastic)",
    categories=("source-available",),
    defaults={
        "saas": "error",
        "binary": "warning",
        "internal": "warning",
        "open-source": "warning",
        "default": "warning",
    },
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
