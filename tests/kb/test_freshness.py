"""The shipped generated tables match the installed timm/torchvision/ultralytics/open_clip (skipped if absent)."""

from __future__ import annotations

import importlib.util
import json

import pytest

from vlicense.knowledge import refresh as kb_refresh
from vlicense.resources import kb_dir


def _shipped(library: str) -> dict:
    payload = json.loads((kb_dir() / f"{library}.json").read_text(encoding="utf-8"))
    payload["generated"].pop("date", None)
    return payload


@pytest.mark.parametrize("library", kb_refresh.LIBRARIES)
def test_shipped_table_matches_installed_library(
    library: str, tmp_path, monkeypatch
) -> None:
    if importlib.util.find_spec(library) is None:
        pytest.skip(
            f"{library} is not installed: install vlicense[introspect] to check KB freshness"
        )
    monkeypatch.setenv("YOLO_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("YOLO_OFFLINE", "1")
    generated = kb_refresh.generate(library)
    shipped = _shipped(library)
    if generated["generated"]["version"] != shipped["generated"]["version"]:
        pytest.fail(
            f"{library} {generated['generated']['version']} is installed but the KB was generated from "
            f"{shipped['generated']['version']}: run `vlicense kb refresh`"
        )
    diffs = kb_refresh.compare(library, kb_dir(), generated)
    assert diffs == [], (
        f"kb/{library}.json is stale (run `vlicense kb refresh`): {diffs[:10]}"
    )


def test_compare_detects_a_changed_license_and_ignores_the_date() -> None:
    shipped = json.loads((kb_dir() / "timm.json").read_text(encoding="utf-8"))
    same = json.loads(json.dumps(shipped))
    same["generated"]["date"] = "1999-01-01"
    assert kb_refresh.compare("timm", kb_dir(), same) == []
    changed = json.loads(json.dumps(shipped))
    changed["tags"]["resnet50.a1_in1k"]["license"] = "mit"
    del changed["tags"]["resnet50.bamboo"]
    changed["tags"]["resnet50.new_tag"] = {"license": None, "hf_hub_id": None}
    diffs = kb_refresh.compare("timm", kb_dir(), changed)
    assert (
        "timm/tags/resnet50.a1_in1k/license: shipped 'apache-2.0' != installed 'mit'"
        in diffs
    )
    assert "timm/tags/resnet50.bamboo: only in the shipped table" in diffs
    assert "timm/tags/resnet50.new_tag: only in the installed library" in diffs


def test_dumps_is_stable() -> None:
    payload = {"b": 1, "a": {"z": None, "y": [1, 2]}}
    text = kb_refresh.dumps(payload)
    assert text.endswith("\n") and text.index('"a"') < text.index('"b"')
    assert kb_refresh.dumps(json.loads(text)) == text


def test_unknown_library_is_rejected() -> None:
    with pytest.raises(ValueError):
        kb_refresh.generate("tensorflow")


def test_shipped_files_are_stable_serializations() -> None:
    for library in kb_refresh.LIBRARIES:
        text = (kb_dir() / f"{library}.json").read_text(encoding="utf-8")
        assert kb_refresh.dumps(json.loads(text)) == text, library


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("yolo11n.pt", "yolo11"),
        ("yolov10b.pt", "yolov10"),
        ("yolov8x-worldv2.pt", "yolo-world"),
        ("yolov8s-world.pt", "yolo-world"),
        ("yoloe-v8s-seg.pt", "yoloe"),
        ("yolov5n6u.pt", "yolov5u"),
        ("yolov3-tinyu.pt", "yolov3u"),
        ("sam2.1_t.pt", "sam2.1"),
        ("sam2_t.pt", "sam2"),
        ("sam_l.pt", "sam"),
        ("mobile_sam.pt", "mobile_sam"),
        ("yolov8x.pt", "yolov8"),
        ("yolov9t.pt", "yolov9"),
        ("something.pt", "other"),
    ],
)
def test_ultralytics_family_rules(name: str, family: str) -> None:
    assert kb_refresh.ultralytics_family(name) == family


def test_core_import_does_not_pull_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys, vlicense.knowledge.refresh, vlicense.knowledge.knowledge_base as k;"
        "k.KnowledgeBase.load();"
        "bad=[m for m in ('torch','timm','torchvision','ultralytics','open_clip') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""
