"""Rule exception-expired: a policy exception passed its expiry date; the finding it covered is active again."""

from __future__ import annotations

from vlicense.policy.rules.base import FixedRule

RULE = FixedRule(id="exception-expired", title="Policy exception expired", severity="error", doc=__doc__ or "")
