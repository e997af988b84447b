"""Every license id the knowledge base or the metadata normalizer can emit has a policy-catalog entry."""

from __future__ import annotations

import json

import yaml

from vlicense.knowledge.licenses import license_info
from vlicense.resolution import spdx
from vlicense.knowledge.knowledge_base import RAW_LICENSE_IDS, KnowledgeBase, normalize_raw_license
from vlicense.resources import kb_dir


def _kb_licenses() -> set[str]:
    kb = KnowledgeBase.load()
    found: set[str] = set()
    for component_id in kb.model_ids():
        fact = kb.model(component_id)
        if fact is not None and fact.license:
            found.add(fact.license)
    for name in yaml.safe_load((kb_dir() / "libraries.yaml").read_text())["libraries"]:
        fact = kb.library(name)
        if fact is not None and fact.license:
            found.add(fact.license)
    timm = json.loads((kb_dir() / "timm.json").read_text())
    for entry in timm["tags"].values():
        if normalize_raw_license(entry.get("license")):
            found.add(normalize_raw_license(entry.get("license")))
    for asset in KnowledgeBase.load().ultralytics_assets():
        fact = kb.ultralytics_asset(asset)
        if fact is not None and fact.license:
            found.add(fact.license)
    found.update(value for value in RAW_LICENSE_IDS.values() if value)
    return found


def test_every_kb_license_key_is_in_the_catalog():
    missing = sorted(
        key for expression in _kb_licenses() for key in spdx.license_keys(expression) if license_info(key) is None
    )
    assert missing == []


def test_every_normalizer_reference_is_in_the_catalog():
    emitted = {
        spdx.normalize(raw)
        for raw in ["BSD", "Apache Software License", "GNU GPL", "LGPL", "AGPL", "MPL", "Public Domain", "Proprietary"]
    }
    emitted.update(spdx.from_classifiers([c]) for c in ["License :: Other/Proprietary License", "License :: Public Domain"])
    missing = sorted(key for e in emitted if e for key in spdx.license_keys(e) if license_info(key) is None)
    assert missing == []
