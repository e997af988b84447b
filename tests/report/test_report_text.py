"""Terminal summary, the FORMATS table, and byte-identical output for the same result."""

from __future__ import annotations

import random

import pytest

from vlicense.errors import UsageError
from vlicense.model import AuditResult
from vlicense.report import FORMATS, render


def test_text_summary(result: AuditResult) -> None:
    text = render("text", result)
    lines = text.splitlines()
    assert lines[0].startswith("vlicense: FAIL (policy closed-source-saas")
    assert lines[1] == "6 components, 3 errors, 1 warning, 1 info"
    assert "  ERROR   app/detect.py:7  ultralytics:yolo11n.pt  AGPL-3.0-only  [network-copyleft]" in lines
    assert any(line.startswith("  WARNING app/util.py:4  pypi:mystery") for line in lines)
    assert not any("license-choice" in line for line in lines)  # info stays out of the terminal list
    assert "--format memo" in lines[-1]
    assert "1 unresolved model reference" in text and "2 skipped files" in text


def test_text_pass(make_result) -> None:  # type: ignore[no-untyped-def]
    text = render("text", make_result(comps=[]))
    assert text.splitlines()[0].startswith("vlicense: PASS") and "--format memo" not in text


def test_formats_and_unknown_format(result: AuditResult) -> None:
    assert {"json", "memo", "text"} <= set(FORMATS)
    with pytest.raises(UsageError, match="sarif-ish"):
        render("sarif-ish", result)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_deterministic_output(make_result, fmt: str) -> None:  # type: ignore[no-untyped-def]
    first = render(fmt, make_result())
    assert render(fmt, make_result()) == first
    shuffled = make_result()
    rng = random.Random(7)
    for attr in ("components", "findings", "unresolved", "skipped"):
        items = list(getattr(shuffled, attr))
        rng.shuffle(items)
        setattr(shuffled, attr, items)
    shuffled.stats = dict(reversed(list(shuffled.stats.items())))
    assert render(fmt, shuffled).encode() == first.encode()
