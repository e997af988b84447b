"""End to end: `vlicense audit` with HF_ENDPOINT on a local Hub that succeeds, 404s, gates, fails, stalls or garbles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.hub_server import hub_server
from vlicense.cli import main

APP = """\
from transformers import AutoModel

ok = AutoModel.from_pretrained("org/ok", revision="0123abc")
missing = AutoModel.from_pretrained("org/missing")
gated = AutoModel.from_pretrained("org/gated401")
gated2 = AutoModel.from_pretrained("org/gated403")
broken = AutoModel.from_pretrained("org/broken")
garbled = AutoModel.from_pretrained("org/garbled")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text(APP)
    return root


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")


def audit(root: Path, capsys, *extra: str) -> tuple[int, dict]:
    with pytest.raises(SystemExit) as done:
        main(["audit", str(root), "--format", "json", *extra])
    out, _ = capsys.readouterr()
    return done.value.code, json.loads(out)


def hub_facts(component: dict) -> list[tuple[str | None, str]]:
    return [(f["license"], f["detail"]) for f in component["facts"] if f["source"] == "hf-hub"]


def test_every_hub_failure_is_shown_on_its_component_and_the_audit_completes(project, capsys, monkeypatch):
    with hub_server(delay=3.0) as (url, hub):
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        hub.model("org/ok", license="apache-2.0", pipeline_tag="image-classification")
        hub.answers.update({"org/missing": 404, "org/gated401": 401, "org/gated403": 403, "org/broken": 500,
                            "org/garbled": "malformed"})
        code, report = audit(project, capsys)
    components = {c["id"]: c for c in report["components"]}
    assert components["hf:org/ok"]["license"] == "Apache-2.0"
    assert components["hf:org/ok"]["license_source"] == "hf-hub"
    expected = {"hf:org/missing": "not found", "hf:org/gated401": "gated", "hf:org/gated403": "gated",
                "hf:org/broken": "HTTP 500", "hf:org/garbled": "malformed"}
    for cid, words in expected.items():
        facts = hub_facts(components[cid])
        assert facts and facts[0][0] is None and words in facts[0][1], (cid, facts)
        assert components[cid]["license"] is None
    gated = {s["kind"] for s in components["hf:org/gated401"].get("signals", [])}
    assert "gated" in gated
    # Unknown licenses are never a pass: the exit code follows the contract (1 = findings at or above --fail-on).
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert code == (1 if errors else 0)
    assert any(f["component"] == "hf:org/missing" for f in report["findings"])
    assert report["verdict"] == ("fail" if errors else report["verdict"])


def test_a_stalled_hub_times_out_and_the_report_says_the_source_was_offline(project, capsys, monkeypatch):
    with hub_server(delay=8.0) as (url, hub):
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        for repo in ("org/ok", "org/missing", "org/gated401", "org/gated403", "org/broken", "org/garbled"):
            hub.answers[repo] = "timeout"
        code, report = audit(project, capsys)
        asked = len(hub.requests)
    components = {c["id"]: c for c in report["components"]}
    # One timeout makes the Hub unreachable for the run: later models are not asked, and every one shows why.
    assert asked == 1
    for cid in ("hf:org/ok", "hf:org/missing", "hf:org/broken"):
        facts = hub_facts(components[cid])
        assert facts and facts[0][0] is None and ("unreachable" in facts[0][1]), facts
    assert code == (1 if any(f["severity"] == "error" for f in report["findings"]) else 0)


def test_fail_on_never_passes_even_with_hub_failures(project, capsys, monkeypatch):
    with hub_server(delay=3.0) as (url, hub):
        monkeypatch.setenv("HF_ENDPOINT", url)
        hub.answers.update({"org/ok": 500})
        code, report = audit(project, capsys, "--fail-on", "never")
    assert code == 0 and report["components"]


def test_offline_audit_does_not_touch_the_hub(project, capsys, monkeypatch):
    with hub_server(delay=3.0) as (url, hub):
        monkeypatch.setenv("HF_ENDPOINT", url)
        hub.model("org/ok", license="mit")
        code, report = audit(project, capsys, "--offline")
        assert hub.requests == []
    components = {c["id"]: c for c in report["components"]}
    assert components["hf:org/ok"]["license"] is None
    assert any(f["component"] == "hf:org/ok" for f in report["findings"])  # unknown is never a silent pass
    assert code == (1 if any(f["severity"] == "error" for f in report["findings"]) else 0)


def test_bench_weights_answers_every_row_offline():
    bench = Path(__file__).resolve().parents[2] / "bench" / "bench_weights.py"
    done = subprocess.run([sys.executable, str(bench)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "117/117 (100.0%)" in done.stdout
