"""Rule non-commercial: CC-BY-NC, FAIR and Apple research licenses, Deci YOLO-NAS, NVIDIA SegFormer: no commercial use."""

from __future__ import annotations

from vlicense.policy.rules.base import (
    SeverityRule,
    Trigger,
    exception_note,
    unreviewed_note,
)


def explain(t: Trigger) -> str:
    what = "these weights" if t.is_model else "this component"
    if t.decided_by == "commercial":
        text = (
            f"The project is commercial, and {t.clause} permits use of {what} only for non-commercial purposes; "
            "the restriction covers use, not only distribution, so it applies to internal and hosted use too, "
            "and models fine-tuned from these weights inherit it."
        )
    elif t.decided_by == "non-commercial":
        text = f"The policy declares non-commercial use, which {t.clause} permits."
    elif t.decided_by == "open-source":
        text = (
            f"The project itself is non-commercial, but people who reuse it commercially are bound by {t.clause}; "
            "say so in the README."
        )
    else:
        text = f"The policy sets this severity for non-commercial licenses ({t.clause})."
    return text + exception_note(t) + unreviewed_note(t)


def recommend(t: Trigger) -> str:
    if t.severity == "error":
        return (
            f"Switch to one of the permissively licensed alternatives (retrain or fine-tune from it if needed), or obtain a "
            f"commercial license from the licensor; do not ship or serve {t.component.name} commercially."
        )
    if t.severity == "warning":
        return f"Document that {t.component.name} is for non-commercial use only."
    return "No action while the use stays non-commercial; re-run vlicense if that changes."


RULE = SeverityRule(
    id="non-commercial",
    title="Non-commercial licenses",
    categories=("non-commercial",),
    defaults={"commercial": "error", "non-commercial": "info", "default": "error"},
    explain=explain,
    recommend=recommend,
    doc=__doc__ or "",
)
