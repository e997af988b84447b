"""Rule network-copyleft: AGPL, SSPL, EUPL, OSL: a network service or a shipped binary triggers the source obligation."""

from __future__ import annotations

from vlicense.policy.rules.base import (
    SeverityRule,
    Trigger,
    exception_note,
    unreviewed_note,
)

_NETWORK_CLAUSE = {
    "AGPL": "AGPL-3.0 section 13 (Remote Network Interaction)",
    "SSPL": "SSPL-1.0 section 13 (Offering the Program as a Service)",
    "EUPL": "EUPL article 1 ('Communication' includes online access) and article 5",
    "OSL-": "OSL-3.0 section 5 (External Deployment)",
}
_CONVEY_CLAUSE = {"AGPL": "AGPL-3.0 section 6 (Conveying Non-Source Forms)"}


def _clause(table: dict[str, str], t: Trigger) -> str:
    return next((v for k, v in table.items() if t.key.upper().startswith(k)), t.clause)


def explain(t: Trigger) -> str:
    what = "these weights" if t.is_model else "this library"
    by = t.decided_by
    if by == "saas":
        text = (
            f"The application is offered as a network service, which triggers {_clause(_NETWORK_CLAUSE, t)}: "
            f"users who interact with it remotely must be offered the Corresponding Source of the whole program that uses {what}, "
            "your own code included."
        )
    elif by == "binary":
        text = (
            f"Shipping the application to customers conveys {what}, which triggers {_clause(_CONVEY_CLAUSE, t)}: "
            f"the combined work must be released under {t.key} with its complete source."
        )
    elif by == "internal":
        text = (
            "Internal use is neither distribution nor offering a network service to third parties: "
            f"{_clause(_NETWORK_CLAUSE, t).split(' (')[0]} is not triggered. This changes as soon as outside users reach the "
            "application over a network or receive a copy."
        )
    elif by == "open-source":
        lic = t.context.project_license or "not set in the policy"
        text = (
            f"Publishing the project as open source is fine if the project license is compatible with {t.key} "
            f"(project license: {lic}); anyone who deploys it as a service takes on {_clause(_NETWORK_CLAUSE, t)}."
        )
    else:
        text = f"The policy sets this severity for network-copyleft licenses ({t.clause})."
    return text + exception_note(t) + unreviewed_note(t)


def recommend(t: Trigger) -> str:
    if t.severity == "error":
        return (
            f"Replace {t.component.name} with one of the permissively licensed alternatives, or obtain a commercial license where one is offered, "
            f"before this ships; keeping it means publishing the source of the whole service under {t.key}."
        )
    if t.decided_by == "internal":
        return "No action while the application stays internal; re-run vlicense with the real distribution model before exposing it."
    return f"Check that the project license is compatible with {t.key}."


RULE = SeverityRule(
    id="network-copyleft",
    title="Network copyleft (AGPL, SSPL, EUPL, OSL)",
    categories=("network-copyleft",),
    defaults={"saas": "error", "binary": "error", "internal": "info", "open-source": "info", "default": "error"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
