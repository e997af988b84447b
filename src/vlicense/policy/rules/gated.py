"""Rule gated: the model is gated on the Hugging Face Hub; access needs terms accepted per account."""

from __future__ import annotations

from vlicense.policy.rules.base import SignalRule, SignalTrigger


def explain(t: SignalTrigger) -> str:
    return (
        f"{t.signal.message}. Everyone (and every CI account) that downloads it must accept the gate's terms, which "
        "may add conditions beyond the license id on the card."
    )


def recommend(t: SignalTrigger) -> str:
    return "Read the gate's terms, record who accepted them for which account, and make sure the license decision covers them."


RULE = SignalRule(
    id="gated",
    title="Gated model on the Hugging Face Hub",
    signal="gated",
    category=None,
    defaults={"default": "info"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
