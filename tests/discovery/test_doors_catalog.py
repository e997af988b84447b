"""Held-out projects per wrapper library (tests/fixtures/doors/<library>): the audit finds the right weights, their license and verdict."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from vlicense.cli import main
from vlicense.resources import schema_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "doors"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.yaml").is_file())
SEVERITY_ORDER = ("none", "info", "warning", "error")


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")


def _audit(project: Path, capsys) -> dict:
    with pytest.raises(SystemExit) as done:
        main(["audit", str(project), "--format", "json", "--offline", "--python", "none", "--policy", "closed-source-saas"])
    out, err = capsys.readouterr()
    assert done.value.code in (0, 1), err
    report = json.loads(out)
    jsonschema.validate(report, json.loads(schema_path().read_text()))
    return report


def _worst(report: dict, component_id: str) -> str:
    severities = [f["severity"] for f in report["findings"] if f["component"] == component_id]
    return max(severities, key=SEVERITY_ORDER.index, default="none")


@pytest.mark.parametrize("library", PROJECTS)
def test_wrapper_library_project(library, capsys):
    expected = yaml.safe_load((FIXTURES / library / "expected.yaml").read_text())
    report = _audit(FIXTURES / library, capsys)
    found = {c["id"]: c for c in report["components"]}
    for want in expected["components"]:
        assert want["id"] in found, f"{library}: {want['id']} not found; components: {sorted(found)}; unresolved: {report['unresolved']}"
        assert found[want["id"]]["license"] == want["license"], (library, want["id"], found[want["id"]]["license"])
        assert _worst(report, want["id"]) == want["severity"], (library, want["id"], report["findings"])
    for absent in expected.get("absent", ()):
        assert absent not in found, f"{library}: {absent} must not be reported (weights=None loads nothing)"
    assert report["verdict"] == expected["verdict"], (library, report["findings"])


def test_every_library_project_has_expectations():
    assert len(PROJECTS) >= 20
    for library in PROJECTS:
        assert any(p.suffix in (".py", ".sh") for p in (FIXTURES / library).rglob("*")), library
