"""Rule unknown-license: no license could be established (or it is a family id like 'cc'); unknown is never a pass."""

from __future__ import annotations

from vlicense.policy.rules.base import SeverityRule, Trigger


def explain(t: Trigger) -> str:
    if t.info is not None:
        return f"{t.info.name}: {t.info.obligation}"
    if t.license in ("", "unknown"):
        return (
            "No source vlicense consulted states a license for it; without a license there is no permission to use it."
        )
    return (
        f"'{t.license}' is not in vlicense's license catalog, so its terms are unknown; without known terms there is "
        "no established permission to use it."
    )


def recommend(t: Trigger) -> str:
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
)
