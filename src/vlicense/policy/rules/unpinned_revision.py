"""Rule unpinned-revision: a Hub model loaded without a pinned revision; its card and license can change."""

from __future__ import annotations

from vlicense.policy.rules.base import SignalRule, SignalTrigger


def explain(t: SignalTrigger) -> str:
    return (
        f"{t.signal.message}. The license audited today is the one on the main branch now; the owner can change the "
        "weights or the license later and the next download picks it up."
    )


def recommend(t: SignalTrigger) -> str:
    return "Pass revision=<commit sha> to the loader so the weights (and the license you audited) cannot change silently."


RULE = SignalRule(
    id="unpinned-revision",
    title="Hub model without a pinned revision",
    signal="unpinned-revision",
    category=None,
    defaults={"default": "info"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
