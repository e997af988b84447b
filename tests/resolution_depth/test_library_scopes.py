"""Library components: scopes, direct/introduced_by from an installed env or from a lock graph, PyPI fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypi_server import pypi_server
from resolution.resolution_dists import write_dist

from vlicense.discovery.lockfiles import scan_lock_file
from vlicense.model import Discovery, ImportReference, Location, RequirementReference
from vlicense.resolution.components import build_components, normalize_scope
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.installed import Environment
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.resolution.pypi import PyPIResolver

UV_LOCK = """\
version = 1

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "wrapper" }]

[package.dev-dependencies]
test = [{ name = "pytest-thing" }]

[[package]]
name = "wrapper"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "agpl-core" }]

[[package]]
name = "agpl-core"
version = "1.4.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest-thing"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "agpl-core" }]

[[package]]
name = "orphan"
version = "0.1"
source = { registry = "https://pypi.org/simple" }
"""


@pytest.mark.parametrize(
    ("group", "scope"),
    [
        ("runtime", "runtime"),
        ("main", "runtime"),
        ("optional:GPU", "optional:gpu"),
        ("group:test", "test"),
        ("group:tests", "test"),
        ("test", "test"),
        ("group:docs", "docs"),
        ("group:lint", "dev"),
        ("dev", "dev"),
        ("group:serve", "group:serve"),
        # Look-alikes: names that only contain a keyword are not classified by it.
        ("group:attestation", "group:attestation"),
        ("group:contest", "group:contest"),
        ("notebook", "notebook"),
    ],
)
def test_normalize_scope(group, scope):
    assert normalize_scope(group) == scope


def components(found: Discovery, pypi: PyPIResolver | None = None, env: Environment | None = None):
    result = build_components(
        found,
        environment=env or Environment.from_paths([], "3.12"),
        kb=KnowledgeBase.load(),
        hub=HubResolver(offline=True),
        project_path=lambda name: None,
        pypi=pypi,
    )
    return {c.id: c for c in result}


def lock_discovery(tmp_path: Path) -> Discovery:
    path = tmp_path / "uv.lock"
    path.write_text(UV_LOCK)
    return Discovery(requirements=scan_lock_file(path, "uv.lock", "runtime").requirements)


@pytest.fixture
def index(monkeypatch):
    with pypi_server() as (url, state):
        monkeypatch.setenv("VLICENSE_PYPI_URL", url)
        yield state


def test_lock_graph_gives_paths_versions_and_scopes_without_an_environment(tmp_path, index):
    index.release("wrapper", "2.0.0", license_expression="MIT")
    index.release("agpl-core", "1.4.2", classifiers=["License :: OSI Approved :: GNU Affero General Public License v3"])
    index.release("pytest-thing", "1.0", license_expression="MIT")
    index.release("orphan", "0.1", license="MIT")
    by_id = components(lock_discovery(tmp_path), PyPIResolver(offline=False))
    core = by_id["pypi:agpl-core"]
    # An AGPL package pulled in through an MIT wrapper: the path names the wrapper.
    assert core.direct is False
    assert ["<project>", "wrapper", "agpl-core"] in core.introduced_by
    assert core.scope == "runtime"  # runtime path wins over the test-group path
    assert core.version == "1.4.2"
    assert core.license is not None and core.license.startswith("AGPL-3.0")
    assert core.license_source == "pypi"
    assert any("version pinned in uv.lock" in n for n in core.notes)
    wrapper = by_id["pypi:wrapper"]
    assert wrapper.direct and wrapper.introduced_by == [["<project>", "wrapper"]] and wrapper.license == "MIT"
    assert by_id["pypi:pytest-thing"].scope == "test"
    orphan = by_id["pypi:orphan"]
    assert orphan.direct is False and orphan.introduced_by == []
    assert any("no path from the project" in n for n in orphan.notes)
    # PyPI was asked for the exact locked versions.
    assert "/pypi/agpl-core/1.4.2/json" in index.requests


def test_offline_libraries_not_in_the_kb_stay_unknown_and_say_why(tmp_path):
    by_id = components(lock_discovery(tmp_path), PyPIResolver(offline=True))
    core = by_id["pypi:agpl-core"]
    assert core.license is None and core.facts == []
    assert "PyPI not consulted (offline)" in core.notes


def test_kb_answers_before_pypi(tmp_path, index):
    found = Discovery(requirements=[RequirementReference("numpy", "==2.1.0", Location("requirements.txt", 1))])
    by_id = components(found, PyPIResolver(offline=False))
    assert by_id["pypi:numpy"].license_source == "knowledge-base"
    assert by_id["pypi:numpy"].version == "2.1.0"
    assert index.requests == []


def test_failed_pypi_lookup_is_a_failed_fact(tmp_path, index):
    index.answers["mystery/1.0"] = 500
    found = Discovery(requirements=[RequirementReference("mystery", "==1.0", Location("requirements.txt", 1))])
    component = components(found, PyPIResolver(offline=False))["pypi:mystery"]
    assert component.license is None
    assert [(f.source, f.license) for f in component.facts] == [("pypi", None)]
    assert "HTTP 500" in component.facts[0].detail


def test_scopes_from_imports_and_manifest_groups():
    here = Location("tests/test_app.py", 1)
    found = Discovery(
        imports=[ImportReference("pytest", here, scope="test"), ImportReference("numpy", Location("app.py", 1))],
        requirements=[
            RequirementReference("numpy", ">=1", Location("pyproject.toml", 5), "group:dev"),
            RequirementReference("sphinx", "", Location("pyproject.toml", 9), "group:docs"),
            RequirementReference("pillow", "", Location("pyproject.toml", 7), "optional:images"),
        ],
    )
    by_id = components(found)
    assert by_id["pypi:pytest"].scope == "test"
    assert by_id["pypi:numpy"].scope == "runtime"  # imported by shipped code: runtime even if a dev group lists it
    assert by_id["pypi:numpy"].locations[0].path == "app.py"
    assert by_id["pypi:sphinx"].scope == "docs"
    assert by_id["pypi:pillow"].scope == "optional:images"


# ----------------------------------------------------------------------- two kinds of unknown (libraries)


def test_unknown_library_kinds(tmp_path, index):
    site = tmp_path / "site"
    write_dist(site, "silent", headers=[], top_level=["silent"])
    write_dist(site, "old-setuptools", headers=[("License", "UNKNOWN")], top_level=["old_setuptools"])
    write_dist(site, "odd-text", headers=[("License", "see the file, ask legal")], top_level=["odd"])
    write_dist(site, "meta-toolkit", headers=[], record=["meta_toolkit-1.0.dist-info/METADATA"])
    index.release("bare", "1.0")  # PyPI knows the release but its metadata names no license
    names = ["silent", "old-setuptools", "odd-text", "meta-toolkit", "bare"]
    found = Discovery(requirements=[RequirementReference(n, "==1.0", Location("requirements.txt", i + 1))
                                    for i, n in enumerate(names)])
    by_id = components(found, PyPIResolver(offline=False), Environment.from_paths([site], "3.12"))
    kinds = {name: (by_id[f"pypi:{name}"].license, by_id[f"pypi:{name}"].license_unknown) for name in names}
    assert kinds == {
        "silent": (None, "declared-none"),
        "old-setuptools": (None, "declared-none"),
        "odd-text": (None, "not-determined"),
        "meta-toolkit": (None, "not-determined"),
        "bare": (None, "declared-none"),
    }
    assert by_id["pypi:silent"].unknown_reason.startswith("its installed metadata has no License-Expression")
    assert by_id["pypi:bare"].unknown_reason.startswith("its PyPI metadata has no License-Expression")
    assert "meta-package" in by_id["pypi:meta-toolkit"].unknown_reason
    assert "could not identify" in by_id["pypi:odd-text"].unknown_reason


def test_offline_and_failing_pypi_are_not_determined(tmp_path, index):
    offline = components(lock_discovery(tmp_path), PyPIResolver(offline=True))["pypi:agpl-core"]
    assert offline.license_unknown == "not-determined" and "rerun without --offline" in offline.unknown_reason
    index.answers["mystery/1.0"] = 500
    found = Discovery(requirements=[RequirementReference("mystery", "==1.0", Location("requirements.txt", 1))])
    failing = components(found, PyPIResolver(offline=False))["pypi:mystery"]
    assert failing.license_unknown == "not-determined" and "HTTP 500" in failing.unknown_reason


def test_the_project_s_own_distribution_is_first_party_in_the_installed_closure(tmp_path):
    site = tmp_path / "site"
    write_dist(site, "sahi", headers=[("Requires-Dist", "requests")], top_level=["sahi"])
    write_dist(site, "sahi-plugin", headers=[("Requires-Dist", "sahi"), ("License-Expression", "MIT")],
               top_level=["sahi_plugin"])
    write_dist(site, "requests", headers=[("License-Expression", "Apache-2.0")], top_level=["requests"])
    found = Discovery(
        imports=[ImportReference("sahi", Location("app.py", 1)), ImportReference("sahi_plugin", Location("app.py", 2))],
        own_distributions=frozenset({"sahi"}),
    )
    by_id = components(found, env=Environment.from_paths([site], "3.12"))
    # sahi (imported, or required by the plugin) is the project itself; what it requires is still third-party.
    assert set(by_id) == {"pypi:sahi-plugin", "pypi:requests"}


def test_an_import_from_a_checkout_the_tree_lacks_is_not_looked_up_as_a_pypi_namesake(tmp_path, index):
    # ``sys.path.insert(0, "grounded-sam-osx")`` then ``from utils import ...``: PyPI's "utils" is another project.
    index.release("utils", None, license_expression="MIT")
    index.release("mystery-lib", None, license_expression="Apache-2.0")
    edit = Location("demo.py", 3, 1, 'sys.path.insert(0, "grounded-sam-osx")')
    found = Discovery(imports=[
        ImportReference("utils", Location("demo.py", 4, 1, "from utils import vis"), checkout=("grounded-sam-osx", edit)),
        # Declared in a manifest: a distribution the project installs, whatever sys.path says.
        ImportReference("mystery_lib", Location("demo.py", 5, 1, "import mystery_lib"), checkout=("grounded-sam-osx", edit)),
        # Known to the knowledge base: a library, not a guess.
        ImportReference("numpy", Location("demo.py", 6, 1, "import numpy"), checkout=("grounded-sam-osx", edit)),
    ], requirements=[RequirementReference("mystery-lib", "", Location("requirements.txt", 1))])
    by_id = components(found, PyPIResolver(offline=False))
    utils = by_id["pypi:utils"]
    assert utils.license is None and utils.facts == []
    assert any("follows a sys.path edit adding 'grounded-sam-osx' (demo.py:3)" in n and "not the PyPI distribution 'utils'" in n
               for n in utils.notes)
    assert by_id["pypi:mystery-lib"].license == "Apache-2.0"
    assert by_id["pypi:numpy"].license_source == "knowledge-base"
    assert index.requests == ["/pypi/mystery-lib/json"]


# ------------------------------------------------------------------ one module, several distributions


def _imports_and_requires(imports: list[str], requires: list[str]) -> Discovery:
    return Discovery(
        imports=[ImportReference(m, Location("app.py", i + 1)) for i, m in enumerate(imports)],
        requirements=[RequirementReference(n, "", Location("requirements.txt", i + 1)) for i, n in enumerate(requires)],
    )


def test_a_declared_distribution_owns_an_import_several_distributions_provide(tmp_path):
    # ByteTrack/yolov7 declare MIT "thop"; the auditing environment holds AGPL ultralytics-thop (same module).
    site = tmp_path / "site"
    write_dist(site, "ultralytics-thop", "2.2.3", headers=[("License", "AGPL-3.0")], top_level=["thop"])
    env = Environment.from_paths([site], "3.12")
    by_id = components(_imports_and_requires(["thop", "cv2"], ["thop", "opencv-python-headless"]), env=env)
    assert "pypi:ultralytics-thop" not in by_id and "pypi:opencv-python" not in by_id
    assert by_id["pypi:thop"].license == "MIT"
    assert [loc.path for loc in by_id["pypi:thop"].locations] == ["app.py", "requirements.txt"]
    assert [loc.path for loc in by_id["pypi:opencv-python-headless"].locations] == ["app.py", "requirements.txt"]
    assert any("which the project declares" in n for n in by_id["pypi:thop"].notes)
    # Undeclared, the environment (or the usual distribution) still answers.
    by_id = components(_imports_and_requires(["thop", "cv2"], []), env=env)
    assert by_id["pypi:ultralytics-thop"].license.startswith("AGPL-3.0") and "pypi:opencv-python" in by_id
    # Declared and installed: the environment's own answer stands.
    write_dist(site, "thop", "0.1.1", headers=[("License", "MIT")], top_level=["thop"])
    by_id = components(_imports_and_requires(["thop"], ["thop"]), env=Environment.from_paths([site], "3.12"))
    assert "pypi:thop" in by_id and "pypi:ultralytics-thop" in by_id
