"""Rule tool-stamp: a license string a tool writes into every file it saves (e.g. Ultralytics), not proof of origin."""

from __future__ import annotations

from vlicense.policy.rules.base import SignalRule, SignalTrigger


def explain(t: SignalTrigger) -> str:
    evidence = f" ({t.signal.detail})" if t.signal.detail else ""
    return (
        f"{t.signal.message}{evidence}. The stamp shows which tool saved the file, not which weights it started from; "
        "the license of the starting weights (and of the tool, for its own code) is what applies."
    )


def recommend(t: SignalTrigger) -> str:
    return f"Record where {t.component.name} came from (its starting weights and training data) next to the file."


RULE = SignalRule(
    id="tool-stamp",
    title="License stamp written by a tool (not proof of origin)",
    signal="tool-stamp",
    category=None,
    defaults={"default": "info"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
