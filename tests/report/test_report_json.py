"""JSON report: contract shape, ordering, and validation against the published JSON Schema."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from vlicense.model import AuditResult
from vlicense.report import render
from vlicense.resources import schema_path


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("preset", ["closed-source-saas", "closed-source-binary", "internal", "open-source", "strict"])
def test_report_validates(make_result, validator, preset: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render("json", make_result(preset)))
    validator.validate(data)


def test_empty_report_validates(make_result, validator) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render("json", make_result(comps=[])))
    validator.validate(data)
    assert data["verdict"] == "pass" and data["components"] == [] and data["findings"] == []


def test_schema_is_strict(result: AuditResult, validator) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(render("json", result))
    for mutate in (
        lambda d: d.update(extra=1),
        lambda d: d.update(verdict="ok"),
        lambda d: d["components"][0].update(colour="red"),
        lambda d: d["findings"][0].update(severity="fatal"),
        lambda d: d["findings"][0].update(fingerprint="XYZ"),
        lambda d: d["components"][0].pop("license"),
        lambda d: d["unresolved"][0].pop("reason"),
        lambda d: d.update(schema_version=2),
    ):
        bad = copy.deepcopy(data)
        mutate(bad)
        assert not validator.is_valid(bad)


def test_contract_shape_and_order(result: AuditResult) -> None:
    data = json.loads(render("json", result))
    assert list(data) == [
        "schema_version",
        "schema_minor",
        "tool",
        "root",
        "context",
        "verdict",
        "components",
        "findings",
        "unresolved",
        "skipped",
        "stats",
    ]
    assert data["schema_version"] == 1 and data["schema_minor"] == 2 and data["tool"] == {"name": "vlicense", "version": "0.1.0"}
    assert data["context"] == {"policy": "closed-source-saas", "distribution": ["saas"], "commercial": True}
    assert data["verdict"] == "fail"
    ids = [c["id"] for c in data["components"]]
    assert ids == sorted(ids)
    pillow = next(c for c in data["components"] if c["id"] == "pypi:pillow")
    assert pillow["direct"] is False and pillow["introduced_by"] == [
        ["torchvision", "pillow"],
        ["ultralytics", "pillow"],
    ]
    ranks = {"error": 0, "warning": 1, "info": 2}
    keys = [(ranks[f["severity"]], f["rule"], f["component"]) for f in data["findings"]]
    assert keys == sorted(keys)
    agpl = next(f for f in data["findings"] if f["component"] == "ultralytics:yolo11n.pt")
    assert agpl["rule"] == "network-copyleft" and agpl["locations"] == [
        {"path": "app/detect.py", "line": 7, "snippet": 'model = YOLO("yolo11n.pt")'}
    ]
    assert "AGPL-3.0 section 13" in agpl["obligation"] and len(agpl["alternatives"]) >= 2
    choice = next(f for f in data["findings"] if f["rule"] == "license-choice")
    assert choice["chosen_branch"] == "MIT"
    nb = next(c for c in data["components"] if c["id"].startswith("timm:"))
    assert nb["locations"][0]["cell"] == 3
    assert data["unresolved"] == [
        {
            "path": "app/loader.py",
            "line": 21,
            "loader": "timm",
            "expression": "cfg.arch",
            "reason": "model name comes from a runtime value",
            "origins": [],
        }
    ]
    assert [s["path"] for s in data["skipped"]] == ["app/binary.py", "weights/broken.safetensors"]
    assert list(data["stats"]) == sorted(data["stats"])
