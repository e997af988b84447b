"""The built wheel carries policies/, templates/ and the knowledge base, and an audit run from it uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # --no-isolation: the build backend (hatchling) comes from the test extra; no download at test time.
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("vlicense-*.whl")
    return built


def test_wheel_contains_policies_templates_and_kb(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for preset in ("closed-source-saas", "closed-source-binary", "internal", "open-source"):
        assert f"vlicense/_data/policies/{preset}.yaml" in names
    assert "vlicense/_data/templates/memo.md.j2" in names
    assert "vlicense/knowledge/kb/timm.json" in names
    for curated in ("models", "hub_models", "libraries", "import_names"):
        assert f"vlicense/knowledge/kb/{curated}.yaml" in names
    assert "vlicense/report/report.schema.json" in names
    assert not any(name.startswith(("tests/", "examples/")) for name in names)


def test_audit_from_the_unpacked_wheel_uses_its_own_data(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=str(site))
    probe = (
        "import vlicense, vlicense.resources as r; "
        "print(vlicense.__file__); print(r.policies_dir()); print(r.templates_dir())"
    )
    where = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    lines = where.stdout.splitlines()
    assert all(line.startswith(str(site)) for line in lines), lines
    assert "_data" in lines[1] and "_data" in lines[2]
    run = subprocess.run(
        [sys.executable, "-m", "vlicense", "audit", str(REPO / "examples" / "shelf-auditor"), "--format", "json", "--offline"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert report["context"]["policy"] == "closed-source-saas"
    assert report["verdict"] == "fail"
