"""Curated KB files: every fact has a source and a date, licenses are well-formed, curated agrees with generated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from license_expression import get_spdx_licensing

from vlicense.knowledge.knowledge_base import KnowledgeBase, normalize_raw_license
from vlicense.resolution.hub_license import hub_license_to_id
from vlicense.resources import kb_dir

DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
LICENSEREF = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")

# Curated entries that deliberately disagree with what the generated tables say, and why.
KNOWN_OVERRIDES = {
    # upstream openai/CLIP is MIT; timm inherits apache-2.0 from its vision_transformer _cfg default
    "timm:vit_base_patch16_clip_224.openai",
    "timm:vit_base_patch16_clip_quickgelu_224.openai",
    "timm:vit_base_patch32_clip_224.openai",
    "timm:vit_base_patch32_clip_quickgelu_224.openai",
    "timm:vit_large_patch14_clip_224.openai",
    "timm:vit_large_patch14_clip_336.openai",
    "timm:vit_large_patch14_clip_quickgelu_224.openai",
    "timm:vit_large_patch14_clip_quickgelu_336.openai",
    # upstream Apache-2.0 weights hosted in the AGPL-3.0 assets repo (noted as conflicts)
    "ultralytics:rtdetr-l.pt",
}


def _yaml(name: str) -> dict:
    return yaml.safe_load((kb_dir() / f"{name}.yaml").read_text(encoding="utf-8"))


def _entries() -> list[tuple[str, dict]]:
    models = _yaml("models")
    out = [(f"models:{k}", v) for k, v in models["models"].items()]
    out += [
        (f"ultralytics_families:{k}", v)
        for k, v in models["ultralytics_families"].items()
    ]
    out += [(f"libraries:{k}", v) for k, v in _yaml("libraries")["libraries"].items()]
    out += [(f"hub_models:{k}", v) for k, v in _yaml("hub_models")["models"].items()]
    return out


def _hub_entries() -> list[tuple[str, dict]]:
    return list(_yaml("hub_models")["models"].items())


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def assert_license_well_formed(value: str | None) -> None:
    if value is None:
        return
    licensing = get_spdx_licensing()
    parsed = licensing.parse(value)
    for symbol in licensing.license_symbols(parsed):
        key = symbol.key
        if key.startswith("LicenseRef-"):
            assert LICENSEREF.match(key), value
        elif getattr(symbol, "is_exception", False):
            assert key in licensing.known_symbols, (value, key)
        else:
            assert licensing.validate(key).errors == [], (value, key)
            assert licensing.parse(key).render() == key, (
                f"{key} is not the canonical SPDX spelling"
            )


@pytest.mark.parametrize(("where", "entry"), _entries(), ids=[w for w, _ in _entries()])
def test_every_curated_fact_has_source_and_date(where: str, entry: dict) -> None:
    assert isinstance(entry.get("source"), str) and entry["source"].strip(), where
    assert DATE.match(str(entry.get("date") or entry.get("seen") or "")), where
    assert "license" in entry, where
    assert_license_well_formed(entry["license"])


def test_import_names_have_source_and_date() -> None:
    doc = _yaml("import_names")
    assert doc["source"] and DATE.match(str(doc["date"]))
    assert len(doc["import_names"]) >= 100


def test_generated_files_carry_provenance(kb: KnowledgeBase) -> None:
    versions = kb.versions()
    for name in ("timm", "torchvision", "ultralytics", "open_clip"):
        info = versions[name]
        assert info["library"] == name and info["version"] and info["method"], name
        assert DATE.match(info["date"]) and info["count"] > 0, name
    assert versions["models"]["count"] >= 100 and versions["libraries"]["count"] >= 80
    # The offline Hub snapshot (issue 10): at least 300 Hub models, most of them read from their own card.
    hub = versions["hub_models"]
    assert hub["count"] >= 300 and hub["card"] * 4 >= hub["count"] * 3, hub


def test_curated_timm_and_torchvision_agree_with_generated(kb: KnowledgeBase) -> None:
    for cid in kb.model_ids():
        kind, _, rest = cid.partition(":")
        curated = kb.model(cid)
        if kind == "timm":
            generated = kb.timm_tag(rest)
        elif kind == "torchvision":
            generated = kb.torchvision_weight(rest)
        elif kind == "ultralytics":
            assert rest in kb.ultralytics_assets(), (
                cid
            )  # curated assets must be official ones
            continue
        else:
            continue
        assert generated is not None, (
            f"{cid} is not in the generated table (renamed upstream?)"
        )
        if cid in KNOWN_OVERRIDES:
            assert curated.license != generated.license and curated.note, cid
        else:
            assert curated.license == generated.license, cid


def test_override_list_is_not_stale(kb: KnowledgeBase) -> None:
    assert KNOWN_OVERRIDES <= kb.model_ids()


def test_hub_models_cover_the_vision_tasks(kb: KnowledgeBase) -> None:
    hub = [kb.model(cid) for cid in kb.model_ids() if cid.startswith("hf:")]
    assert len(hub) >= 70
    tasks = {fact.task for fact in hub}
    for task in (
        "object-detection",
        "image-segmentation",
        "image-classification",
        "depth-estimation",
        "zero-shot-image-classification",
        "image-to-text",
        "mask-generation",
        "image-feature-extraction",
    ):
        assert task in tasks
    assert all(fact.basis in ("card", "inferred") for fact in hub)


@pytest.mark.parametrize(("key", "entry"), _hub_entries(), ids=[k for k, _ in _hub_entries()])
def test_every_hub_entry_says_where_and_when_its_value_was_read(key: str, entry: dict) -> None:
    assert key.startswith("hf:") and entry["page"] == f"https://huggingface.co/{key[3:]}", key
    assert DATE.match(str(entry["seen"])), key
    assert entry["basis"] in ("card", "inferred"), key
    if entry["basis"] == "card":
        # The card's own value is kept as the Hub shows it, and the license is what the live resolver makes of it.
        assert "raw" in entry, key
        assert entry["license"] == hub_license_to_id(entry["raw"], entry.get("license_name"), entry.get("license_link")), key
        if entry["raw"] == "other":
            assert entry.get("license_name") or entry.get("license_link"), key
    else:
        # An inferred value names the upstream source it comes from, beyond the Hub page itself.
        assert entry["source"].replace(entry["page"], "").strip(" ;"), key


def test_hub_snapshot_is_its_own_file() -> None:
    models = _yaml("models")["models"]
    hub = _yaml("hub_models")["models"]
    assert not [k for k in models if k.startswith("hf:")]  # every Hub model lives in hub_models.yaml
    assert all(k.startswith("hf:") for k in hub)
    lowered = [k.lower() for k in hub]
    assert len(lowered) == len(set(lowered))  # Hub ids are case-insensitive: one entry per model


def test_hub_lookup_is_case_insensitive_but_exact(kb: KnowledgeBase) -> None:
    assert (
        kb.hub_model("NVIDIA/SegFormer-b0-finetuned-ade-512-512").license
        == "LicenseRef-NVIDIA-SegFormer"
    )
    assert kb.hub_model("nvidia/segformer-b0-finetuned-ade-512") is None
    assert kb.hub_model("someone/detr-resnet-50") is None
    # timm/ Hub repos fall back to the timm table
    assert (
        kb.model("hf:timm/convnextv2_tiny.fcmae_ft_in22k_in1k").license
        == "CC-BY-NC-4.0"
    )
    assert kb.model("hf:timm/no_such_model.tag") is None


def test_torchhub(kb: KnowledgeBase) -> None:
    assert kb.torchhub("Ultralytics/YOLOv5", "yolov5s").license == "AGPL-3.0-only"
    assert (
        kb.torchhub("facebookresearch/SWAG", "vit_h14_in1k").license == "CC-BY-NC-4.0"
    )
    assert (
        kb.torchhub("facebookresearch/dinov2:main", "dinov2_vits14").license
        == "Apache-2.0"
    )
    vit = kb.torchhub("pytorch/vision", "vit_b_16")
    assert vit.license == "BSD-3-Clause" and "IMAGENET1K_SWAG_E2E_V1" in vit.note
    assert (
        "SWAG_E2E"
        not in kb.torchhub("pytorch/vision", "resnet18").note.split("own license:")[-1]
    )
    assert kb.torchhub("someone/yolov5", "yolov5s") is None


def test_app_shape_libraries_resolve_offline(kb: KnowledgeBase) -> None:
    # CLIs, settings and services around a model (typer, pydantic-settings, python-dotenv, FastAPI uploads) are
    # the usual shape of an app: offline, their imports must not leave an unknown-license warning.
    expected = {
        "typer": "MIT", "pydantic-settings": "MIT", "python-dotenv": "BSD-3-Clause", "python-multipart": "Apache-2.0",
        "rich": "MIT", "loguru": "MIT", "fire": "Apache-2.0", "jsonargparse": "MIT",
    }  # fmt: skip
    for dist, spdx in expected.items():
        fact = kb.library(dist)
        assert fact is not None and fact.license == spdx, dist
        assert "wheel METADATA" in fact.source, dist
    for module, dist in {"typer": "typer", "pydantic_settings": "pydantic-settings", "dotenv": "python-dotenv",
                         "multipart": "python-multipart", "loguru": "loguru", "fire": "fire"}.items():
        assert kb.distribution_for_import(module) == dist, module


def test_libraries_and_import_names(kb: KnowledgeBase) -> None:
    assert kb.library("PyYAML") == kb.library("pyyaml") == kb.library("PyYaml")
    assert kb.library("opencv_python").license == "Apache-2.0"
    assert kb.library("pillow").license == "MIT-CMU"
    assert kb.library("psycopg2").license == "LGPL-3.0-or-later"
    assert kb.library("PyQt5").license == "GPL-3.0-only"
    assert kb.library("pyside6").license == "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"  # its wheel (Qt: or commercial)
    assert kb.library("not-a-real-dist-xyz") is None
    assert kb.distribution_for_import("cv2") == "opencv-python"
    assert kb.distribution_for_import("PIL") == "pillow"
    assert kb.distribution_for_import("sklearn.linear_model") == "scikit-learn"
    assert kb.distribution_for_import("yaml") == "pyyaml"
    assert kb.distribution_for_import("google.protobuf.message") == "protobuf"
    assert kb.distribution_for_import("open_clip") == "open-clip-torch"
    assert kb.distribution_for_import("scipy") == "scipy"
    assert (
        kb.distribution_for_import("google.cloud") is None
    )  # look-alike prefix of google.protobuf
    assert kb.distribution_for_import("my_internal_pkg") is None
    # Namespace packages: an explicit entry wins, else Google's/Azure's naming convention; "hydra" is hydra-core.
    assert kb.distribution_for_import("google.protobuf.message") == "protobuf"
    assert kb.distribution_for_import("google.colab") == "google-colab"
    assert kb.distribution_for_import("google.cloud.storage") == "google-cloud-storage"
    assert kb.distribution_for_import("azure.storage.blob") == "azure-storage-blob"
    assert kb.distribution_for_import("azure.identity") == "azure-identity"
    assert kb.distribution_for_import("google") is None
    assert kb.distribution_for_import("hydra") == "hydra-core"
    assert len(kb._libraries) >= 80


def test_every_library_entry_has_a_valid_spdx_license_source_and_date() -> None:
    """libraries.yaml (curated and generated from wheels): one entry per distribution, each answering a license."""
    from packaging.utils import canonicalize_name

    from vlicense.resolution import spdx

    libraries = _yaml("libraries")["libraries"]
    assert len({canonicalize_name(name) for name in libraries}) == len(libraries)
    for name, entry in libraries.items():
        assert isinstance(entry["license"], str) and spdx.is_valid(entry["license"]), name
        assert get_spdx_licensing().validate(entry["license"]).errors == [] or "LicenseRef-" in entry["license"], name
        assert str(entry["source"]).strip() and DATE.match(str(entry["date"])), name
    assert len(libraries) >= 400


def test_load_from_a_custom_directory(tmp_path: Path) -> None:
    (tmp_path / "models.yaml").write_text(
        "models:\n  'hf:acme/model':\n    license: MIT\n    source: https://example.invalid/acme\n    date: 2026-01-02\n",
        encoding="utf-8",
    )
    kb = KnowledgeBase.load(tmp_path)
    fact = kb.model("hf:acme/model")
    assert (
        fact.license == "MIT" and fact.date == "2026-01-02"
    )  # YAML dates come back as text
    assert (
        kb.model("timm:resnet50.a1_in1k") is None
    )  # no generated tables in that directory
    assert KnowledgeBase.load(tmp_path) is kb  # cached per directory


def test_every_emitted_license_is_well_formed(kb: KnowledgeBase) -> None:
    emitted = {kb.timm_tag(n).license for n in kb._timm["tags"]}
    emitted |= {kb.torchvision_weight(k).license for k in kb._tv["weights"]}
    emitted |= {kb.ultralytics_asset(n).license for n in kb.ultralytics_assets()}
    emitted |= {kb.model(cid).license for cid in kb.model_ids()}
    emitted |= {kb.library(n).license for n in kb._libraries}
    for value in emitted:
        assert_license_well_formed(value)
    assert normalize_raw_license("apple-amlr") in emitted


@pytest.mark.parametrize(("section", "key", "prefix"), [("weight_urls", "url", "^https://"), ("weight_files", "file", "^(?P<name>")])
def test_weight_url_and_file_rules_have_source_and_a_license_fact(kb: KnowledgeBase, section, key, prefix) -> None:
    # Each rule of models.yaml weight_urls/weight_files maps a download URL or an official file name to a component
    # id the knowledge base answers for.
    rules = _yaml("models")[section]
    assert len(rules) >= 4
    for rule in rules:
        assert isinstance(rule.get("source"), str) and rule["source"].strip() and DATE.match(str(rule["date"])), rule
        pattern = re.compile(rule[key])
        assert pattern.pattern.startswith(prefix) and pattern.pattern.endswith("$"), rule
        sample = rule["id"].format(**{name: "x" for name in pattern.groupindex})
        assert kb.model(sample) is not None, f"{sample}: no knowledge-base fact for what {rule['url']} downloads"
