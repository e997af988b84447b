"""SARIF 2.1.0: valid against the official schema, one rule per policy rule id, results at file:line, stable fingerprints."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from vlicense.model import AuditResult, Component, Location
from vlicense.policy.rules import all_rule_ids
from vlicense.report import render, sarif

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)


def log_of(result: AuditResult) -> dict:
    data = json.loads(render("sarif", result))
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return data


def results_by_component(data: dict) -> dict[str, dict]:
    return {r["properties"]["component"]: r for r in data["runs"][0]["results"]}


def test_schema_itself_rejects_a_broken_log(result: AuditResult) -> None:
    """The validator is not a rubber stamp: a result without a message or with a bad level is rejected."""
    data = json.loads(render("sarif", result))
    del data["runs"][0]["results"][0]["message"]
    assert list(VALIDATOR.iter_errors(data))
    data = json.loads(render("sarif", result))
    data["runs"][0]["results"][0]["level"] = "fatal"
    assert list(VALIDATOR.iter_errors(data))


def test_driver_and_rules(result: AuditResult) -> None:
    data = log_of(result)
    assert data["version"] == "2.1.0"
    driver = data["runs"][0]["tool"]["driver"]
    assert driver["name"] == "vlicense" and driver["version"] == "0.1.0"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(ids) and set(all_rule_ids()) <= set(ids)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith("**")
        assert f"vlicense explain {rule['id']}" in rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")
        assert rule["name"][0].isupper() and "-" not in rule["name"]
    by_id = {r["id"]: r for r in driver["rules"]}
    assert by_id["network-copyleft"]["defaultConfiguration"]["level"] == "error"
    assert "| `saas` | error |" in by_id["network-copyleft"]["help"]["markdown"]
    assert by_id["license-choice"]["defaultConfiguration"]["level"] == "note"
    assert by_id["denied"]["defaultConfiguration"]["level"] == "error"
    # ruleIndex points at the rule the result names.
    for res in data["runs"][0]["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]


def test_results_at_file_and_line(result: AuditResult) -> None:
    data = log_of(result)
    results = results_by_component(data)
    assert len(data["runs"][0]["results"]) == len(result.findings)
    model = results["ultralytics:yolo11n.pt"]
    assert model["level"] == "error" and model["ruleId"] == "network-copyleft"
    loc = model["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "app/detect.py", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 7 and loc["region"]["snippet"]["text"] == 'model = YOLO("yolo11n.pt")'
    assert model["properties"]["license"] == "AGPL-3.0-only" and model["properties"]["category"] == "network-copyleft"
    assert "AGPL-3.0 section 13" in model["message"]["text"]
    lib = results["pypi:ultralytics"]
    assert lib["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "requirements.txt"
    assert lib["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 1
    nb = results["timm:convnextv2_tiny.fcmae_ft_in22k_in1k"]["locations"][0]["physicalLocation"]
    assert nb["artifactLocation"]["uri"] == "notebooks/explore.ipynb" and nb["region"]["startLine"] == 12
    assert results["pypi:mystery"]["level"] == "warning"
    assert results["pypi:dual"]["level"] == "note"
    assert all(
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == r["properties"]["component"]
        for r in data["runs"][0]["results"]
    )


def test_component_without_location_falls_back_to_manifest_then_project(make_result) -> None:  # type: ignore[no-untyped-def]
    comps = [
        Component(id="pypi:wrapper", kind="library", name="wrapper", license="MIT", introduced_by=[["<project>", "wrapper"]],
                  locations=[Location("src/app.py", 3), Location("requirements.txt", 5, snippet="wrapper")]),
        Component(id="pypi:gpl-lib", kind="library", name="gpl-lib", license="GPL-3.0-only", direct=False,
                  introduced_by=[["<project>", "wrapper", "gpl-lib"]]),
        Component(id="hf:org/nc-model", kind="model", name="org/nc-model", license="CC-BY-NC-4.0"),
    ]
    results = results_by_component(log_of(make_result("closed-source-binary", comps)))
    transitive = results["pypi:gpl-lib"]["locations"][0]["physicalLocation"]
    # Reported where the direct dependency that pulls it in is declared.
    assert transitive["artifactLocation"]["uri"] == "requirements.txt" and transitive["region"]["startLine"] == 5
    model = results["hf:org/nc-model"]["locations"][0]["physicalLocation"]
    assert model == {"artifactLocation": {"uri": "requirements.txt", "uriBaseId": "%SRCROOT%"}}  # the manifest, no region
    alone = results_by_component(log_of(make_result("closed-source-binary", comps[2:])))
    assert alone["hf:org/nc-model"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "./", "uriBaseId": "%SRCROOT%"}
    }


def test_fingerprints_stable_when_lines_move(make_result) -> None:  # type: ignore[no-untyped-def]
    first = results_by_component(log_of(make_result()))
    moved = make_result()
    for comp in moved.components:
        comp.locations = [Location(loc.path, loc.line + 40, snippet=loc.snippet) for loc in comp.locations]
    for finding in moved.findings:
        finding.locations = [Location(loc.path, loc.line + 40, snippet=loc.snippet) for loc in finding.locations]
    second = results_by_component(log_of(moved))
    assert first.keys() == second.keys()
    for key in first:
        assert first[key]["partialFingerprints"] == second[key]["partialFingerprints"]
        assert first[key]["partialFingerprints"][sarif.FINGERPRINT_KEY]
    assert second["ultralytics:yolo11n.pt"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 47
    # Different findings never share a fingerprint.
    prints = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in first.values()]
    assert len(prints) == len(set(prints))


def test_uris_are_encoded_and_hostile_paths_stay_relative(make_result) -> None:  # type: ignore[no-untyped-def]
    comp = Component(id="file:my weights/a#1.pt", kind="model", name="a#1.pt", license="CC-BY-NC-4.0",
                     locations=[Location("/my weights/a#1.pt", 0)])
    res = results_by_component(log_of(make_result(comps=[comp])))["file:my weights/a#1.pt"]
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "my%20weights/a%231.pt" and "region" not in loc


def test_not_examined_items_become_notifications(result: AuditResult) -> None:
    run = log_of(result)["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    texts = [n["message"]["text"] for n in notes]
    assert "Skipped app/binary.py: not UTF-8" in texts
    assert any(t.startswith("Unresolved timm model reference cfg.arch") for t in texts)
    assert "Source offline: hf-hub" in texts
    assert run["properties"]["verdict"] == "fail" and run["properties"]["policy"] == "closed-source-saas"


def test_pass_log_is_valid_with_no_results(make_result) -> None:  # type: ignore[no-untyped-def]
    data = log_of(make_result(comps=[]))
    assert data["runs"][0]["results"] == []
    assert len(data["runs"][0]["tool"]["driver"]["rules"]) >= len(all_rule_ids())


@pytest.mark.parametrize("severity,expected", [("error", "error"), ("warning", "warning"), ("info", "note"), ("ignore", "none")])
def test_level_mapping(severity: str, expected: str) -> None:
    assert sarif.level(severity) == expected
