"""Markdown memo: header, verdict first, blocking findings with clause, location and alternatives, inventory, limits."""

from __future__ import annotations

import re
from pathlib import Path

from vlicense.model import AuditResult
from vlicense.report import memo, render


def section(text: str, title: str) -> str:
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_header_and_verdict_first(result: AuditResult) -> None:
    text = render("memo", result)
    lines = text.splitlines()
    assert lines[0] == "# License compliance memo: demo_app"
    assert any(line.startswith("**To:**") for line in lines[:6])
    assert any(line.startswith("**From:** vlicense 0.1.0") for line in lines[:6])
    assert "**Date:** 2026-11-29" in text
    assert any(line.startswith("**Re:**") and "closed-source-saas" in line for line in lines[:8])
    headings = [line for line in lines if line.startswith("## ")]
    assert headings[0] == "## Verdict: FAIL"
    assert headings == [
        "## Verdict: FAIL",
        "## Blocking findings",
        "## Warnings",
        "## Inventory (6 components)",
        "## Method and limits",
    ]
    summary = lines[lines.index("## Verdict: FAIL") + 2]
    assert summary.startswith("Do not release as is: the project fails policy `closed-source-saas` with 3 blocking findings")


def test_each_blocking_finding_is_complete(result: AuditResult) -> None:
    text = render("memo", result)
    blocking = section(text, "Blocking findings")
    items = re.split(r"\n### \d+\. ", blocking)[1:]
    assert len(items) == len([f for f in result.findings if f.severity == "error"]) == 3
    for item in items:
        assert "- **Constraint:**" in item and "- **License terms:**" in item and "- **Recommendation:**" in item
        rows = [
            line
            for line in item.splitlines()
            if line.startswith("  | ") and "---" not in line and "| option |" not in line
        ]
        assert len(rows) >= 2, item  # at least two concrete alternatives, each with a license column
        assert all(line.count("|") >= 4 for line in rows)
        assert "- **Commercial route:**" in item
    agpl_model = next(i for i in items if i.startswith("`ultralytics:yolo11n.pt`"))
    assert "AGPL-3.0 section 13 (Remote Network Interaction)" in agpl_model
    assert '`app/detect.py:7`: `model = YOLO("yolo11n.pt")`' in agpl_model
    assert "Ultralytics Enterprise License" in agpl_model and "| Apache-2.0 |" in agpl_model
    agpl_lib = next(i for i in items if i.startswith("`pypi:ultralytics`"))
    assert "dependency path: project → ultralytics" in agpl_lib
    nc = next(i for i in items if i.startswith("`timm:"))
    assert "CC-BY-NC-4.0 section 1(i) and 2(a)(1) (NonCommercial)" in nc
    assert "notebooks/explore.ipynb:12 (cell 3, line 2)" in nc


def test_warnings_inventory_and_limits(result: AuditResult) -> None:
    text = render("memo", result)
    warnings = section(text, "Warnings")
    assert "`pypi:mystery`" in warnings and "`app/util.py:4`" in warnings
    inventory = section(text, "Inventory")
    rows = [line for line in inventory.splitlines() if line.startswith("| `")]
    assert len(rows) == len(result.components)
    assert all(line.count(" | ") >= 5 for line in rows)
    pillow = next(r for r in rows if "pypi:pillow" in r)
    assert "(transitive)" in pillow and "MIT-CMU" in pillow and "installed-metadata" in pillow
    limits = section(text, "Method and limits")
    assert "42 files scanned" in limits
    assert "`app/loader.py:21` (timm): `cfg.arch`: model name comes from a runtime value" in limits
    assert "`weights/broken.safetensors`: header is not valid JSON" in limits
    assert "hf-hub" in limits


def test_inventory_survives_hostile_paths(make_result) -> None:  # type: ignore[no-untyped-def]
    from vlicense.model import Component, Location

    comp = Component(
        id="file:w|eights/a.pt", kind="model", name="a.pt", license="MIT", locations=[Location("w|eights/a.pt", 0)]
    )
    text = render("memo", make_result(comps=[comp]))
    row = next(line for line in text.splitlines() if line.startswith("| `file:"))
    assert row.count(" | ") == 5 and "w\\|eights" in row


def test_pass_memo(make_result) -> None:  # type: ignore[no-untyped-def]
    text = render("memo", make_result(comps=[]))
    assert "## Verdict: PASS" in text and "No blocking findings or warnings" in text
    assert "## Blocking findings" not in text and "## Warnings" not in text


def test_internal_memo_has_no_blocking_agpl(make_result) -> None:  # type: ignore[no-untyped-def]
    text = render("memo", make_result("internal"))
    assert "### 1. `timm:" in text  # the non-commercial weights still block
    assert "### 2." not in text
    assert "AGPL-3.0 section 13 is not triggered" in text  # listed among informational findings


def test_table_cells_escape_pipes() -> None:
    assert memo.cell("a | b\nc") == "a \\| b c"
    assert memo.code("x`y") == "`` x`y ``"
    assert memo.code("") == ""


def test_extra_template_dir_takes_precedence(result: AuditResult, tmp_path: Path) -> None:
    (tmp_path / "memo.md.j2").write_text("custom {{ r.verdict }} {{ errors | length }}\n", encoding="utf-8")
    assert memo.render(result, template_dir=tmp_path) == "custom fail 3\n"
    assert memo.render(result).startswith("# License compliance memo")
