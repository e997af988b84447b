"""Model-hygiene fixtures: a project written into tmp_path, audited offline through the real pipeline."""

from __future__ import annotations

import datetime
import json
import textwrap
from pathlib import Path

import pytest

from vlicense.model import AuditResult, Finding
from vlicense.pipeline import AuditOptions, run_audit

HYGIENE_RULES = ("preprocessing-mismatch", "missing-normalization", "processor-mismatch", "untrained-backbone")


def clock() -> datetime.datetime:
    return datetime.datetime(2026, 12, 5, tzinfo=datetime.timezone.utc)


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def preprocessor(root: Path, folder: str, config: dict) -> None:
    """A model folder with a preprocessor_config.json (as transformers' save_pretrained writes it)."""
    path = root / folder / "preprocessor_config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config), encoding="utf-8")


VIT_CONFIG = {"do_normalize": True, "do_resize": True, "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5],
              "resample": 2, "size": {"height": 224, "width": 224}, "image_processor_type": "ViTImageProcessor"}
CLIP_CONFIG = {"do_normalize": True, "do_resize": True, "do_center_crop": True, "crop_size": {"height": 224, "width": 224},
               "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
               "resample": 3, "size": {"shortest_edge": 224}, "image_processor_type": "CLIPImageProcessor"}


@pytest.fixture
def audit(tmp_path: Path):
    """audit(files, policy=..., configs={folder: preprocessor config}) -> AuditResult of a fresh project."""

    def run(files: dict[str, str], *, policy: str = "closed-source-saas", configs: dict | None = None) -> AuditResult:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        write(root, files)
        for folder, config in (configs or {}).items():
            preprocessor(root, folder, config)
        return run_audit(AuditOptions(path=root, policy=policy, offline=True, python="none", cache=False), clock=clock)

    return run


def hygiene(result: AuditResult, rule: str | None = None) -> list[Finding]:
    return [f for f in result.findings if f.rule in HYGIENE_RULES and (rule is None or f.rule == rule)]
