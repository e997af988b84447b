"""Rule exception-unused: a policy exception matched no finding; stale exceptions hide future problems."""

from __future__ import annotations

from vlicense.policy.rules.base import FixedRule

RULE = FixedRule(id="exception-unused", title="Policy exception unused", severity="warning", doc=__doc__ or "")
