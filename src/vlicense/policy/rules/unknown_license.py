"""Rule unknown-license: no license could be established (or it is a family id like 'cc'); unknown is never a pass.

It says which kind: "not determined" (a source was offline, failing or unreadable: rerun to find out) or
"declared none" (the publisher gives no license: there is no permission to use it). A policy can weigh them apart:
``unknown-license: {default: warning, declared-none: {saas: error}}``.
"""

from __future__ import annotations

from vlicense.policy.rules.base import SeverityRule, Trigger

NOT_DETERMINED = "not-determined"
DECLARED_NONE = "declared-none"


def explain(t: Trigger) -> str:
    if t.info is not None:
        return f"{t.info.name}: {t.info.obligation}"
    if t.license in ("", "unknown"):
        # The finding's first sentence already gives resolution's reason (engine: "declares no license (...)").
        if t.component.license_unknown == DECLARED_NONE:
            return ("Without a license there is no permission to use, copy or distribute it: copyright reserves all "
                    "rights.")
        if t.component.license_unknown == NOT_DETERMINED:
            return "The license may exist; until it is known, no permission to use it has been shown."
        return (
            "No source vlicense consulted states a license for it; without a license there is no permission to use it."
        )
    return (
        f"'{t.license}' is not in vlicense's license catalog, so its terms are unknown; without known terms there is "
        "no established permission to use it."
    )


def recommend(t: Trigger) -> str:
    if t.license in ("", "unknown") and t.component.license_unknown == DECLARED_NONE:
        return (f"Without a license there is no permission to use {t.component.name}: obtain a license from its "
                "publisher (then record it as a policy override with the reason) or replace it.")
    if t.license in ("", "unknown") and t.component.license_unknown == NOT_DETERMINED:
        return (f"Determine the license of {t.component.name}: rerun as the reason says, or find it (LICENSE file, "
                "model card, vendor) and record it as a policy override with a reason; otherwise replace it.")
    return (
        f"Find the license of {t.component.name} (LICENSE file, model card, vendor) and record it as a policy "
        "override with a reason, or replace the component."
    )


RULE = SeverityRule(
    id="unknown-license",
    title="Unknown license",
    categories=("unknown",),
    defaults={"default": "warning"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
    variants=(NOT_DETERMINED, DECLARED_NONE),
)
