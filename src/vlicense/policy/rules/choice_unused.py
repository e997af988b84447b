"""Rule choice-unused: a pinned OR choice names a component the audit did not find, or a branch its license lacks."""

from __future__ import annotations

from vlicense.policy.rules.base import FixedRule

RULE = FixedRule(id="choice-unused", title="Pinned license choice unused", severity="warning", doc=__doc__ or "")
