"""Every row of research/weights-facts.csv (117 rows) is answered by the KB with the right normalized license."""

from __future__ import annotations

import pytest

from vlicense.knowledge.knowledge_base import KnowledgeBase

from weights_facts_table import ROWS  # the table beside this file (shared with bench/bench_weights.py)



@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def test_table_covers_all_117_rows() -> None:
    assert [row for row, _, _ in ROWS] == list(range(1, 118))


@pytest.mark.parametrize(
    ("row", "ids", "expected"), ROWS, ids=[f"row{r}" for r, _, _ in ROWS]
)
def test_row_is_answered(
    kb: KnowledgeBase, row: int, ids: tuple[str, ...], expected: str | None
) -> None:
    for component_id in ids:
        fact = kb.model(component_id)
        assert fact is not None, f"row {row}: {component_id} not in the KB"
        assert fact.license == expected, f"row {row}: {component_id}"
        assert fact.source and fact.date, f"row {row}: {component_id} lacks source/date"


def test_conflicts_are_explained_in_notes(kb: KnowledgeBase) -> None:
    assert "conflict" in kb.model("ultralytics:FastSAM-s.pt").note
    assert "GPL-3.0" in kb.model("ultralytics:yolov9c.pt").note
    assert "GPL-3.0" in kb.model("ultralytics:yolov8s-worldv2.pt").note
    openai = kb.model("timm:vit_base_patch16_clip_224.openai")
    assert openai.raw == "apache-2.0" and "apache-2.0" in openai.note
    assert (
        "2023-08-31" in kb.model("torchhub:facebookresearch/dinov2:dinov2_vitb14").note
    )
    assert kb.model("hf:meta-llama/Llama-3.2-11B-Vision").gated is True
