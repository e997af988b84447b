"""Policy: the license catalog, YAML policies with project context, and the evaluation that turns components into findings."""

from __future__ import annotations

from vlicense.knowledge.licenses import LicenseInfo, categorize, license_info
from vlicense.policy.engine import evaluate, fingerprint, sort_findings, verdict
from vlicense.policy.schema import (
    Policy,
    PolicyException,
    PolicyProblem,
    check_policy,
    load_policy,
)

__all__ = [
    "LicenseInfo",
    "Policy",
    "PolicyException",
    "PolicyProblem",
    "categorize",
    "check_policy",
    "evaluate",
    "fingerprint",
    "license_info",
    "load_policy",
    "sort_findings",
    "verdict",
]
