"""Rule license-choice: an OR expression; the report names the branch the decision relied on."""

from __future__ import annotations

from vlicense.policy.rules.base import FixedRule

RULE = FixedRule(id="license-choice", title="License choice (OR)", severity="info", doc=__doc__ or "")


def message(subject: str, expression: str, chosen: str, pinned_by: str = "") -> str:
    """``pinned_by`` says why the branch was chosen when the policy pins it; empty means the mildest branch won."""
    why = f" because {pinned_by}" if pinned_by else ""
    return (
        f"{subject} is offered under a choice of licenses ({expression}); the evaluation relies on {chosen}{why}, "
        "so use it under those terms and keep that choice on record."
    )
