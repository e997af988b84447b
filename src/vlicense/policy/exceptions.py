"""Policy exceptions: accept a finding for a component until an expiry date; expired and unused ones become findings."""

from __future__ import annotations

import datetime
import fnmatch

from vlicense.model import Component, Finding
from vlicense.policy.schema import PolicyException


def matches(exc: PolicyException, finding: Finding, component: Component | None) -> bool:
    """Does this exception cover this finding? Component id is exact; version exact; path is a glob on locations."""
    if exc.component != finding.component:
        return False
    if exc.rule is not None and exc.rule != finding.rule:
        return False
    if exc.version is not None and (component is None or component.version != exc.version):
        return False
    if exc.path is not None and not any(fnmatch.fnmatchcase(loc.path, exc.path) for loc in finding.locations):
        return False
    return True


def describe(exc: PolicyException) -> str:
    who = ", ".join(
        x for x in (f"owner {exc.owner}" if exc.owner else "", f"ticket {exc.ticket}" if exc.ticket else "") if x
    )
    return f"reason: {exc.reason}; {who}; expires {exc.expires.isoformat()}; defined at {exc.where}"


def is_expired(exc: PolicyException, today: datetime.date) -> bool:
    """An exception is valid through its expiry day."""
    return exc.expires < today
