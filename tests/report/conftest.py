"""An AuditResult built directly (through the real policy engine) for report tests."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from vlicense.model import (
    AuditResult,
    Component,
    LicenseFact,
    Location,
    SkippedFile,
    UnresolvedReference,
)
from vlicense.policy import evaluate, load_policy, verdict


def components() -> list[Component]:
    return [
        Component(
            id="pypi:ultralytics",
            kind="library",
            name="ultralytics",
            version="8.4.190",
            license="AGPL-3.0-only",
            license_source="installed-metadata",
            direct=True,
            introduced_by=[["ultralytics"]],
            locations=[
                Location("requirements.txt", 2, snippet="ultralytics>=8.3"),
                Location("app/detect.py", 1, snippet="from ultralytics import YOLO"),
            ],
            facts=[LicenseFact("installed-metadata", "AGPL-3.0-only", "License-Expression")],
        ),
        Component(
            id="ultralytics:yolo11n.pt",
            kind="model",
            name="yolo11n.pt",
            loader="ultralytics",
            license="AGPL-3.0-only",
            license_source="knowledge-base",
            locations=[Location("app/detect.py", 7, snippet='model = YOLO("yolo11n.pt")')],
            facts=[LicenseFact("knowledge-base", "AGPL-3.0-only", "ultralytics 8.4.190 GITHUB_ASSETS_NAMES")],
            task="object-detection",
        ),
        Component(
            id="timm:convnextv2_tiny.fcmae_ft_in22k_in1k",
            kind="model",
            name="convnextv2_tiny.fcmae_ft_in22k_in1k",
            loader="timm",
            license="CC-BY-NC-4.0",
            license_source="knowledge-base",
            locations=[
                Location(
                    "notebooks/explore.ipynb",
                    12,
                    snippet="timm.create_model('convnextv2_tiny', pretrained=True) | x",
                    cell=3,
                    cell_line=2,
                )
            ],
        ),
        Component(
            id="pypi:pillow",
            kind="library",
            name="pillow",
            version="11.0.0",
            license="MIT-CMU",
            license_source="installed-metadata",
            direct=False,
            introduced_by=[["torchvision", "pillow"], ["ultralytics", "pillow"]],
        ),
        Component(
            id="pypi:mystery",
            kind="library",
            name="mystery",
            license=None,
            locations=[Location("app/util.py", 4, snippet="import mystery")],
        ),
        Component(
            id="pypi:dual",
            kind="library",
            name="dual",
            version="1.0",
            license="MIT OR GPL-3.0-only",
            license_source="installed-metadata",
        ),
    ]


def build(policy: str = "closed-source-saas", comps: list[Component] | None = None) -> AuditResult:
    pol = load_policy(policy)
    comps = components() if comps is None else comps
    findings = evaluate(comps, pol, today=datetime.date(2026, 11, 29))
    return AuditResult(
        root="/work/projects/demo_app",
        policy_name=pol.name,
        context=pol.context,
        verdict=verdict(findings),
        components=comps,
        findings=findings,
        unresolved=[
            UnresolvedReference(
                Location("app/loader.py", 21, snippet="timm.create_model(cfg.arch)"),
                "timm",
                "cfg.arch",
                "model name comes from a runtime value",
            )
        ],
        skipped=[
            SkippedFile("weights/broken.safetensors", "header is not valid JSON"),
            SkippedFile("app/binary.py", "not UTF-8"),
        ],
        stats={"files_scanned": 42, "components": len(comps), "duration_s": 0.5},
        tool_version="0.1.0",
        generated_at="2026-11-29",
        sources_offline=["hf-hub"],
    )


@pytest.fixture
def result() -> AuditResult:
    return build()


@pytest.fixture
def make_result() -> Callable[..., AuditResult]:
    return build
