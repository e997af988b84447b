"""End to end through the CLI: a model's own license rules (local folders, Hub, checkpoints), the chain in every
format, two kinds of unknown, and the project's own distribution never reported as a dependency."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

from vlicense.cli import main
from vlicense.resources import schema_path
from weights.weight_files import ultralytics_checkpoint, write_torch_zip

SCHEMA = json.loads(schema_path().read_text())
LOCAL_APP = 'from transformers import AutoModel\nmodel = AutoModel.from_pretrained("./models/finetune")\n'
HUB_APP = 'from transformers import AutoModel\nmodel = AutoModel.from_pretrained("me/finetune", revision="0123abc")\n'


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")


def project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def audit(root: Path, capsys, *extra: str, fmt: str = "json") -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(["audit", str(root), "--format", fmt, "--python", "none", *extra])
    out, _ = capsys.readouterr()
    return done.value.code, out


def audit_json(root: Path, capsys, *extra: str) -> tuple[int, dict]:
    code, out = audit(root, capsys, *extra)
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    return code, report


def component(report: dict, cid: str) -> dict:
    return next(c for c in report["components"] if c["id"] == cid)


def errors(report: dict) -> list[dict]:
    return [f for f in report["findings"] if f["severity"] == "error"]


def local_finetune(tmp_path: Path, card: str) -> Path:
    return project(tmp_path / "app", {"app.py": LOCAL_APP, "models/finetune/README.md": f"---\n{card}---\n# finetune\n"})


# -------------------------------------------------------------------------------------------- done when


def test_local_card_fails_saas_with_its_own_license_and_names_the_apache_base(tmp_path, capsys):
    root = local_finetune(tmp_path, "license: cc-by-nc-4.0\nbase_model: facebook/dinov2-small\n")
    code, report = audit_json(root, capsys, "--offline")
    assert code == 1 and report["verdict"] == "fail"
    model = component(report, "local:models/finetune")
    assert (model["license"], model["license_source"], model["license_unknown"]) == ("CC-BY-NC-4.0", "weight-metadata", None)
    assert model["lineage"] == [{"id": "hf:facebook/dinov2-small", "license": "Apache-2.0", "source": "knowledge-base",
                                 "relation": "base_model", "path": ["local:models/finetune", "hf:facebook/dinov2-small"]}]
    [finding] = errors(report)
    assert (finding["rule"], finding["license"]) == ("non-commercial", "CC-BY-NC-4.0")
    assert "hf:facebook/dinov2-small (Apache-2.0" in finding["message"]


def test_hub_non_commercial_card_on_an_apache_base_fails(tmp_path, capsys, hub):
    hub.model("me/finetune", license="cc-by-nc-4.0", base_model="org/base")
    hub.model("org/base", license="apache-2.0")
    code, report = audit_json(project(tmp_path / "app", {"app.py": HUB_APP}), capsys)
    assert code == 1
    model = component(report, "hf:me/finetune")
    assert (model["license"], model["license_source"]) == ("CC-BY-NC-4.0", "hf-hub")
    [finding] = errors(report)
    assert finding["license"] == "CC-BY-NC-4.0"
    assert "hf:me/finetune (CC-BY-NC-4.0, Hub card) ← base hf:org/base (Apache-2.0, Hub card)" in finding["message"]


def test_apache_card_on_a_non_commercial_base_fails_and_names_the_drift(tmp_path, capsys, hub):
    hub.model("me/finetune", license="apache-2.0", base_model="org/nc-base")
    hub.model("org/nc-base", license="cc-by-nc-4.0")
    code, report = audit_json(project(tmp_path / "app", {"app.py": HUB_APP}), capsys)
    assert code == 1 and report["verdict"] == "fail"
    model = component(report, "hf:me/finetune")
    assert model["license"] == "Apache-2.0" and model["lineage"][0]["license"] == "CC-BY-NC-4.0"
    [inherited] = errors(report)
    assert (inherited["rule"], inherited["license"]) == ("non-commercial", "CC-BY-NC-4.0")
    assert "declares Apache-2.0, but it derives from hf:org/nc-base" in inherited["message"]
    [drift] = [f for f in report["findings"] if f["rule"] == "license-drift"]
    assert drift["severity"] == "warning" and "hf:org/nc-base under CC-BY-NC-4.0" in drift["message"]


def test_checkpoint_lineage_carries_the_starting_weights_terms(tmp_path, capsys):
    root = project(tmp_path / "app", {"app.py": 'from ultralytics import YOLO\nmodel = YOLO("weights/best.pt")\n'})
    write_torch_zip(root / "weights/best.pt", ultralytics_checkpoint("yolov8n.pt", license_text="MIT"))
    code, report = audit_json(root, capsys, "--offline")
    assert code == 1
    model = component(report, "file:weights/best.pt")
    assert model["license"] == "MIT"
    assert [(link["id"], link["relation"]) for link in model["lineage"]] == [("ultralytics:yolov8n.pt", "train_args.model")]
    assert ("network-copyleft", "AGPL-3.0-only") in {(f["rule"], f["license"]) for f in errors(report)}
    assert any(f["rule"] == "license-drift" for f in report["findings"])


# ------------------------------------------------------------------------------------ the chain, shown


def test_the_memo_html_and_text_show_the_chain(tmp_path, capsys):
    root = local_finetune(tmp_path, "license: cc-by-nc-4.0\nbase_model: facebook/dinov2-small\n")
    chain = "local:models/finetune (CC-BY-NC-4.0, its card) ← base hf:facebook/dinov2-small (Apache-2.0, "
    _, memo = audit(root, capsys, "--offline", fmt="memo")
    assert "## Model lineage" in memo and f"- `{chain}" in memo
    assert "| `local:models/finetune` | model | CC-BY-NC-4.0 | weight-metadata (its card) |" in memo
    _, html = audit(root, capsys, "--offline", fmt="html")
    assert '<section id="lineage">' in html and "local:models/finetune (CC-BY-NC-4.0, its card) ← base" in html
    _, text = audit(root, capsys, "--offline", fmt="text")
    assert f"lineage: {chain}" in text


# ------------------------------------------------------------------------------------ two kinds of unknown


def test_a_card_that_declares_no_license_blocks_a_commercial_product_and_warns_internally(tmp_path, capsys):
    root = local_finetune(tmp_path, "library_name: transformers\n")
    code, report = audit_json(root, capsys, "--offline")
    model = component(report, "local:models/finetune")
    assert (model["license"], model["license_unknown"]) == (None, "declared-none")
    [finding] = errors(report)
    assert code == 1 and finding["rule"] == "unknown-license"
    assert "no permission to use" in finding["message"] and "obtain a license" in finding["recommendation"]
    code, report = audit_json(root, capsys, "--offline", "--policy", "internal")
    assert code == 0 and [f["severity"] for f in report["findings"] if f["rule"] == "unknown-license"] == ["warning"]
    _, memo = audit(root, capsys, "--offline", fmt="memo")
    assert "| `local:models/finetune` | model | unknown | declared none |" in memo


def test_not_determined_offline_is_a_warning_that_says_what_to_rerun(tmp_path, capsys):
    app = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("nobody/never-seen", revision="1a2b")\n'
    code, report = audit_json(project(tmp_path / "app", {"app.py": app}), capsys, "--offline")
    assert code == 0 and report["verdict"] == "warn"
    assert component(report, "hf:nobody/never-seen")["license_unknown"] == "not-determined"
    [finding] = [f for f in report["findings"] if f["rule"] == "unknown-license"]
    assert finding["severity"] == "warning" and "rerun without --offline" in finding["message"]
    assert "huggingface-cli download nobody/never-seen README.md" in finding["message"]


# --------------------------------------------------------------------------------------------- first party


def test_a_library_that_installs_itself_in_ci_is_not_its_own_dependency(tmp_path, capsys):
    root = project(tmp_path / "sahi-repo", {
        "pyproject.toml": '[project]\nname = "sahi"\nversion = "0.1"\ndependencies = ["numpy"]\n',
        "sahi/__init__.py": "import numpy\n",
        ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: pip install sahi\n",
        "Dockerfile": "FROM python:3.11\nRUN pip install sahi==0.11.0\n",
    })
    _, report = audit_json(root, capsys, "--offline")
    ids = {c["id"] for c in report["components"]}
    assert "pypi:numpy" in ids and "pypi:sahi" not in ids


def test_explain_says_what_a_snapshot_value_rests_on():
    from vlicense.explain import _fact_lines
    from vlicense.knowledge.knowledge_base import KbFact

    inferred = KbFact("MIT", "https://github.com/org/upstream/blob/main/LICENSE", "2026-01-01", basis="inferred")
    assert "basis: inferred from an upstream source, not the Hub card" in "\n".join(_fact_lines(inferred))
    card = KbFact("Apache-2.0", "https://huggingface.co/org/m", "2026-01-01", basis="card")
    assert "basis: read from the model's Hub card" in _fact_lines(card)
