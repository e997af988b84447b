"""Rule unsafe-pickle: a weight file whose pickle would run code when loaded (torch.load, pickle.load)."""

from __future__ import annotations

from vlicense.policy.rules.base import SignalRule, SignalTrigger


def explain(t: SignalTrigger) -> str:
    evidence = f" Evidence: {t.signal.detail}." if t.signal.detail else ""
    return (
        f"{t.signal.message}. Loading it with pickle (torch.load without weights_only=True, joblib, pickle.load) "
        "executes that code with the privileges of whoever loads it, on developer machines, CI and production alike, "
        f"which is why this is not limited by where in the project the file is used.{evidence}"
    )


def recommend(t: SignalTrigger) -> str:
    return (
        f"Do not load {t.component.name} until its origin is verified; re-export the weights as safetensors (or load "
        "them with torch.load(..., weights_only=True) and convert), and delete the pickle from the tree."
    )


RULE = SignalRule(
    id="unsafe-pickle",
    title="Weight file would run code when loaded (unsafe pickle)",
    signal="unsafe-pickle",
    category="security",
    defaults={"default": "error"},
    explain=explain,
    recommend=recommend,
    scope_capped=False,
    doc=__doc__ or "",
)
