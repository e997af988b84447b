"""Weight components get metadata facts, lineage, security and tool-stamp signals; the license is re-merged."""

from __future__ import annotations

import os
import pickle

import pytest
from weight_files import (
    ULTRALYTICS_STAMP,
    SystemCall,
    gguf_kv_string,
    gguf_kv_u32,
    touch_command,
    ultralytics_checkpoint,
    write_gguf,
    write_onnx,
    write_safetensors,
    write_torch_zip,
)

from vlicense.model import Component, LicenseFact
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.resolution.weights_enrich import (
    STAMP_MESSAGE,
    enrich_weight_components,
    kb_base_identifier,
)


@pytest.fixture(scope="module")
def kb():
    return KnowledgeBase.load()


def weight(rel: str, facts: list[LicenseFact] | None = None) -> Component:
    component = Component(id=f"file:{rel}", kind="model", name=rel, loader="file", facts=list(facts or []))
    return component


def local(rel: str) -> Component:
    return Component(id=f"local:{rel}", kind="model", name=rel, loader="huggingface")


def kinds(component: Component) -> list[str]:
    return sorted(s.kind for s in component.signals)


def facts(component: Component, source: str) -> list[LicenseFact]:
    return [f for f in component.facts if f.source == source]


def test_finetune_of_official_asset_inherits_its_license(tmp_path, kb):
    write_torch_zip(tmp_path / "runs/best.pt", ultralytics_checkpoint("yolov8n.pt"))
    component = weight("runs/best.pt")
    skipped = enrich_weight_components([component], tmp_path, kb)
    assert skipped == []
    assert component.base_models == ["ultralytics:yolov8n.pt"]
    assert facts(component, "lineage") == [
        LicenseFact("lineage", "AGPL-3.0-only", "fine-tuned from ultralytics:yolov8n.pt (AGPL-3.0-only, knowledge base)")
    ]
    assert (component.license, component.license_source) == ("AGPL-3.0-only", "lineage")
    assert kinds(component) == ["tool-stamp"]
    assert component.signals[0].message == STAMP_MESSAGE
    assert "saved by ultralytics 8.1.0 (pytorch-zip metadata)" in component.notes


def test_stamp_never_becomes_a_license_by_itself(tmp_path, kb):
    # Fine-tuned from YOLO-NAS (Deci's license): the AGPL stamp Ultralytics wrote must not win.
    write_torch_zip(tmp_path / "nas.pt", ultralytics_checkpoint("yolo_nas_s.pt"))
    component = weight("nas.pt")
    enrich_weight_components([component], tmp_path, kb)
    assert component.license == "LicenseRef-Deci-YOLO-NAS"
    stamp_facts = facts(component, "weight-metadata")
    assert [f.license for f in stamp_facts] == [None]
    assert "tool stamp" in stamp_facts[0].detail


def test_from_scratch_with_stamp_stays_unknown(tmp_path, kb):
    write_torch_zip(tmp_path / "scratch.pt", ultralytics_checkpoint("yolov8n.yaml"))
    component = weight("scratch.pt")
    enrich_weight_components([component], tmp_path, kb)
    assert component.license is None
    assert component.base_models == []
    assert kinds(component) == ["tool-stamp"]
    assert any("trained from scratch" in n for n in component.notes)


def test_unknown_starting_weights_keep_lineage_unknown(tmp_path, kb):
    write_torch_zip(tmp_path / "b.pt", ultralytics_checkpoint("runs/detect/train3/weights/last.pt"))
    component = weight("b.pt")
    enrich_weight_components([component], tmp_path, kb)
    assert component.base_models == ["ultralytics:last.pt"]
    assert facts(component, "lineage") == [LicenseFact("lineage", None, "fine-tuned from ultralytics:last.pt (license unknown)")]
    assert component.license is None


def test_unsafe_pickle_signal_and_nothing_runs(tmp_path, kb):
    canary = tmp_path / "canary"
    raw = pickle.dumps({"model": SystemCall(touch_command(canary))}, protocol=2)
    write_torch_zip(tmp_path / "evil.pt", None, raw_pickle=raw)
    component = weight("evil.pt")
    enrich_weight_components([component], tmp_path, kb)
    assert not canary.exists()
    assert kinds(component) == ["unsafe-pickle"]
    assert "system" in component.signals[0].message and "nothing was executed" in component.signals[0].detail


def test_safetensors_license_and_hub_base(tmp_path, kb):
    write_safetensors(tmp_path / "m.safetensors", {"license": "cc-by-nc-4.0", "base_model": "facebook/dinov2-base"})
    component = weight("m.safetensors")
    enrich_weight_components([component], tmp_path, kb)
    assert facts(component, "weight-metadata")[0].license == "CC-BY-NC-4.0"
    assert component.base_models == ["hf:facebook/dinov2-base"]
    # The file's own declaration decides; the base's license is carried as a lineage link, never a rival source.
    assert component.license == "CC-BY-NC-4.0" and component.license_source == "weight-metadata"
    assert not any(n.startswith("sources disagree") for n in component.notes)
    assert [(link.id, link.license, link.relation) for link in component.lineage] == [
        ("hf:facebook/dinov2-base", "Apache-2.0", "weight-metadata")]
    assert "license-drift" not in kinds(component)  # NC is stricter than the base: no drift


def test_more_permissive_than_base_is_license_drift(tmp_path, kb):
    write_safetensors(tmp_path / "m.safetensors", {"license": "mit", "base_model": "yolov8n.pt"})
    component = weight("m.safetensors")
    enrich_weight_components([component], tmp_path, kb)
    assert kinds(component) == ["license-drift"]
    assert "declares MIT" in component.signals[0].message and "AGPL-3.0-only" in component.signals[0].message


def test_free_text_license_is_unknown_not_a_licenseref(tmp_path, kb):
    write_safetensors(tmp_path / "m.safetensors", {"license": "see the file next to it, ask legal"})
    component = weight("m.safetensors")
    enrich_weight_components([component], tmp_path, kb)
    assert facts(component, "weight-metadata")[0].license is None
    assert component.license is None


def test_gguf_other_license_uses_its_name(tmp_path, kb):
    write_gguf(
        tmp_path / "m.gguf",
        [gguf_kv_string("general.license", "other"), gguf_kv_string("general.license.name", "acme-model-license"),
         gguf_kv_u32("general.base_model.count", 0)],
    )
    component = weight("m.gguf")
    enrich_weight_components([component], tmp_path, kb)
    assert component.license == "LicenseRef-acme-model-license"


def test_onnx_export_stamp_is_a_signal_and_filename_fact_still_counts(tmp_path, kb):
    write_onnx(tmp_path / "yolov8n.onnx", {"author": "Ultralytics", "license": ULTRALYTICS_STAMP, "version": "8.3.1"})
    kb_fact = LicenseFact("knowledge-base", "AGPL-3.0-only", "file name matches an official asset")
    component = weight("yolov8n.onnx", [kb_fact])
    enrich_weight_components([component], tmp_path, kb)
    assert kinds(component) == ["tool-stamp"]
    assert component.license == "AGPL-3.0-only" and component.license_source == "knowledge-base"


def test_custom_identify_base_is_used(tmp_path, kb):
    write_torch_zip(tmp_path / "a.pt", ultralytics_checkpoint("acme/detector"))
    calls = []

    def identify(raw):
        calls.append(raw)
        return "hf:acme/detector", LicenseFact("hf-hub", "CC-BY-NC-4.0", "Hub card")

    component = weight("a.pt")
    enrich_weight_components([component], tmp_path, kb, identify)
    assert calls == ["acme/detector"]
    assert component.license == "CC-BY-NC-4.0"
    assert facts(component, "lineage")[0].detail == "fine-tuned from hf:acme/detector (CC-BY-NC-4.0, Hugging Face Hub)"


def test_unreadable_file_is_skipped_with_a_note(tmp_path, kb):
    (tmp_path / "yolov8n.pt").write_bytes(b"\x80\x04garbage")
    kb_fact = LicenseFact("knowledge-base", "AGPL-3.0-only", "official asset name")
    component = weight("yolov8n.pt", [kb_fact])
    skipped = enrich_weight_components([component], tmp_path, kb)
    assert [s.path for s in skipped] == ["yolov8n.pt"]
    assert "not a readable pickle" in skipped[0].reason
    assert any(n.startswith("weight metadata not read") for n in component.notes)
    assert component.license == "AGPL-3.0-only"  # what was known before stays


def test_symlink_outside_root_and_fifo_are_not_read(tmp_path, kb):
    project = tmp_path / "project"
    project.mkdir()
    outside = write_torch_zip(tmp_path / "outside.pt", ultralytics_checkpoint())
    (project / "link.pt").symlink_to(outside)
    os.mkfifo(project / "pipe.pt")
    components = [weight("link.pt"), weight("pipe.pt"), weight("missing.pt")]
    skipped = enrich_weight_components(components, project, kb)
    assert [(s.path, s.reason) for s in skipped] == [
        ("link.pt", "resolves outside the project (symlink); not read"),
        ("pipe.pt", "not a regular file"),
    ]
    assert all(c.base_models == [] for c in components)
    # A weight the code expects but the tree does not hold is not a file that was skipped: identification says
    # it is not in the project, and its license stays unknown.
    assert components[2].notes == [] and components[2].license is None


def test_paths_outside_the_project_are_run_time_paths_never_read_nor_skipped(tmp_path, kb):
    # yolov7's notebooks load /content/yolov7/x.onnx (Colab), ByteTrack's demo ../../bytetrack_s.onnx: files on
    # the machine that runs the code. Even when the auditing machine has a file there, it is not read.
    project = tmp_path / "project"
    project.mkdir()
    write_torch_zip(tmp_path / "sibling.pt", ultralytics_checkpoint())
    components = [weight("../sibling.pt"), weight(str(tmp_path / "sibling.pt")), weight("sub/../../sibling.pt")]
    assert enrich_weight_components(components, project, kb) == []
    assert all(c.notes == [] and c.license is None and c.facts == [] for c in components)


def test_other_components_are_untouched(tmp_path, kb):
    hub = Component(id="hf:org/name", kind="model", name="org/name")
    lib = Component(id="pypi:file", kind="library", name="file")
    enrich_weight_components([hub, lib], tmp_path, kb)
    assert hub.facts == [] and lib.facts == [] and hub.notes == [] and lib.notes == []


# ----------------------------------------------------------------------------------------- directories


def test_local_model_directory_card(tmp_path, kb):
    folder = tmp_path / "models/detector"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(
        "---\nlicense: other\nlicense_name: acme-research\nlicense_link: LICENSE\nbase_model:\n"
        "- google/vit-base-patch16-224\n---\n# Detector\n"
    )
    (folder / "config.json").write_text('{"_name_or_path": "something/else"}')
    component = local("models/detector")
    enrich_weight_components([component], tmp_path, kb)
    own = facts(component, "weight-metadata")[0]
    assert own.license == "LicenseRef-acme-research" and "license_name: 'acme-research'" in own.detail
    assert component.base_models == ["hf:google/vit-base-patch16-224"]  # the card wins over _name_or_path
    assert facts(component, "lineage")[0].license == "Apache-2.0"


def test_local_directory_name_or_path_only_when_a_hub_id(tmp_path, kb):
    hub = tmp_path / "a"
    hub.mkdir()
    (hub / "config.json").write_text('{"_name_or_path": "google/vit-base-patch16-224"}')
    path_only = tmp_path / "b"
    path_only.mkdir()
    (path_only / "config.json").write_text('{"_name_or_path": "/home/me/outputs/checkpoint-500"}')
    a, b = local("a"), local("b")
    enrich_weight_components([a, b], tmp_path, kb)
    assert a.base_models == ["hf:google/vit-base-patch16-224"] and a.license == "Apache-2.0"
    assert b.base_models == [] and b.license is None and facts(b, "lineage") == []


def test_local_directory_license_file_and_bad_card(tmp_path, kb):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: [unclosed\n---\n")
    (folder / "config.json").write_text("{not json")
    mit = (
        "MIT License\n\nCopyright (c) 2024 Acme\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n"
        "of this software and associated documentation files (the \"Software\"), to deal\nin the Software without restriction, "
        "including without limitation the rights\nto use, copy, modify, merge, publish, distribute, sublicense, and/or sell\n"
        "copies of the Software, and to permit persons to whom the Software is\nfurnished to do so, subject to the following "
        "conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial "
        "portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, "
        "INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\nFITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. "
        "IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN "
        "ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER "
        "DEALINGS IN THE\nSOFTWARE.\n"
    )
    (folder / "LICENSE").write_text(mit)
    component = local("m")
    skipped = enrich_weight_components([component], tmp_path, kb)
    assert sorted(s.path for s in skipped) == ["m/README.md", "m/config.json"]
    assert component.license == "MIT"
    assert facts(component, "weight-metadata") == [LicenseFact("weight-metadata", "MIT", "LICENSE file in the model directory")]


def test_local_card_without_a_license_is_declared_none_and_a_bare_folder_not_determined(tmp_path, kb):
    for name, card in (("silent", "---\nlibrary_name: transformers\n---\n"), ("unknown", "---\nlicense: unknown\n---\n"),
                       ("bad", "---\nlicense: [unclosed\n---\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "README.md").write_text(card)
    (tmp_path / "bare").mkdir()
    silent, unknown, bad, bare = (local(n) for n in ("silent", "unknown", "bad", "bare"))
    enrich_weight_components([silent, unknown, bad, bare], tmp_path, kb)
    assert (silent.license, silent.license_unknown) == (None, "declared-none")
    assert "README.md front matter has no license field" in silent.unknown_reason
    assert (unknown.license, unknown.license_unknown) == (None, "declared-none")
    assert (bad.license_unknown, bare.license_unknown) == ("not-determined", "not-determined")
    assert "bad/README.md was not read" in bad.unknown_reason
    assert "no model card (README.md) or LICENSE file" in bare.unknown_reason


def test_a_weight_file_without_license_metadata_is_not_determined(tmp_path, kb):
    write_safetensors(tmp_path / "m.safetensors", {"format": "pt"})
    component = weight("m.safetensors")
    enrich_weight_components([component], tmp_path, kb)
    assert (component.license, component.license_unknown) == (None, "not-determined")
    assert "no standard license field" in component.unknown_reason


def test_checkpoint_lineage_keeps_the_file_s_own_license_and_carries_the_start_s_terms(tmp_path, kb):
    write_torch_zip(tmp_path / "best.pt", ultralytics_checkpoint("yolov8n.pt", license_text="MIT"))
    component = weight("best.pt")
    enrich_weight_components([component], tmp_path, kb)
    assert (component.license, component.license_source) == ("MIT", "weight-metadata")
    assert [(link.id, link.license, link.relation, link.path) for link in component.lineage] == [
        ("ultralytics:yolov8n.pt", "AGPL-3.0-only", "train_args.model", ("file:best.pt", "ultralytics:yolov8n.pt"))]
    assert kinds(component) == ["license-drift"]


def test_kb_base_identifier_lookalikes(kb):
    identify = kb_base_identifier(kb)
    assert identify("yolov8n.pt")[0] == "ultralytics:yolov8n.pt"
    assert identify("/abs/path/yolov8n.pt")[1].license == "AGPL-3.0-only"
    assert identify("https://huggingface.co/facebook/dinov2-base")[0] == "hf:facebook/dinov2-base"
    assert identify("resnet50") == ("", None)
    assert identify("../../etc/passwd") == ("", None)
    assert identify("yolov8n.yaml") == ("", None)


def test_hub_base_identifier_prefers_the_hub_answer_by_precedence(kb):
    from types import SimpleNamespace

    from vlicense.resolution.weights_enrich import hub_base_identifier

    asked = []

    class FakeHub:
        def lookup(self, repo, revision=None):
            asked.append(repo)
            return SimpleNamespace(facts=[LicenseFact("hf-hub", "MIT", "card")] if repo == "acme/x" else [])

    identify = hub_base_identifier(kb, FakeHub())
    assert identify("acme/x") == ("hf:acme/x", LicenseFact("hf-hub", "MIT", "card"))
    # No Hub answer: the knowledge base's fact stands; weight-file names never reach the Hub.
    assert identify("facebook/dinov2-base")[1].source == "knowledge-base"
    assert identify("yolov8n.pt")[0] == "ultralytics:yolov8n.pt"
    assert asked == ["acme/x", "facebook/dinov2-base"]
