"""base_model lineage through the real huggingface_hub client and a local Hub: recursion, cycles, depth, drift."""

from __future__ import annotations

import pytest

from vlicense.model import Discovery, Location, ModelReference
from vlicense.resolution.components import build_components
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.installed import Environment
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.resolution.lineage import follow_lineage
from vlicense.resolution.model_license import restriction_rank


def model(repo: str, tmp_path, revision: str | None = "abc123"):
    found = Discovery(models=[ModelReference("huggingface", repo, Location("app.py", 3), revision=revision)])
    result = build_components(found, environment=Environment.from_paths([], "3.12"), kb=KnowledgeBase.load(),
                              hub=HubResolver(offline=False, cache_dir=tmp_path), project_path=lambda n: None)
    return result[0]


@pytest.mark.parametrize(
    ("expression", "rank"),
    [("MIT", 0), ("CC0-1.0", 0), ("LGPL-3.0-only", 1), ("LicenseRef-openrail", 2), ("GPL-3.0-only", 3),
     ("AGPL-3.0-only", 4), ("CC-BY-NC-4.0", 4), ("MIT AND CC-BY-NC-4.0", 4), (None, None),
     ("LicenseRef-never-heard-of", None)],
)
def test_restriction_rank(expression, rank):
    assert restriction_rank(expression) == rank


def test_permissive_fine_tune_of_a_non_commercial_base_is_license_drift(hub, tmp_path):
    hub.model("org/finetune", license="apache-2.0", base_model="org/base")
    hub.model("org/base", license="cc-by-nc-4.0")
    component = model("org/finetune", tmp_path)
    assert component.license == "Apache-2.0" and component.license_source == "hf-hub"
    assert component.base_models == ["hf:org/base"]
    lineage = [f for f in component.facts if f.source == "lineage"]
    assert [(f.license) for f in lineage] == ["CC-BY-NC-4.0"] and "org/base" in lineage[0].detail
    drift = [s for s in component.signals if s.kind == "license-drift"]
    assert len(drift) == 1 and "org/base" in drift[0].message and "base_license=CC-BY-NC-4.0" in drift[0].detail
    # Lineage is not a rival source of the model's own license: the base's terms are carried as a link.
    assert not any("sources disagree" in n for n in component.notes)
    assert [(link.id, link.license, link.source, link.relation, link.path) for link in component.lineage] == [
        ("hf:org/base", "CC-BY-NC-4.0", "hf-hub", "base_model", ("hf:org/finetune", "hf:org/base"))]


def test_same_or_stricter_license_than_the_base_is_not_drift(hub, tmp_path):
    hub.model("org/strict", license="cc-by-nc-4.0", base_model="org/base")
    hub.model("org/base", license="apache-2.0")
    hub.model("org/same", license="mit", base_model="org/base")
    assert not [s for s in model("org/strict", tmp_path).signals if s.kind == "license-drift"]
    assert not [s for s in model("org/same", tmp_path).signals if s.kind == "license-drift"]


def test_lineage_is_followed_recursively_and_an_unknown_license_inherits_the_terms(hub, tmp_path):
    hub.model("org/c", license=None, base_model="org/b")
    hub.model("org/b", base_model="org/a")  # b declares nothing either
    hub.model("org/a", license="agpl-3.0")
    component = model("org/c", tmp_path)
    assert component.license == "AGPL-3.0-only" and component.license_source == "lineage"
    fact = next(f for f in component.facts if f.source == "lineage")
    assert "org/b -> org/a" in fact.detail
    assert any("declares no license" in n for n in component.notes)
    # No drift is claimed for a model that declares nothing.
    assert not [s for s in component.signals if s.kind == "license-drift"]


def test_drift_against_a_grandparent(hub, tmp_path):
    hub.model("org/c", license="mit", base_model="org/b")
    hub.model("org/b", license="mit", base_model="org/a")
    hub.model("org/a", license="cc-by-nc-sa-4.0")
    drift = [s for s in model("org/c", tmp_path).signals if s.kind == "license-drift"]
    assert len(drift) == 1 and "path=hf:org/c -> hf:org/b -> hf:org/a" in drift[0].detail


def test_cycles_and_depth_are_bounded(hub, tmp_path):
    hub.model("org/x", license="mit", base_model="org/y")
    hub.model("org/y", license="mit", base_model="org/x")
    component = model("org/x", tmp_path)
    assert component.license == "MIT"
    assert sum("/api/models/org/y" in r for r in hub.requests) == 1
    for i in range(10):
        hub.model(f"org/l{i}", license="mit", base_model=f"org/l{i + 1}")
    result = follow_lineage("org/l0", ["org/l1"], hub=HubResolver(offline=False, cache_dir=tmp_path),
                            kb=KnowledgeBase.load(), max_depth=3)
    assert [a.repo for a in result.ancestors] == ["org/l1", "org/l2", "org/l3"]
    assert any("depth limit" in n for n in result.notes)


def test_base_model_from_the_bundled_snapshot_offline(tmp_path):
    # google/gemma-3-27b-it's KB entry names its base model; offline, lineage comes from the KB alone.
    found = Discovery(models=[ModelReference("huggingface", "google/gemma-3-27b-it", Location("app.py", 1))])
    component = build_components(found, environment=Environment.from_paths([], "3.12"), kb=KnowledgeBase.load(),
                                 hub=HubResolver(offline=True, cache_dir=tmp_path), project_path=lambda n: None)[0]
    assert component.base_models == ["hf:google/gemma-3-27b-pt"]
    assert any(f.source == "lineage" and f.license for f in component.facts)
    assert {s.kind for s in component.signals} >= {"gated", "unpinned-revision"}


def test_base_model_values_that_are_not_repo_ids_are_noted_not_followed(hub, tmp_path):
    hub.model("org/m", license="mit", base_model=["../../etc/passwd", "org/ok"])
    hub.model("org/ok", license="mit")
    component = model("org/m", tmp_path)
    assert component.base_models == ["hf:org/ok"]
    assert any("not a Hub repo id" in n for n in component.notes)


@pytest.mark.parametrize(("revision", "pinned"), [("main", False), ("v1.0", False), (None, False),
                                                  ("3f49326", True), ("a" * 40, True)])
def test_only_a_commit_pins_a_hub_revision(hub, tmp_path, revision, pinned):
    # A branch or a tag names whatever it points at on the day of the download; a commit does not move.
    hub.model("org/pin", license="mit")
    component = model("org/pin", tmp_path, revision=revision)
    assert ("unpinned-revision" in {s.kind for s in component.signals}) is not pinned
