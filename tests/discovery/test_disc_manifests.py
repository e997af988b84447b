"""Manifests: requirements files with includes, pyproject.toml, setup.cfg, setup.py (AST only, never run)."""

from __future__ import annotations

import pytest


def reqs(d):
    return [(r.name, r.specifier, r.group, r.location.path, r.location.line) for r in d.requirements]


def test_requirements_with_includes_hashes_markers_and_urls(scan):
    d = scan(
        {
            "requirements.txt": """
                # runtime deps
                -r requirements/base.txt
                -c constraints.txt
                --index-url https://example.org/simple
                Torch>=2.1 ; python_version >= "3.10"  # trailing comment
                opencv_python==4.10.0.84 \\
                    --hash=sha256:abcdef
                ultralytics[export]>=8.3
                -e git+https://github.com/org/repo.git@v1#egg=my_lib
                -e .
                https://example.org/pkgs/foo_bar-1.0-py3-none-any.whl
                pillow @ https://example.org/pillow.tar.gz
                ./local/thing
                not a valid ==== requirement
                """,
            "requirements/base.txt": "numpy<3\n-r ../requirements-dev.txt\n",
            "requirements-dev.txt": "pytest\n-r requirements.txt\n",
            "constraints.txt": "numpy==1.26.4\n",
        }
    )
    assert reqs(d) == [
        ("pytest", "", "dev", "requirements-dev.txt", 1),
        ("torch", '>=2.1; python_version >= "3.10"', "runtime", "requirements.txt", 6),
        ("opencv-python", "==4.10.0.84", "runtime", "requirements.txt", 7),
        ("ultralytics", "[export]>=8.3", "runtime", "requirements.txt", 9),
        ("my-lib", "@ git+https://github.com/org/repo.git@v1#egg=my_lib", "runtime", "requirements.txt", 10),
        ("foo-bar", "@ https://example.org/pkgs/foo_bar-1.0-py3-none-any.whl", "runtime", "requirements.txt", 12),
        ("pillow", "@ https://example.org/pillow.tar.gz", "runtime", "requirements.txt", 13),
        ("numpy", "<3", "runtime", "requirements/base.txt", 1),
    ]
    assert [(s.path, s.reason) for s in d.skipped] == [
        ("requirements.txt", "line 14: requirement without a derivable package name (./local/thing)"),
        ("requirements.txt", "line 15: requirement without a derivable package name (not a valid ==== requirement)"),
    ]
    # constraints.txt is only a -c target: pins are not dependencies.
    assert "constraints.txt" not in {r.location.path for r in d.requirements}


def test_missing_and_escaping_includes_are_reported(scan):
    d = scan({"requirements.txt": "-r nope.txt\n--requirement=../../outside.txt\nrequests\n"})
    assert [r.name for r in d.requirements] == ["requests"]
    assert [s.reason for s in d.skipped] == [
        "line 1: included file nope.txt not found",
        "line 2: include ../../outside.txt is outside the project",
    ]


def test_pyproject_all_sections(scan):
    d = scan(
        {
            "pyproject.toml": """
                [project]
                name = "app"
                dependencies = [
                  "timm>=1.0",
                  "transformers[torch]",
                ]

                [project.optional-dependencies]
                export = ["onnx>=1.15"]

                [dependency-groups]
                test = ["pytest>=8", {include-group = "lint"}]
                lint = ["ruff"]

                [tool.poetry.dependencies]
                python = "^3.10"
                Ultralytics = "^8.3"
                torch = {version = ">=2.2", source = "pytorch"}

                [tool.poetry.group.docs.dependencies]
                mkdocs = "*"
                """
        }
    )
    assert sorted(reqs(d), key=lambda r: r[4]) == [
        ("timm", ">=1.0", "runtime", "pyproject.toml", 5),
        ("transformers", "[torch]", "runtime", "pyproject.toml", 6),
        ("onnx", ">=1.15", "optional:export", "pyproject.toml", 10),
        ("pytest", ">=8", "group:test", "pyproject.toml", 13),
        ("ruff", "", "group:lint", "pyproject.toml", 14),
        ("ultralytics", "^8.3", "runtime", "pyproject.toml", 18),
        ("torch", ">=2.2", "runtime", "pyproject.toml", 19),
        ("mkdocs", "*", "group:docs", "pyproject.toml", 22),
    ]


def test_malformed_manifests_are_skipped(scan):
    d = scan({"pyproject.toml": "[project\ndependencies = [", "setup.cfg": "no section header\n", "requirements.txt": b"\xff\xfe\x00"})
    reasons = {s.path: s.reason for s in d.skipped}
    assert reasons["pyproject.toml"].startswith("malformed TOML")
    assert reasons["setup.cfg"].startswith("malformed setup.cfg")
    assert reasons["requirements.txt"] == "binary file (contains NUL bytes)"
    assert d.requirements == []


def test_setup_cfg(scan):
    d = scan(
        {
            "setup.cfg": """
                [metadata]
                name = app

                [options]
                install_requires =
                    timm>=0.9
                    # a comment
                    pyyaml

                [options.extras_require]
                hub = huggingface_hub>=0.20
                """
        }
    )
    assert reqs(d) == [
        ("timm", ">=0.9", "runtime", "setup.cfg", 7),
        ("pyyaml", "", "runtime", "setup.cfg", 9),
        ("huggingface-hub", ">=0.20", "optional:hub", "setup.cfg", 12),
    ]


def test_setup_py_is_read_from_the_ast_and_never_run(scan, tmp_path):
    marker = tmp_path / "EXECUTED"
    d = scan(
        {
            "setup.py": f"""
                from setuptools import setup
                open({str(marker)!r}, "w").write("ran")
                DEPS = ["timm>=1.0", "open_clip_torch"]
                setup(
                    name="app",
                    install_requires=DEPS,
                    extras_require={{"hf": ["transformers"], "dyn": compute()}},
                )
                """
        }
    )
    assert not marker.exists()
    assert reqs(d) == [
        ("open-clip-torch", "", "runtime", "setup.py", 4),
        ("timm", ">=1.0", "runtime", "setup.py", 4),
        ("transformers", "", "optional:hf", "setup.py", 8),
    ]
    assert [s.reason for s in d.skipped] == ["setup() line 8: optional:dyn requirements are not a literal list"]
    assert [i.module for i in d.imports] == ["setuptools"]


# ------------------------------------------------------------------------------ first-party distributions


OWN_MENTIONS = {
    ".github/workflows/ci.yml": """
        jobs:
          test:
            steps:
              - run: pip install sahi
              - run: pip install "sahi[dev]==0.11" pytest
        """,
    "Dockerfile": "FROM python:3.11\nRUN pip install sahi==0.11.0 && pip install tool-kit\n",
    "requirements-dev.txt": "sahi\ntool_kit>=1\nrequests\n",
    "docs/poetry.lock": '[[package]]\nname = "sahi"\nversion = "0.11.0"\n\n[package.dependencies]\nrequests = "*"\n\n'
                        '[[package]]\nname = "requests"\nversion = "2.32.0"\n',
    "notebooks/demo.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null, '
                            '"source": ["%pip install sahi tool-kit\\n", "import sahi\\n"]}], "metadata": {}, '
                            '"nbformat": 4, "nbformat_minor": 5}',
}


def test_the_project_s_own_distribution_is_never_a_requirement(scan):
    d = scan({
        "pyproject.toml": '[project]\nname = "SAHI"\nversion = "0.1"\ndependencies = ["numpy"]\n',
        "sahi/__init__.py": "import numpy\n",
        "tools/kit/setup.py": 'from setuptools import setup\nsetup(name="tool_kit", install_requires=["sahi", "pyyaml"])\n',
        "tools/kit/tool_kit/__init__.py": "",
        **OWN_MENTIONS,
    })
    assert d.own_distributions == frozenset({"sahi", "tool-kit"})
    names = {r.name for r in d.requirements}
    assert names == {"numpy", "pytest", "requests", "pyyaml"}
    assert "sahi" not in {i.module for i in d.imports}


@pytest.mark.parametrize(
    "files",
    [
        {"pyproject.toml": '[tool.poetry]\nname = "sahi"\nversion = "0.1"\n'},
        {"setup.cfg": "[metadata]\nname = sahi\n\n[options]\ninstall_requires =\n    requests\n"},
        {"setup.py": 'from setuptools import setup\nNAME = "sahi"\nsetup(name=NAME, version="1")\n'},
        {"sub/project/pyproject.toml": '[project]\nname = "sahi"\n'},
    ],
)
def test_every_way_of_naming_the_project_counts(scan, files):
    d = scan({**files, **OWN_MENTIONS})
    assert "sahi" in d.own_distributions
    assert "sahi" not in {r.name for r in d.requirements}
    assert "tool-kit" in {r.name for r in d.requirements}  # not this project's: a third-party requirement


def test_a_name_that_is_not_a_literal_names_nothing(scan):
    d = scan({"setup.py": "import os\nfrom setuptools import setup\nsetup(name=os.environ['NAME'])\n",
              "pyproject.toml": '[project]\nname = "{{ cookiecutter.name }}"\n', **OWN_MENTIONS})
    assert d.own_distributions == frozenset()
    assert "sahi" in {r.name for r in d.requirements}
