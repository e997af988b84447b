"""Rule strong-copyleft: GPL code triggers its source obligation when conveyed (shipped), not when run as a service."""

from __future__ import annotations

from vlicense.policy.rules.base import (
    SeverityRule,
    Trigger,
    exception_note,
    unreviewed_note,
)


def explain(t: Trigger) -> str:
    what = "these weights" if t.is_model else "this library"
    by = t.decided_by
    if by == "binary":
        text = (
            f"Shipping the application to customers conveys {what}, which triggers {t.clause}: "
            f"the whole combined work must be licensed under {t.key} and its complete corresponding source provided."
        )
    elif by in ("saas", "internal"):
        mode = "running it to provide a network service" if by == "saas" else "using it internally"
        text = (
            f"Not triggered: {mode} is not conveying a copy, and {t.key} attaches its source obligation ({t.clause}) "
            "only to conveying (GPL-3.0 sections 0 and 2: running the program is unrestricted). "
            "It would apply if the application were ever shipped to customers."
        )
    elif by == "open-source":
        lic = t.context.project_license or "not set in the policy"
        text = (
            f"Publishing the project is fine if its license is compatible with {t.key} (project license: {lic}); "
            f"a distributed combined work must be licensed under {t.key} ({t.clause})."
        )
    else:
        text = f"The policy sets this severity for strong-copyleft licenses ({t.clause})."
    return text + exception_note(t) + unreviewed_note(t)


def recommend(t: Trigger) -> str:
    if t.severity == "error":
        return (
            f"Replace {t.component.name} with a permissively licensed alternative before shipping, isolate it in a "
            f"separate program you do not distribute, or release the combined work under {t.key}."
        )
    if t.severity == "warning":
        return f"Confirm that the project license is compatible with {t.key}."
    return "No action for this distribution model; re-check before shipping binaries to customers."


RULE = SeverityRule(
    id="strong-copyleft",
    title="Strong copyleft (GPL)",
    categories=("strong-copyleft",),
    defaults={"binary": "error", "saas": "info", "internal": "info", "open-source": "warning", "default": "error"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
