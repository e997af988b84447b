"""CycloneDX 1.6: valid per cyclonedx-python-lib, libraries and ML models with licenses, evidence and the dependency graph."""

from __future__ import annotations

import json
import sys

import pytest

from vlicense.errors import UsageError
from vlicense.model import AuditResult, Component, Location
from vlicense.report import cyclonedx, render

pytest.importorskip("cyclonedx", reason="cyclonedx-python-lib is the optional [sbom] extra")
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)


def bom_of(result: AuditResult) -> dict:
    text = render("cyclonedx", result)
    error = VALIDATOR.validate_str(text)
    assert error is None, str(error)
    return json.loads(text)


def test_validator_rejects_a_broken_document(result: AuditResult) -> None:
    data = json.loads(render("cyclonedx", result))
    data["components"][0]["type"] = "weights"
    assert VALIDATOR.validate_str(json.dumps(data)) is not None


def test_components_types_purls_and_licenses(result: AuditResult) -> None:
    data = bom_of(result)
    assert data["specVersion"] == "1.6" and data["bomFormat"] == "CycloneDX"
    comps = {c["bom-ref"]: c for c in data["components"]}
    assert set(comps) == {c.id for c in result.components}
    ul = comps["pypi:ultralytics"]
    assert ul["type"] == "library" and ul["purl"] == "pkg:pypi/ultralytics@8.4.190" and ul["version"] == "8.4.190"
    assert ul["licenses"] == [{"license": {"id": "AGPL-3.0-only", "acknowledgement": "declared"}}]
    model = comps["ultralytics:yolo11n.pt"]
    assert model["type"] == "machine-learning-model" and "purl" not in model
    assert comps["pypi:dual"]["licenses"] == [{"expression": "MIT OR GPL-3.0-only", "acknowledgement": "declared"}]
    assert "licenses" not in comps["pypi:mystery"]
    props = {(p["name"], p["value"]) for p in comps["pypi:mystery"]["properties"]}
    assert ("vlicense:license", "unknown") in props and ("vlicense:category", "unknown") in props
    assert comps["pypi:mystery"]["purl"] == "pkg:pypi/mystery"  # no version known: none invented


def test_hub_models_custom_licenses_and_scope(make_result) -> None:  # type: ignore[no-untyped-def]
    comps = [
        Component(id="hf:nvidia/segformer-b0-finetuned-ade-512-512", kind="model",
                  name="nvidia/segformer-b0-finetuned-ade-512-512", version="a1b2c3d", loader="huggingface",
                  license="LicenseRef-NVIDIA-SegFormer", license_source="policy-override", task="image-segmentation",
                  locations=[Location("seg.py", 6, snippet='pipeline("image-segmentation", model="nvidia/...")')]),
        Component(id="hf:org/unpinned", kind="model", name="org/unpinned", license="apache-2.0 AND LicenseRef-x",
                  scope="test", locations=[Location("tests/test_x.py", 2)]),
    ]
    data = bom_of(make_result(comps=comps))
    by_ref = {c["bom-ref"]: c for c in data["components"]}
    seg = by_ref["hf:nvidia/segformer-b0-finetuned-ade-512-512"]
    assert seg["purl"] == "pkg:huggingface/nvidia/segformer-b0-finetuned-ade-512-512@a1b2c3d"
    lic = seg["licenses"][0]["license"]
    assert lic["name"] == "LicenseRef-NVIDIA-SegFormer" and lic["url"].startswith("https://github.com/NVlabs/SegFormer")
    assert lic["acknowledgement"] == "concluded"  # a policy override is a decision, not a declaration
    assert seg["scope"] == "required"
    assert {"name": "vlicense:task", "value": "image-segmentation"} in seg["properties"]
    unpinned = by_ref["hf:org/unpinned"]
    assert unpinned["purl"] == "pkg:huggingface/org/unpinned" and unpinned["scope"] == "excluded"
    assert unpinned["licenses"] == [{"expression": "apache-2.0 AND LicenseRef-x", "acknowledgement": "declared"}]


def test_evidence_of_use(result: AuditResult) -> None:
    comps = {c["bom-ref"]: c for c in bom_of(result)["components"]}
    occurrences = comps["pypi:ultralytics"]["evidence"]["occurrences"]
    assert [(o["location"], o["line"]) for o in occurrences] == [("requirements.txt", 2), ("app/detect.py", 1)]
    assert occurrences[1]["additionalContext"] == "from ultralytics import YOLO"
    nb = comps["timm:convnextv2_tiny.fcmae_ft_in22k_in1k"]["evidence"]["occurrences"][0]
    assert nb["location"] == "notebooks/explore.ipynb" and nb["line"] == 12
    assert "evidence" not in comps["pypi:pillow"]  # transitive: no place in the project's own files


def test_dependency_graph(make_result) -> None:  # type: ignore[no-untyped-def]
    comps = [
        Component(id="pypi:torchvision", kind="library", name="torchvision", introduced_by=[["<project>", "torchvision"]]),
        Component(id="pypi:torch", kind="library", name="torch", direct=False,
                  introduced_by=[["<project>", "torchvision", "torch"]]),
        Component(id="pypi:pillow", kind="library", name="pillow", direct=False,
                  introduced_by=[["<project>", "torchvision", "pillow"], ["<project>", "Not-Installed", "pillow"]]),
        Component(id="torchvision:ResNet50_Weights.IMAGENET1K_V2", kind="model", name="ResNet50_Weights.IMAGENET1K_V2",
                  license="BSD-3-Clause", locations=[Location("app.py", 4)]),
    ]
    data = bom_of(make_result(comps=comps))
    deps = {d["ref"]: d.get("dependsOn", []) for d in data["dependencies"]}
    assert deps["project"] == ["pypi:torchvision", "torchvision:ResNet50_Weights.IMAGENET1K_V2"]
    assert deps["pypi:torchvision"] == ["pypi:pillow", "pypi:torch"]
    assert deps["pypi:torch"] == [] and deps["pypi:pillow"] == []
    assert "pypi:not-installed" not in deps  # a path step outside the inventory is not invented as a component
    assert data["metadata"]["component"]["bom-ref"] == "project"


def test_metadata_timestamp_and_serial_are_deterministic(make_result) -> None:  # type: ignore[no-untyped-def]
    first = bom_of(make_result())
    assert first["metadata"]["timestamp"] == "2026-11-29T00:00:00+00:00"
    assert first["metadata"]["tools"]["components"][0]["name"] == "vlicense"
    second = bom_of(make_result())
    assert first["serialNumber"] == second["serialNumber"]
    assert first["serialNumber"].startswith("urn:uuid:") and first["serialNumber"][23] == "5"  # a UUID5
    changed = make_result()
    changed.generated_at = "2026-11-30"
    assert bom_of(changed)["serialNumber"] != first["serialNumber"]


def test_purl_helper() -> None:
    assert cyclonedx.purl(Component(id="pypi:Ruamel_Yaml", kind="library", name="Ruamel_Yaml", version="0.18")) == (
        "pkg:pypi/ruamel-yaml@0.18"
    )
    assert cyclonedx.purl(Component(id="timm:resnet50.a1_in1k", kind="model", name="resnet50.a1_in1k")) is None


def test_missing_library_is_a_usage_error(result: AuditResult, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "cyclonedx" or m.startswith("cyclonedx.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "cyclonedx", None)  # import cyclonedx now raises ImportError
    with pytest.raises(UsageError) as info:
        render("cyclonedx", result)
    assert "pip install 'vlicense[sbom]'" in info.value.message()


def test_lineage_is_the_pedigree_of_a_fine_tune(make_result) -> None:  # type: ignore[no-untyped-def]
    from vlicense.model import LineageLink

    base = LineageLink(id="hf:facebook/dinov2-small", license="Apache-2.0", source="hub-snapshot",
                       relation="base_model", path=("local:models/tuned", "hf:facebook/dinov2-small"))
    grand = LineageLink(id="hf:org/root", license=None, source=None, relation="base_model",
                        path=("local:models/tuned", "hf:facebook/dinov2-small", "hf:org/root"))
    tuned = Component(id="local:models/tuned", kind="model", name="models/tuned", license="CC-BY-NC-4.0",
                      license_source="model-card", lineage=[base, grand], locations=[Location("app.py", 3)])
    plain = Component(id="hf:org/plain", kind="model", name="org/plain", license="MIT")
    data = bom_of(make_result(comps=[tuned, plain]))
    by_ref = {c["bom-ref"]: c for c in data["components"]}
    assert "pedigree" not in by_ref["hf:org/plain"]
    ancestors = by_ref["local:models/tuned"]["pedigree"]["ancestors"]
    assert [a["bom-ref"] for a in ancestors] == ["local:models/tuned#ancestor-001", "local:models/tuned#ancestor-002"]
    first = ancestors[0]
    assert first["name"] == "facebook/dinov2-small" and first["type"] == "machine-learning-model"
    assert first["licenses"] == [{"license": {"id": "Apache-2.0", "acknowledgement": "declared"}}]
    props = {p["name"]: p["value"] for p in first["properties"]}
    assert props["vlicense:relation"] == "base_model"
    assert props["vlicense:path"] == "local:models/tuned -> hf:facebook/dinov2-small"
    second = {p["name"]: p["value"] for p in ancestors[1]["properties"]}
    assert "licenses" not in ancestors[1] and second["vlicense:license"] == "unknown"
    assert render("cyclonedx", make_result(comps=[tuned, plain])) == render("cyclonedx", make_result(comps=[tuned, plain]))
