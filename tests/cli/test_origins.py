"""Where a model's id is written when not at the load: origins in JSON, SARIF, text and the memo, end to end."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

from vlicense.cli import main
from vlicense.resources import schema_path

SCHEMA = json.loads(schema_path().read_text())
DETECTOR = '''
    import argparse
    from ultralytics import YOLO


    def main(weights):
        model = YOLO(weights)
        return model


    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--weights", default="yolov8s.pt", help="weights to load")
        args = parser.parse_args()
        main(weights=args.weights)
    '''


@pytest.fixture(autouse=True)
def pinned_clock(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764374400")
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "detector.py").write_text(textwrap.dedent(DETECTOR), encoding="utf-8")
    (root / "requirements.txt").write_text("ultralytics==8.4.190\n", encoding="utf-8")
    return root


def audit(root: Path, fmt: str, capsys) -> str:
    with pytest.raises(SystemExit):
        main(["audit", str(root), "--format", fmt, "--offline"])
    return capsys.readouterr().out


def test_json_component_keeps_the_load_site_and_names_the_cli_default(project, capsys):
    report = json.loads(audit(project, "json", capsys))
    jsonschema.validate(report, SCHEMA)
    assert report["schema_version"] == 1 and report["schema_minor"] == 2
    model = next(c for c in report["components"] if c["id"] == "ultralytics:yolov8s.pt")
    assert [(loc["path"], loc["line"]) for loc in model["locations"]] == [("detector.py", 15)]
    assert model["origins"] == [{"path": "detector.py", "line": 13,
                                 "snippet": 'parser.add_argument("--weights", default="yolov8s.pt", help="weights to load")'}]
    library = next(c for c in report["components"] if c["id"] == "pypi:ultralytics")
    assert library["origins"] == []


def test_sarif_text_and_memo_say_where_the_value_is_written(project, capsys):
    sarif = json.loads(audit(project, "sarif", capsys))
    (result,) = [r for r in sarif["runs"][0]["results"] if r["properties"]["component"] == "ultralytics:yolov8s.pt"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 15
    related = [(r["physicalLocation"]["region"]["startLine"], r["message"]["text"]) for r in result["relatedLocations"]]
    assert related == [(13, "the value that names ultralytics:yolov8s.pt is written here")]

    text = audit(project, "text", capsys)
    assert "detector.py:15 (value at detector.py:13)  ultralytics:yolov8s.pt" in text

    memo = audit(project, "memo", capsys)
    assert ("  - value `yolov8s.pt` written at `detector.py:13`: "
            '`parser.add_argument("--weights", default="yolov8s.pt", help="weights to load")`') in memo
    assert "(value at `detector.py:13`)" in memo


def test_a_one_line_where_pairs_a_load_with_its_own_origin(tmp_path, capsys):
    # The first load site (a download in a shell script) has no origin; a later load reads a constant. The one-line
    # "where" of the text report must not pair the first site with the other site's origin.
    root = tmp_path / "app"
    root.mkdir()
    (root / "a_fetch.sh").write_text("wget https://github.com/ultralytics/assets/releases/download/v8.3.0/yolov8s.pt\n")
    (root / "detector.py").write_text(textwrap.dedent(DETECTOR), encoding="utf-8")
    (root / "requirements.txt").write_text("ultralytics==8.4.190\n", encoding="utf-8")
    report = json.loads(audit(root, "json", capsys))
    model = next(c for c in report["components"] if c["id"] == "ultralytics:yolov8s.pt")
    assert [loc["path"] for loc in model["locations"]][:1] == ["a_fetch.sh"]
    assert [o["line"] for o in model["origins"]] == [13]
    text = audit(root, "text", capsys)
    line = next(x for x in text.splitlines() if "ultralytics:yolov8s.pt" in x)
    assert "a_fetch.sh:1  ultralytics:yolov8s.pt" in line and "value at" not in line


EVAL_SCRIPT = '''
    import argparse
    import torch


    def load_model(config_path, checkpoint_path):
        checkpoint = torch.load(checkpoint_path, map_location="cpu")
        return checkpoint


    def main(args):
        return load_model(args.config_file, args.checkpoint_path)


    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--checkpoint_path", "-p", type=str, required=True, help="path to checkpoint file")
        args = parser.parse_args()
        main(args)
    '''


def test_an_unresolved_entry_names_the_load_line_and_the_option_without_a_default(tmp_path, capsys):
    # The value enters at main(args) (the entry's place); a reader must also see what loads (torch.load two calls
    # down) and the option that has no default.
    root = tmp_path / "app"
    root.mkdir()
    (root / "evaluate.py").write_text(textwrap.dedent(EVAL_SCRIPT), encoding="utf-8")
    report = json.loads(audit(root, "json", capsys))
    jsonschema.validate(report, SCHEMA)
    (entry,) = [u for u in report["unresolved"] if u["expression"] == "args.checkpoint_path"]
    assert (entry["path"], entry["line"]) == ("evaluate.py", 19)
    assert entry["reason"].startswith("command-line option --checkpoint_path has no default")
    assert [(o["line"], o["snippet"]) for o in entry["origins"]] == [
        (17, 'parser.add_argument("--checkpoint_path", "-p", type=str, required=True, help="path to checkpoint file")'),
        (7, 'checkpoint = torch.load(checkpoint_path, map_location="cpu")'),
    ]
    sarif = json.loads(audit(root, "sarif", capsys))
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    (note,) = [n for n in notes if "args.checkpoint_path" in n["message"]["text"]]
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in note["locations"]] == [19, 17, 7]
    memo = audit(root, "memo", capsys)
    assert "; see `evaluate.py:17`, `evaluate.py:7`" in memo
