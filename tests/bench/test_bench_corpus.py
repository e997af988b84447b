"""The corpus bench's own parts: label parsing, checkout of a pinned commit, report reading and scoring."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_corpus", BENCH / "bench_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


bc = _load_bench()

LABELS = """\
repo: https://github.com/example/app
commit: 0123456789abcdef0123456789abcdef01234567
labelled: 2026-12-05
include: ["app.py", "lib/*"]
unlabelled: ["lib/vendored/*"]
sites:
  - {file: app.py, line: 3, door: ultralytics, id: "ultralytics:yolov8n.pt", id_line: 1, what: "YOLO(W)"}
  - {file: app.py, line: 9, door: hf, id: "hf:org/model", via: ["lib/wrap.py:4"], what: "wrapper call"}
  - {file: app.py, line: 12, door: file, unresolvable: true, what: "torch.load(args.ckpt)"}
  - {file: app.py, line: 20, door: timm, id: "timm:resnet50.a1_in1k", what: "never reported"}
  - {file: app.py, line: 30, kind: non-load, what: "print('yolov8n.pt')"}
  - {file: app.py, line: 31, kind: non-load, what: "a comment"}
"""


def _labels(tmp_path: Path, text: str = LABELS):
    path = tmp_path / "example__app.yaml"
    path.write_text(text)
    return bc.load_labels(path)


def test_labels_parse_with_points_and_via(tmp_path):
    labels = _labels(tmp_path)
    assert labels.name == "example__app" and labels.slug == "example/app"
    first, second = labels.sites[0], labels.sites[1]
    assert first.points() == {("app.py", 3), ("app.py", 1)}
    assert second.points() == {("app.py", 9), ("lib/wrap.py", 4)}
    assert not labels.labelled("lib/vendored/x.py") and labels.labelled("lib/wrap.py")


@pytest.mark.parametrize("site, message", [
    ("{file: a.py, line: 1, door: hf}", "needs an id or unresolvable"),
    ("{file: a.py, line: 1, id: 'hf:x/y'}", "needs its door"),
    ("{file: a.py, door: hf, id: 'hf:x/y'}", "needs file (str) and line (int)"),
    ("{file: a.py, line: 1, kind: maybe}", "kind must be one of"),
    ("{file: a.py, line: 1, door: hf, id: 'hf:x/y', colour: red}", "unknown keys"),
    ("{file: a.py, line: 1, door: hf, id: 'hf:x/y', via: ['a.py']}", "via entries"),
])
def test_malformed_sites_name_the_site(tmp_path, site, message):
    text = "repo: r\ncommit: c\nlabelled: 2026-12-05\nsites:\n  - " + site + "\n"
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        _labels(tmp_path, text)
    assert "site 1" in str(error.value)


def test_score_counts_found_id_unresolved_non_loads_and_unlabelled(tmp_path):
    labels = _labels(tmp_path)
    hits = [
        bc.Hit("app.py", 1, "ultralytics:yolov8n.pt", "origin"),   # first site, at its id line
        bc.Hit("lib/wrap.py", 4, "hf:other/model", "location"),    # second site through the wrapper, wrong id
        bc.Hit("app.py", 12, None, "unresolved"),                  # third site as an unresolved entry
        bc.Hit("app.py", 30, "ultralytics:yolov8n.pt", "location"),  # a labelled non-load reported
        bc.Hit("app.py", 50, "hf:stray/model", "location"),        # at a line no label names
        bc.Hit("lib/vendored/x.py", 2, "hf:vendored/model", "location"),  # in a path left unlabelled on purpose
    ]
    score = bc.score(labels, hits)
    by_line = {result.site.line: result for result in score.loads}
    assert score.found == 3 and len(score.loads) == 4
    assert by_line[3].found and by_line[3].id_match
    assert by_line[9].found and not by_line[9].id_match
    assert by_line[12].found and by_line[12].unresolved
    assert not by_line[20].found
    assert [site.line for site in score.non_loads_reported] == [30] and score.non_loads == 2
    assert [(hit.path, hit.line) for hit in score.unlabelled] == [("app.py", 50)]

    summary = bc.summarize([score])
    assert summary["total"]["loads"] == 4 and summary["total"]["found"] == 3 and summary["total"]["recall"] == 0.75
    assert summary["total"]["id_match"] == 1 and summary["total"]["with_id"] == 3
    assert summary["total"]["unresolvable_as_unresolved"] == 1
    assert summary["doors"]["timm"] == {"loads": 1, "found": 0, "recall": 0.0, "with_id": 1, "id_match": 0,
                                        "unresolvable": 0, "unresolvable_as_unresolved": 0}
    assert [miss["at"] for miss in summary["misses"]] == ["app.py:20"]
    assert summary["repos"]["example__app"]["non_loads_reported"] == ["app.py:30"]


def test_hits_of_reads_locations_origins_and_unresolved():
    report = {
        "components": [
            {"id": "pypi:torch", "kind": "library", "locations": [{"path": "a.py", "line": 1}]},
            {"id": "hf:org/m", "kind": "model", "locations": [{"path": "a.py", "line": 5, "snippet": "x"}],
             "origins": [{"path": "b.py", "line": 2, "snippet": "M = 'org/m'"}]},
        ],
        "unresolved": [{"path": "c.ipynb", "line": 40, "loader": "torch", "expression": "args.w", "reason": "r"}],
    }
    hits = bc.hits_of(report)
    assert [(h.path, h.line, h.id, h.how) for h in hits] == [
        ("a.py", 5, "hf:org/m", "location"), ("b.py", 2, "hf:org/m", "origin"), ("c.ipynb", 40, None, "unresolved")]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                               "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(repo), "PATH": "/usr/bin:/bin"}).stdout.strip()


def test_checkout_writes_the_included_files_and_lists_absent_blobs(tmp_path):
    repo = tmp_path / "mirror" / "example+app" / "repo"
    repo.mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "app.py").write_text("from ultralytics import YOLO\n")
    (repo / "lib").mkdir()
    (repo / "lib" / "big.bin").write_bytes(b"\0" * 64)
    (repo / "notes.md").write_text("not included\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    commit = _git(repo, "rev-parse", "HEAD")
    big = _git(repo, "rev-parse", "HEAD:lib/big.bin")
    (repo / ".git" / "objects" / big[:2] / big[2:]).unlink()  # as in a snapshot without its large files

    labels = _labels(tmp_path, LABELS.replace("0123456789abcdef0123456789abcdef01234567", commit))
    assert bc.git_dir(tmp_path / "mirror", labels.slug) == repo / ".git"
    tree, absent = bc.ensure_tree(labels, tmp_path / "trees", tmp_path / "mirror")
    assert absent == ["lib/big.bin"]
    assert (tree / "app.py").read_text() == "from ultralytics import YOLO\n"
    assert not (tree / "notes.md").exists() and not (tree / "lib" / "big.bin").exists()
    assert bc.ensure_tree(labels, tmp_path / "trees", tmp_path / "mirror") == (tree, ["lib/big.bin"])  # reused


def test_audit_reports_a_literal_load_at_its_line(tmp_path):
    (tmp_path / "app.py").write_text("from ultralytics import YOLO\n\nmodel = YOLO('yolov8n.pt')\n")
    hits = bc.hits_of(bc.audit(tmp_path))
    assert bc.Hit("app.py", 3, "ultralytics:yolov8n.pt", "location", "model = YOLO('yolov8n.pt')") in hits


def test_every_corpus_label_file_is_well_formed():
    files = sorted((BENCH / "corpus" / "labels").glob("*.yaml"))
    assert len(files) >= 15
    for path in files:
        labels = bc.load_labels(path)
        assert labels.repo.startswith("https://github.com/") and len(labels.commit) == 40, path.name
        assert any(site.kind == "load" for site in labels.sites), path.name
