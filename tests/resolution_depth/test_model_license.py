"""The model rule through the real huggingface_hub client and a local Hub, the HF cache and the knowledge base:
a model's own declaration decides, lineage adds its bases' terms, a snapshot says what its value rests on, and an
unknown license says whether it was not determined or declared none."""

from __future__ import annotations

from pathlib import Path

import pytest

from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.model import Component, Discovery, Location, ModelReference
from vlicense.resolution.components import build_components
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.installed import Environment
from vlicense.resolution.model_license import chain_text

SHA = "b" * 40
SNAPSHOT_KB = """\
models:
  hf:org/inferred:
    license: MIT
    source: https://github.com/org/upstream/blob/main/LICENSE
    date: '2026-01-01'
    basis: inferred
  hf:org/snapshot:
    license: Apache-2.0
    source: https://huggingface.co/org/snapshot
    date: '2026-01-01'
    basis: card
"""


@pytest.fixture
def snapshot_kb(tmp_path_factory) -> KnowledgeBase:
    directory = tmp_path_factory.mktemp("kb")
    (directory / "models.yaml").write_text(SNAPSHOT_KB)
    return KnowledgeBase.load(directory)


def resolve(repo: str, cache: Path, *, offline: bool = False, kb: KnowledgeBase | None = None,
            revision: str | None = "abc") -> Component:
    found = Discovery(models=[ModelReference("huggingface", repo, Location("app.py", 3), revision=revision)])
    return build_components(found, environment=Environment.from_paths([], "3.12"), kb=kb or KnowledgeBase.load(),
                            hub=HubResolver(offline=offline, cache_dir=cache), project_path=lambda n: None)[0]


def write_cached_card(cache: Path, repo_id: str, front_matter: str) -> None:
    repo_dir = cache / ("models--" + repo_id.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(SHA)
    snapshot = repo_dir / "snapshots" / SHA
    snapshot.mkdir(parents=True)
    (snapshot / "README.md").write_text(f"---\n{front_matter}---\n# card\n")


# ------------------------------------------------------------------------------------- own vs lineage


def test_a_non_commercial_card_decides_over_an_apache_base(hub, tmp_path):
    hub.model("me/finetune", license="cc-by-nc-4.0", base_model="org/base")
    hub.model("org/base", license="apache-2.0")
    component = resolve("me/finetune", tmp_path)
    assert (component.license, component.license_source) == ("CC-BY-NC-4.0", "hf-hub")
    assert [(link.id, link.license, link.source) for link in component.lineage] == [("hf:org/base", "Apache-2.0", "hf-hub")]
    assert not [s for s in component.signals if s.kind == "license-drift"]
    assert chain_text(component) == "hf:me/finetune (CC-BY-NC-4.0, Hub card) ← base hf:org/base (Apache-2.0, Hub card)"


def test_an_apache_card_on_a_non_commercial_base_keeps_its_own_license_and_drifts(hub, tmp_path):
    hub.model("me/relabelled", license="apache-2.0", base_model="org/nc")
    hub.model("org/nc", license="cc-by-nc-4.0")
    component = resolve("me/relabelled", tmp_path)
    assert (component.license, component.license_source) == ("Apache-2.0", "hf-hub")
    assert [link.license for link in component.lineage] == ["CC-BY-NC-4.0"]
    [drift] = [s for s in component.signals if s.kind == "license-drift"]
    assert "declares Apache-2.0" in drift.message and "hf:org/nc under CC-BY-NC-4.0" in drift.message


def test_a_model_that_declares_nothing_inherits_and_says_so(hub, tmp_path):
    hub.model("me/silent", base_model="org/base")
    hub.model("org/base", license="apache-2.0")
    component = resolve("me/silent", tmp_path)
    assert (component.license, component.license_source, component.license_unknown) == ("Apache-2.0", "lineage", None)
    assert "the model declares no license: inherited from hf:org/base (Apache-2.0)" in component.notes
    assert chain_text(component).startswith("hf:me/silent (declares no license) ← base hf:org/base")


def test_a_grandparent_s_terms_are_carried_past_a_permissive_parent(hub, tmp_path):
    hub.model("me/c", base_model="org/b")
    hub.model("org/b", license="mit", base_model="org/a")
    hub.model("org/a", license="cc-by-nc-sa-4.0")
    component = resolve("me/c", tmp_path)
    assert component.license == "MIT"  # the nearest known base
    assert [(link.id, link.license, link.path) for link in component.lineage] == [
        ("hf:org/b", "MIT", ("hf:me/c", "hf:org/b")),
        ("hf:org/a", "CC-BY-NC-SA-4.0", ("hf:me/c", "hf:org/b", "hf:org/a")),
    ]
    assert chain_text(component).endswith("← base hf:org/b (MIT, Hub card) ← base hf:org/a (CC-BY-NC-SA-4.0, Hub card)")


def test_two_bases_read_as_branches(hub, tmp_path):
    hub.model("me/merge", license="mit", base_model=["org/x", "org/y"])
    hub.model("org/x", license="apache-2.0")
    hub.model("org/y", license="mit")
    text = chain_text(resolve("me/merge", tmp_path))
    assert text == ("hf:me/merge (MIT, Hub card) ← base hf:org/x (Apache-2.0, Hub card); "
                    "hf:me/merge ← base hf:org/y (MIT, Hub card)")


def test_the_cached_card_decides_offline_with_its_lineage(tmp_path):
    write_cached_card(tmp_path, "me/cached", "license: cc-by-nc-4.0\nbase_model: org/base\n")
    write_cached_card(tmp_path, "org/base", "license: apache-2.0\n")
    component = resolve("me/cached", tmp_path, offline=True, revision=None)
    assert (component.license, component.license_source) == ("CC-BY-NC-4.0", "hf-cache")
    assert [(link.id, link.license, link.source) for link in component.lineage] == [("hf:org/base", "Apache-2.0", "hf-cache")]


# ----------------------------------------------------------------------------- snapshot basis (KB)


def test_an_inferred_snapshot_value_loses_to_the_hub_card(hub, tmp_path, snapshot_kb):
    hub.model("org/inferred", license="apache-2.0")
    component = resolve("org/inferred", tmp_path, kb=snapshot_kb)
    assert (component.license, component.license_source) == ("Apache-2.0", "hf-hub")
    kb_fact = next(f for f in component.facts if f.source == "knowledge-base")
    assert kb_fact.license == "MIT" and kb_fact.basis == "inferred"
    assert "inferred from https://github.com/org/upstream/blob/main/LICENSE (2026-01-01), not the Hub card" in kb_fact.detail
    assert any(n.startswith("the Hub card says Apache-2.0; the bundled snapshot's MIT was inferred") for n in component.notes)


def test_a_card_snapshot_that_differs_from_the_fresh_card_is_drift_from_the_snapshot(hub, tmp_path, snapshot_kb):
    hub.model("org/snapshot", license="cc-by-nc-4.0")
    component = resolve("org/snapshot", tmp_path, kb=snapshot_kb)
    assert (component.license, component.license_source) == ("CC-BY-NC-4.0", "hf-hub")
    assert any("the card changed since the snapshot" in n and "said Apache-2.0" in n for n in component.notes)


def test_offline_both_bases_answer_and_say_which(tmp_path, snapshot_kb):
    inferred = resolve("org/inferred", tmp_path, offline=True, kb=snapshot_kb)
    assert (inferred.license, inferred.license_source) == ("MIT", "knowledge-base")
    assert any("inferred from an upstream source, not the Hub card (the Hub card was not read)" in n for n in inferred.notes)
    card = resolve("org/snapshot", tmp_path, offline=True, kb=snapshot_kb)
    assert (card.license, card.license_source) == ("Apache-2.0", "knowledge-base")
    assert "bundled snapshot of the Hub card: https://huggingface.co/org/snapshot (seen 2026-01-01)" in card.facts[0].detail


def test_an_inferred_value_stays_when_the_card_declares_none_and_says_so(hub, tmp_path, snapshot_kb):
    hub.model("org/inferred")  # the card has no license field
    component = resolve("org/inferred", tmp_path, kb=snapshot_kb)
    assert (component.license, component.license_source) == ("MIT", "knowledge-base")
    assert any("(the Hub card declares no license)" in n for n in component.notes)


# --------------------------------------------------------------------------------- two kinds of unknown


def test_a_card_without_a_license_is_declared_none(hub, tmp_path):
    hub.model("org/nolicense")
    hub.model("org/unknown", license="unknown")
    for repo, says in (("org/nolicense", "the card has no license field"), ("org/unknown", "license: unknown")):
        component = resolve(repo, tmp_path)
        assert (component.license, component.license_unknown) == (None, "declared-none")
        assert component.unknown_reason.startswith("Hub API ") and component.unknown_reason.endswith(says)


def test_license_other_without_a_name_is_not_a_declaration_of_none(hub, tmp_path):
    hub.model("org/other", license="other")
    component = resolve("org/other", tmp_path)
    assert component.license_unknown == "not-determined" and "license: other" in component.unknown_reason


@pytest.mark.parametrize(
    ("answer", "words"),
    [(403, "set HF_TOKEN"), (404, "HTTP 404"), (503, "rerun when it is reachable"), ("malformed", "huggingface-cli download")],
)
def test_a_hub_that_fails_leaves_it_not_determined_with_what_to_rerun(hub, tmp_path, answer, words):
    hub.answers["org/broken"] = answer
    component = resolve("org/broken", tmp_path)
    assert (component.license, component.license_unknown) == (None, "not-determined")
    assert words in component.unknown_reason


def test_offline_is_not_determined_and_says_rerun_online(tmp_path):
    component = resolve("org/never-seen", tmp_path, offline=True)
    assert component.license_unknown == "not-determined"
    assert "rerun without --offline" in component.unknown_reason
    assert "huggingface-cli download org/never-seen README.md" in component.unknown_reason
