"""Lock files (uv.lock, poetry.lock, pylock.toml, Pipfile.lock, Pipfile) -> exact requirements and the lock graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vlicense.discovery import registry
from vlicense.discovery.lockfiles import is_lock_file, scan_lock_file

UV_LOCK = """\
version = 1
requires-python = ">=3.10"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "wrapper" },
    { name = "requests", extra = ["socks"] },
]

[package.optional-dependencies]
viz = [
    { name = "plotlib" },
]

[package.dev-dependencies]
test = [
    { name = "pytest" },
]

[[package]]
name = "wrapper"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "agpl-core" },
    { name = "winonly", marker = "sys_platform == 'win32'" },
]

[[package]]
name = "agpl-core"
version = "1.4.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "requests"
version = "2.32.3"
source = { registry = "https://pypi.org/simple" }

[package.optional-dependencies]
socks = [
    { name = "pysocks" },
]

[[package]]
name = "pysocks"
version = "1.7.1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "plotlib"
version = "3.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "winonly"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
"""

POETRY_LOCK = """\
[[package]]
name = "requests"
version = "2.31.0"
optional = false
python-versions = ">=3.7"
groups = ["main"]

[package.dependencies]
certifi = ">=2017.4.17"
PySocks = {version = ">=1.5.6,!=1.5.7", optional = true}

[package.extras]
socks = ["PySocks (>=1.5.6,!=1.5.7)"]

[[package]]
name = "certifi"
version = "2024.2.2"
groups = ["main"]

[[package]]
name = "black"
version = "24.1.0"
category = "dev"

[[package]]
name = "pytest"
version = "8.0.0"
groups = ["test"]

[metadata]
lock-version = "2.1"
"""

PYLOCK = """\
lock-version = "1.0"
requires-python = ">=3.11"
dependency-groups = ["dev"]
created-by = "uv"

[[packages]]
name = "numpy"
version = "2.1.0"
dependencies = []

[[packages]]
name = "pandas"
version = "2.2.0"
dependencies = [{ name = "numpy" }]

[[packages]]
name = "ruff"
version = "0.6.0"
marker = "'dev' in dependency_groups"
"""

PIPFILE_LOCK = {
    "_meta": {"hash": {"sha256": "x"}},
    "default": {"flask": {"hashes": [], "version": "==3.0.0"}, "jinja2": {"version": "==3.1.4"}},
    "develop": {"pytest": {"version": "==8.0.0"}},
}

PIPFILE = """\
[packages]
flask = "*"
"Jinja2" = {version = ">=3.1"}

[dev-packages]
pytest = "==8.0.0"
"""


def scan(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return scan_lock_file(path, name, "runtime")


def by_name(found):
    return {r.name: r for r in found.requirements}


def test_the_scanner_registers_for_every_lock_format():
    registry.load_builtin_scanners()
    for rel in ("uv.lock", "sub/poetry.lock", "pylock.toml", "pylock.prod.toml", "Pipfile.lock", "Pipfile"):
        assert [e.name for e in registry.scanners_for(rel) if e.name == "lockfiles"] == ["lockfiles"], rel
    for rel in ("uv.lock.bak", "pylock.toml.txt", "poetry.lock.old", "requirements.txt", "mylock.toml", "Pipfile.txt"):
        assert not is_lock_file(rel), rel


def test_uv_lock_pins_versions_marks_direct_dependencies_and_keeps_the_graph(tmp_path):
    found = scan(tmp_path, "uv.lock", UV_LOCK)
    reqs = by_name(found)
    assert "app" not in reqs  # the project itself is first party
    assert reqs["wrapper"].specifier == "==2.0.0" and reqs["wrapper"].direct and reqs["wrapper"].group == "runtime"
    assert reqs["agpl-core"].direct is False
    assert reqs["plotlib"].group == "optional:viz" and reqs["plotlib"].direct
    assert reqs["pytest"].group == "group:test" and reqs["pytest"].direct
    assert reqs["wrapper"].locked_requires == ("agpl-core", 'winonly; (sys_platform == \'win32\')')
    assert reqs["requests"].locked_requires == ('pysocks; extra == "socks"',)
    # The location points at the package's entry in the lock file.
    assert reqs["agpl-core"].location.path == "uv.lock"
    assert UV_LOCK.splitlines()[reqs["agpl-core"].location.line - 1] == 'name = "agpl-core"'


def test_poetry_lock_groups_and_optional_dependencies(tmp_path):
    reqs = by_name(scan(tmp_path, "poetry.lock", POETRY_LOCK))
    assert reqs["requests"].group == "runtime" and reqs["requests"].specifier == "==2.31.0"
    assert reqs["black"].group == "dev"
    assert reqs["pytest"].group == "group:test"
    assert all(not r.direct for r in reqs.values())  # poetry.lock does not say what the project declares
    assert set(reqs["requests"].locked_requires) == {"certifi", 'pysocks; extra == "socks"'}


def test_pylock_toml_dependencies_and_group_markers(tmp_path):
    reqs = by_name(scan(tmp_path, "pylock.toml", PYLOCK))
    assert reqs["pandas"].locked_requires == ("numpy",)
    assert reqs["numpy"].locked_requires == ()
    assert reqs["ruff"].group == "group:dev"
    assert reqs["ruff"].locked_requires is None  # no recorded graph is not "no dependencies"


def test_pipfile_lock_and_pipfile(tmp_path):
    lock = by_name(scan(tmp_path, "Pipfile.lock", json.dumps(PIPFILE_LOCK, indent=4)))
    assert lock["flask"].specifier == "==3.0.0" and lock["flask"].group == "runtime" and not lock["flask"].direct
    assert lock["pytest"].group == "dev"
    assert lock["flask"].locked_requires is None
    assert lock["flask"].location.line > 0
    pipfile = by_name(scan(tmp_path, "Pipfile", PIPFILE))
    assert pipfile["flask"].direct and pipfile["flask"].specifier == ""
    assert pipfile["jinja2"].specifier == ">=3.1"
    assert pipfile["pytest"].group == "dev" and pipfile["pytest"].location.line == 6


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("uv.lock", "[[package]\nname = ", "malformed TOML"),
        ("poetry.lock", "package = 3\n", None),
        ("Pipfile.lock", "{not json", "malformed JSON"),
        ("Pipfile.lock", "[1, 2]", "not a JSON object"),
        ("pylock.toml", "[[packages]]\nname = 42\nversion = []\n", None),
    ],
)
def test_hostile_lock_files_never_raise(tmp_path, name, text, reason):
    found = scan(tmp_path, name, text)
    assert found.requirements == []
    if reason:
        assert len(found.skipped) == 1 and reason in found.skipped[0].reason
    else:
        assert found.skipped == []


def test_binary_lock_file_is_skipped_with_a_reason(tmp_path):
    path = tmp_path / "uv.lock"
    path.write_bytes(b"\x00\x01binary")
    found = scan_lock_file(path, "uv.lock", "runtime")
    assert found.requirements == [] and "binary" in found.skipped[0].reason
