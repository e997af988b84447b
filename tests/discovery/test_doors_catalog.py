"""Held-out projects per door (tests/fixtures/doors/<library>, tests/fixtures/holdout_doors/<case>, and the second,
independently written set tests/fixtures/holdout_doors2/<case>): the audit finds the right weights, their license, the
verdict and the exit code."""

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
# Written as users write them (README usage, other import styles, policies, flows); bench/doors_holdout.md lists them.
HOLDOUT = FIXTURES.parent / "holdout_doors"
HOLDOUT_CASES = sorted(p.name for p in HOLDOUT.iterdir() if (p / "expected.yaml").is_file())
# A second set written later by another hand, without reading the first (bench/doors_holdout2.md).
HOLDOUT2 = FIXTURES.parent / "holdout_doors2"
HOLDOUT2_CASES = sorted(p.name for p in HOLDOUT2.iterdir() if (p / "expected.yaml").is_file())
SEVERITY_ORDER = ("none", "info", "warning", "error")


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")


def _audit(project: Path, capsys, policy: str = "closed-source-saas") -> tuple[int, dict]:
    with pytest.raises(SystemExit) as done:
        main(["audit", str(project), "--format", "json", "--offline", "--python", "none", "--policy", policy])
    out, err = capsys.readouterr()
    assert done.value.code in (0, 1), err
    report = json.loads(out)
    jsonschema.validate(report, json.loads(schema_path().read_text()))
    return done.value.code, report


def _worst(report: dict, component_id: str) -> str:
    severities = [f["severity"] for f in report["findings"] if f["component"] == component_id]
    return max(severities, key=SEVERITY_ORDER.index, default="none")


@pytest.mark.parametrize("library", PROJECTS)
def test_wrapper_library_project(library, capsys):
    expected = yaml.safe_load((FIXTURES / library / "expected.yaml").read_text())
    _, report = _audit(FIXTURES / library, capsys)
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


@pytest.mark.parametrize(("folder", "case"), [(HOLDOUT, c) for c in HOLDOUT_CASES] + [(HOLDOUT2, c) for c in HOLDOUT2_CASES],
                         ids=[c for c in HOLDOUT_CASES] + [f"second-{c}" for c in HOLDOUT2_CASES])
def test_holdout_door_project(folder, case, capsys):
    expected = yaml.safe_load((folder / case / "expected.yaml").read_text())
    code, report = _audit(folder / case, capsys, expected["policy"])
    found = {c["id"]: c["license"] for c in report["components"]}
    for want in expected["components"]:
        assert want["id"] in found, f"{case}: {want['id']} not found; components: {sorted(found)}; unresolved: {report['unresolved']}"
        assert found[want["id"]] == want["license"], (case, want["id"], found[want["id"]])
    assert not set(expected.get("absent", ())) & set(found), (case, sorted(found))
    assert (report["verdict"], code) == (expected["verdict"], expected["exit_code"]), (case, report["findings"])


def test_holdout_covers_every_door():
    doors = {yaml.safe_load((HOLDOUT / case / "expected.yaml").read_text())["door"] for case in HOLDOUT_CASES}
    assert len(HOLDOUT_CASES) >= 149 and len(doors) >= 55, sorted(doors)


def test_second_holdout_covers_the_doors():
    doors = {yaml.safe_load((HOLDOUT2 / case / "expected.yaml").read_text())["door"] for case in HOLDOUT2_CASES}
    assert len(HOLDOUT2_CASES) >= 50 and len(doors) >= 25, sorted(doors)
