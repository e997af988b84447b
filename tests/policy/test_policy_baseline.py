"""Baselines (--baseline FILE) and findings new since a git ref (--new-since REF), the latter on a real git repo."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from policy_helpers import TODAY, lib, model

from vlicense.errors import PolicyError, UsageError
from vlicense.model import Finding, Location
from vlicense.policy import evaluate, load_policy, verdict
from vlicense.policy.baseline import apply_baseline, read_baseline, write_baseline
from vlicense.policy.gitref import apply_new_since, findings_at_ref, new_since


def audit(components, policy="closed-source-saas"):
    return evaluate(components, load_policy(str(policy)), today=TODAY)


def legacy():
    return [lib("ultralytics", "AGPL-3.0-only"), lib("mystery", None), lib("requests", "Apache-2.0")]


def test_write_is_deterministic_and_holds_only_gated_findings(tmp_path: Path) -> None:
    findings = audit(legacy())
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert write_baseline(findings, a) == 2
    write_baseline(list(reversed(findings)), b)
    assert a.read_bytes() == b.read_bytes()
    doc = json.loads(a.read_text())
    assert doc["format"] == "vlicense-baseline" and doc["version"] == 1
    assert [(e["rule"], e["component"], e["severity"]) for e in doc["findings"]] == sorted(
        [("network-copyleft", "pypi:ultralytics", "error"), ("unknown-license", "pypi:mystery", "warning")],
        key=lambda e: next(f.fingerprint for f in findings if (f.rule, f.component) == e[:2]),
    )


def test_baselined_findings_stay_listed_but_do_not_gate_even_when_lines_move(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(audit(legacy()), path)
    moved = legacy()
    for c in moved:
        c.locations = [Location(path="src/new_place.py", line=120)]
    moved.append(model("timm:convnextv2_tiny.fcmae_ft_in22k_in1k", "CC-BY-NC-4.0"))
    after = apply_baseline(audit(moved), path)
    gated = [(f.rule, f.component) for f in after if f.severity != "info"]
    assert gated == [("non-commercial", "timm:convnextv2_tiny.fcmae_ft_in22k_in1k")]
    old = next(f for f in after if f.component == "pypi:ultralytics")
    assert old.severity == "info" and old.message.startswith("Not gated: baselined in baseline.json (was error).")
    assert old.locations[0].path == "src/new_place.py"
    assert verdict(after) == "fail"
    assert verdict(apply_baseline(audit(legacy()), path)) == "pass"


def test_a_finding_that_got_worse_is_gated_again(tmp_path: Path, write_policy) -> None:
    path = tmp_path / "baseline.json"
    write_baseline(audit([lib("mystery", None)]), path)  # unknown-license: warning
    strict = audit([lib("mystery", None)], "strict")  # same fingerprint, now an error
    assert [(f.rule, f.severity) for f in apply_baseline(strict, path)] == [("unknown-license", "error")]


def test_policy_bookkeeping_is_never_baselined(tmp_path: Path, write_policy) -> None:
    pol = write_policy("exceptions:\n  - {component: 'pypi:x', reason: r, owner: me, expires: 2020-01-01}\n")
    findings = audit([], pol)
    assert [f.rule for f in findings] == ["exception-expired"]
    path = tmp_path / "baseline.json"
    assert write_baseline(findings, path) == 0
    forged = {"format": "vlicense-baseline", "version": 1,
              "findings": [{"fingerprint": findings[0].fingerprint, "severity": "error"}]}
    path.write_text(json.dumps(forged))
    assert [f.severity for f in apply_baseline(findings, path)] == ["error"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "not a vlicense baseline"),
        ('{"format": "vlicense-baseline", "version": 9, "findings": []}', "unsupported baseline version"),
        ('{"format": "vlicense-baseline", "version": 1, "findings": {}}', "'findings' must be a list"),
        ('{"format": "vlicense-baseline", "version": 1, "findings": [{"rule": "x"}]}', "fingerprint"),
        ('{"format": "vlicense-baseline", "version": 1, "findings": [{"fingerprint": "a", "severity": "bad"}]}', "severity"),
    ],
)
def test_malformed_baseline_is_a_policy_error(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(PolicyError, match=needle) as err:
        apply_baseline([], path)
    assert err.value.where is not None and err.value.where.startswith(str(path))


def test_missing_baseline_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        read_baseline(tmp_path / "none.json")


# ----------------------------------------------------------------------------------------- new since a ref

pytestmark_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def git(cwd: Path, *args: str) -> str:
    env_args = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *env_args, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def static_audit(project: Path) -> list[Finding]:
    """A small static audit of a folder: every `uses <component-id> <license>` line of its .txt files, with the
    line it is on, evaluated against the saas preset (kept independent of discovery so only git handling is tested)."""
    comps = {}
    for path in sorted(project.rglob("*.txt")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            parts = line.split()
            if len(parts) == 3 and parts[0] == "uses":
                kind = "library" if parts[1].startswith("pypi:") else "model"
                maker = lib if kind == "library" else model
                comp = maker(parts[1].split(":", 1)[1] if kind == "library" else parts[1], parts[2])
                comp.locations = [Location(path=path.relative_to(project).as_posix(), line=n)]
                comps[comp.id] = comp
    return audit(list(comps.values()))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    root = tmp_path / "repo"
    app = root / "service"
    app.mkdir(parents=True)
    (app / "deps.txt").write_text("uses pypi:ultralytics AGPL-3.0-only\nuses ultralytics:yolo11n.pt AGPL-3.0-only\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "legacy")
    git(root, "tag", "v1")
    # New work: the YOLO call moves down (lines change) and a non-commercial timm tag arrives.
    (app / "deps.txt").write_text(
        "# moved down\n\n\nuses timm:convnextv2_tiny.fcmae_ft_in22k_in1k CC-BY-NC-4.0\n"
        "uses pypi:ultralytics AGPL-3.0-only\nuses ultralytics:yolo11n.pt AGPL-3.0-only\n"
    )
    git(root, "commit", "-q", "-am", "new backbone")
    return root


@pytestmark_git
def test_only_findings_new_since_the_ref_gate(repo: Path) -> None:
    (repo / "service" / "scratch.txt").write_text("uses pypi:agpl-draft AGPL-3.0-only\n")  # untracked: not at any ref
    before = git(repo, "status", "--porcelain")
    project = repo / "service"
    now = static_audit(project)
    old = findings_at_ref(project, "v1", static_audit)
    assert {f.component for f in old} == {"pypi:ultralytics", "ultralytics:yolo11n.pt"}
    assert new_since(project, "v1", static_audit) == {f.fingerprint for f in old}
    gated = [f for f in apply_new_since(now, old, "v1") if f.severity != "info"]
    assert [(f.rule, f.component) for f in gated] == [
        ("network-copyleft", "pypi:agpl-draft"),
        ("non-commercial", "timm:convnextv2_tiny.fcmae_ft_in22k_in1k"),
    ]
    assert git(repo, "status", "--porcelain") == before
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert len(git(repo, "worktree", "list").splitlines()) == 1  # no extra work tree left behind
    # At HEAD only the uncommitted file is new (the ref's tree, not the work tree, is audited).
    at_head = apply_new_since(now, findings_at_ref(project, "HEAD", static_audit), "HEAD")
    assert [f.component for f in at_head if f.severity != "info"] == ["pypi:agpl-draft"]


@pytestmark_git
def test_project_folder_absent_at_ref_means_everything_is_new(repo: Path) -> None:
    newdir = repo / "later"
    newdir.mkdir()
    (newdir / "a.txt").write_text("uses ultralytics:yolo11n.pt AGPL-3.0-only\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "later")
    assert new_since(newdir, "v1", static_audit) == set()


@pytestmark_git
@pytest.mark.parametrize(("ref", "needle"), [("no-such-branch", "unknown git ref"), ("--output=/tmp/x", "invalid git ref"), ("", "invalid git ref")])
def test_bad_ref_is_a_usage_error(repo: Path, ref: str, needle: str) -> None:
    with pytest.raises(UsageError, match=needle):
        new_since(repo / "service", ref, static_audit)


@pytestmark_git
def test_not_a_git_repo_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(UsageError, match="not inside a git repository"):
        new_since(plain, "HEAD", static_audit)
