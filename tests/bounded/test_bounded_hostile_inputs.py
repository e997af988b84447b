"""End to end through the CLI: hostile cards, configs, notebooks and Hub answers finish fast, are listed as skipped
with the limit they broke, and the model they concern is still reported (license unknown)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import jsonschema
import pytest

from support.hub_server import Unsized, hub_server
from vlicense.cli import main
from vlicense.resources import schema_path

SCHEMA = json.loads(schema_path().read_text())
SECONDS = 2.0
SHA = "b" * 40


def alias_bomb(key: str = "license") -> str:
    """The issue's 12 lines: nine levels of nine aliases each, 9**9 nodes once expanded."""
    lines = ["a0: &a0 [x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    lines.append(f"{key}: *a9")
    return "\n".join(lines) + "\n"


def card(front_matter: str) -> str:
    return f"---\n{front_matter}---\n# A model\n"


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")


def audit(root: Path, capsys, *extra: str) -> tuple[dict, float]:
    """Run `vlicense audit --format json` in-process; returns (report, seconds)."""
    start = time.perf_counter()
    with pytest.raises(SystemExit) as done:
        main(["audit", str(root), "--format", "json", "--python", "none", *extra])
    elapsed = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert done.value.code in (0, 1), err
    report = json.loads(out)
    jsonschema.validate(report, SCHEMA)
    return report, elapsed


def component(report: dict, cid: str) -> dict:
    found = [c for c in report["components"] if c["id"] == cid]
    assert found, f"{cid} not reported; components: {[c['id'] for c in report['components']]}"
    return found[0]


def skipped(report: dict) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in report["skipped"]}


def project(tmp_path: Path, code: str) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "app.py").write_text(code)
    return root


# ---------------------------------------------------------------------------------------------- model cards


def test_alias_bomb_card_in_a_local_model_folder(tmp_path, capsys):
    root = project(tmp_path, 'from transformers import AutoModel\nm = AutoModel.from_pretrained("./models/x")\n')
    (root / "models" / "x").mkdir(parents=True)
    (root / "models" / "x" / "README.md").write_text(card(alias_bomb()))
    report, elapsed = audit(root, capsys, "--offline")
    assert elapsed < SECONDS
    assert skipped(report)["models/x/README.md"] == "front matter over a limit: YAML alias expansion over 10,000 nodes"
    model = component(report, "local:models/x")
    assert model["license"] is None
    assert any("README.md not read" in note and "alias expansion" in note for note in model.get("notes", []))


def test_alias_bomb_card_in_the_hugging_face_cache(tmp_path, capsys):
    repo = Path(os.environ["HF_HUB_CACHE"]) / "models--org--bomb"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(SHA)
    (repo / "snapshots" / SHA).mkdir(parents=True)
    readme = repo / "snapshots" / SHA / "README.md"
    readme.write_text(card("base_model: org/base\n" + alias_bomb()))
    root = project(tmp_path, 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/bomb")\n')
    report, elapsed = audit(root, capsys, "--offline")
    assert elapsed < SECONDS
    assert skipped(report)[str(readme)] == "cached model card unreadable: front matter over a limit: YAML alias expansion over 10,000 nodes"
    model = component(report, "hf:org/bomb")
    assert model["license"] is None
    cache_facts = [f for f in model["facts"] if f["source"] == "hf-cache"]
    assert cache_facts and cache_facts[0]["license"] is None and "alias expansion" in cache_facts[0]["detail"]


def test_card_that_nests_too_deep_or_refers_to_itself(tmp_path, capsys):
    root = project(tmp_path, 'from transformers import AutoModel\na = AutoModel.from_pretrained("./m/deep")\n'
                              'b = AutoModel.from_pretrained("./m/loop")\n')
    for name, front in (("deep", "license: " + "[" * 500 + "]" * 500 + "\n"), ("loop", "x: &x [*x]\nlicense: *x\n")):
        (root / "m" / name).mkdir(parents=True)
        (root / "m" / name / "README.md").write_text(card(front))
    report, elapsed = audit(root, capsys, "--offline")
    assert elapsed < SECONDS
    reasons = skipped(report)
    assert reasons["m/deep/README.md"] == "front matter over a limit: YAML nested deeper than 64 levels"
    assert reasons["m/loop/README.md"] == "front matter over a limit: YAML alias refers to a node that contains it (endless expansion)"
    assert component(report, "local:m/deep")["license"] is None and component(report, "local:m/loop")["license"] is None


# --------------------------------------------------------------------------------------------------- JSON


def test_ten_thousand_deep_json_config(tmp_path, capsys):
    root = project(tmp_path, 'from transformers import AutoModel\nm = AutoModel.from_pretrained("./models/x")\n')
    deep = '{"model": "yolov8n.pt", "extra": ' + "[" * 10_000 + "]" * 10_000 + "}"
    (root / "config.json").write_text(deep)
    (root / "models" / "x").mkdir(parents=True)
    (root / "models" / "x" / "config.json").write_text(deep)
    report, elapsed = audit(root, capsys, "--offline")
    assert elapsed < SECONDS
    reasons = skipped(report)
    assert reasons["config.json"] == "config file not scanned: JSON nested deeper than 100 levels"
    assert reasons["models/x/config.json"] == "config.json nested deeper than 100 levels"
    assert component(report, "local:models/x")["license"] is None


# ---------------------------------------------------------------------------------------------- notebooks

MODEL_CELL = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
              "source": ["from transformers import AutoModel\n", 'm = AutoModel.from_pretrained("org/in-notebook")\n']}


def notebook(*cells: dict) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": list(cells)})


def test_notebook_declaring_a_gigabyte(tmp_path, capsys):
    root = project(tmp_path, 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/in-app")\n')
    huge = root / "huge.ipynb"
    huge.write_text(notebook(MODEL_CELL))
    with huge.open("r+b") as handle:
        handle.truncate(1 << 30)  # a sparse gigabyte: the file system declares it, nothing is written
    # A cell of 2 MB (one line of pasted data), and outputs by the hundred thousand: the other cells still count.
    blob = {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["x = '" + "A" * (2 << 20) + "'\n"]}
    noisy = dict(MODEL_CELL, outputs=[{"output_type": "stream", "name": "stdout", "text": ["."]}] * 200_000)
    (root / "cells.ipynb").write_text(notebook(blob, noisy))
    (root / "deep.ipynb").write_text('{"cells": [], "metadata": ' + "[" * 10_000 + "]" * 10_000 + "}")
    report, elapsed = audit(root, capsys, "--offline")
    assert elapsed < SECONDS
    reasons = skipped(report)
    assert reasons["huge.ipynb"] == "file larger than 50 MB"
    assert reasons["cells.ipynb"] == "code cell 0 not scanned: larger than 1 MB"
    assert reasons["deep.ipynb"] == "notebook JSON nested deeper than 100 levels"
    assert component(report, "hf:org/in-app")["license"] is None
    assert component(report, "hf:org/in-notebook")["license"] is None


# -------------------------------------------------------------------------------------------- Hub answers


def test_hub_answers_over_a_limit_mark_the_source_unreadable(tmp_path, capsys, monkeypatch):
    deep = b'{"id": "org/deep", "cardData": {"license": ' + b"[" * 10_000 + b"]" * 10_000 + b"}}"
    huge = b'{"cardData": {"license": "mit", "pad": "' + b"x" * (8 << 20) + b'"}}'
    root = project(tmp_path, "from transformers import AutoModel\n" + "".join(
        f'm{i} = AutoModel.from_pretrained("org/{name}")\n' for i, name in enumerate(("huge", "deep", "unsized", "ok"))))
    with hub_server() as (url, hub):
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        hub.answers["org/huge"] = huge
        hub.answers["org/deep"] = deep
        hub.answers["org/unsized"] = Unsized(b"[" * 65536, 200)  # 13 MB with no Content-Length
        hub.model("org/ok", license="apache-2.0")
        report, elapsed = audit(root, capsys)
    assert elapsed < SECONDS
    expected = {
        "org/huge": f"Hub answer declares {len(huge):,} bytes (limit 4 MB)",
        "org/deep": "Hub answer nested deeper than 100 levels",
        "org/unsized": "Hub answer larger than 4 MB",
    }
    reasons = skipped(report)
    for repo, limit in expected.items():
        assert reasons[f"{url}/api/models/{repo}"] == f"Hub API answer not read: {limit}"
        model = component(report, f"hf:{repo}")
        assert model["license"] is None
        hub_facts = [f for f in model["facts"] if f["source"] == "hf-hub"]
        assert hub_facts == [{"source": "hf-hub", "license": None,
                              "detail": f"Hub API answer unreadable, license not determined: {limit}"}]
    # One bad answer does not make the Hub unreachable for the others.
    assert component(report, "hf:org/ok")["license"] == "Apache-2.0"
