"""Rule license-drift: a derived model declares a more permissive license than the model it was derived from."""

from __future__ import annotations

from vlicense.policy.rules.base import SignalRule, SignalTrigger


def explain(t: SignalTrigger) -> str:
    evidence = f" ({t.signal.detail})" if t.signal.detail else ""
    return (
        f"{t.signal.message}{evidence}. A fine-tune, quantization, adapter or merge is a derivative of its base weights, "
        "and re-labelling it does not remove the base license's conditions: the base model's terms still apply to "
        "anyone who uses the derived weights."
    )


def recommend(t: SignalTrigger) -> str:
    return (
        f"Treat {t.component.name} as bound by its base's terms too (the audit already evaluates them: see the "
        "finding about the inherited license); ask the publisher to correct the card, or switch to a model whose "
        "whole lineage is licensed for your use."
    )


RULE = SignalRule(
    id="license-drift",
    title="Derived model more permissive than its base (license drift)",
    signal="license-drift",
    category=None,  # not a license category (the JSON schema enumerates those); the message names the base
    defaults={"default": "warning"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
