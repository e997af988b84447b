"""The pre-commit hooks, run by the real pre-commit tool from a git snapshot of this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
HOOKS_FILE = REPO / ".pre-commit-hooks.yaml"
pytestmark = pytest.mark.slow
NETWORK_TROUBLE = ("Could not find a version", "No matching distribution", "Temporary failure in name resolution",
                   "ConnectionError", "NewConnectionError", "Network is unreachable")

AGPL_SAAS = {
    "app/main.py": 'from fastapi import FastAPI\nfrom ultralytics import YOLO\n\napp = FastAPI()\nmodel = YOLO("yolo11n.pt")\n',
    "requirements.txt": "fastapi==0.115.0\nultralytics==8.2.90\n",
}
CLEAN = {
    "app/main.py": 'import torchvision\n\nmodel = torchvision.models.resnet50(weights="IMAGENET1K_V2")\n',
    "requirements.txt": "torchvision==0.19.1\n",
}


def _git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _pre_commit() -> list[str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (it is in the [test] extra)")
    return [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory) -> tuple[Path, str]:
    """A git repository holding this working tree as one commit (pre-commit needs a committed rev)."""
    source = tmp_path_factory.mktemp("hook-source")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, source / rel)
    _git(source, "init", "-q")
    _git(source, "add", "-A")
    _git(source, "commit", "-q", "-m", "snapshot")
    return source, _git(source, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _project(root: Path, files: dict[str, str], source: Path, rev: str, hook: str, args: list[str] | None = None) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    hook_entry = {"id": hook, **({"args": args} if args else {})}
    config = {"repos": [{"repo": str(source), "rev": rev, "hooks": [hook_entry]}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    return root


def _run(command: list[str], project: Path, home: Path, path_prefix: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VLICENSE_", "VIRTUAL_ENV", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(home)
    env["HF_HUB_OFFLINE"] = "1"
    if path_prefix:
        env["PATH"] = path_prefix + os.pathsep + env.get("PATH", "")
    done = subprocess.run([*command, "run", "--all-files", "--color", "never"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=900)
    output = done.stdout + done.stderr
    if done.returncode not in (0, 1) or "An unexpected error has occurred" in output:
        if any(marker in output for marker in NETWORK_TROUBLE):
            pytest.skip(f"pre-commit could not build the hook environment (no package index?): {output[-400:]}")
    return done


def test_hooks_file_declares_both_hooks_as_required():
    hooks = {h["id"]: h for h in yaml.safe_load(HOOKS_FILE.read_text())}
    assert set(hooks) == {"vlicense", "vlicense-system"}
    assert hooks["vlicense"]["language"] == "python" and hooks["vlicense-system"]["language"] == "system"
    for hook in hooks.values():
        assert hook["pass_filenames"] is False
        assert hook["entry"].split()[:2] == ["vlicense", "audit"] and "--offline" in hook["entry"].split()


def test_isolated_hook_blocks_an_agpl_saas_and_passes_a_clean_project(tmp_path, hook_source, pre_commit_home):
    command = _pre_commit()
    source, rev = hook_source
    blocked = _run(command, _project(tmp_path / "saas", AGPL_SAAS, source, rev, "vlicense"), pre_commit_home)
    out = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, out
    assert "Failed" in out and "AGPL-3.0" in out and "ultralytics:yolo11n.pt" in out and "app/main.py:5" in out
    clean = _run(command, _project(tmp_path / "clean", CLEAN, source, rev, "vlicense"), pre_commit_home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout


def test_hook_args_reach_the_command(tmp_path, hook_source, pre_commit_home):
    """`args:` in the user's config are appended to the entry: --policy internal lets AGPL pass as internal use."""
    command = _pre_commit()
    source, rev = hook_source
    project = _project(tmp_path / "internal", AGPL_SAAS, source, rev, "vlicense", args=["--policy", "internal"])
    done = _run(command, project, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr


def test_system_hook_runs_the_vlicense_on_path(tmp_path, hook_source, pre_commit_home):
    command = _pre_commit()
    script = Path(sys.executable).with_name("vlicense")
    if not script.exists():
        pytest.skip("vlicense console script not installed next to the test interpreter")
    source, rev = hook_source
    blocked = _run(command, _project(tmp_path / "saas", AGPL_SAAS, source, rev, "vlicense-system"), pre_commit_home,
                   path_prefix=str(script.parent))
    assert blocked.returncode == 1 and "AGPL-3.0" in blocked.stdout, blocked.stdout + blocked.stderr
    clean = _run(command, _project(tmp_path / "clean", CLEAN, source, rev, "vlicense-system"), pre_commit_home,
                 path_prefix=str(script.parent))
    assert clean.returncode == 0, clean.stdout + clean.stderr
