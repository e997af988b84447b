"""examples/shelf-hygiene: its README shows the memo's real Model hygiene section, and every rule fires once."""

from __future__ import annotations

import re
from pathlib import Path

from hygiene.conftest import clock, hygiene
from vlicense.pipeline import AuditOptions, run_audit
from vlicense.report import render

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shelf-hygiene"


def audit():
    return run_audit(AuditOptions(path=EXAMPLE, offline=True, python="none", cache=False), clock=clock)


def test_readme_block_is_the_real_memo_section() -> None:
    memo = render("memo", audit())
    section = "## Model hygiene" + memo.split("## Model hygiene", 1)[1].split("## Inventory", 1)[0]
    readme = (EXAMPLE / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- hygiene-start -->\n(.*?)\n<!-- hygiene-end -->", readme, re.S)
    assert block, "README.md lacks the <!-- hygiene-start --> ... <!-- hygiene-end --> block"
    assert block.group(1).strip() == section.strip(), "README.md block is stale; replace it with:\n" + section


def test_example_warns_on_hygiene_and_passes_the_license_audit() -> None:
    result = audit()
    assert result.verdict == "warn"
    assert all(f.hygiene is not None for f in result.findings if f.severity in ("error", "warning"))
    assert sorted((f.rule, f.component) for f in hygiene(result)) == [
        ("missing-normalization", "timm:convnext_tiny.fb_in22k_ft_in1k"),
        ("preprocessing-mismatch", "open_clip:ViT-B-32:laion2b_s34b_b79k"),
        ("preprocessing-mismatch", "torchvision:ResNet50_Weights.IMAGENET1K_V2"),
        ("untrained-backbone", "torchvision:efficientnet_b0"),
    ]
