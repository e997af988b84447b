"""NOTICE / attribution: grouped by license, license texts and NOTICE files from dist-info, model attribution lines."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from vlicense.model import Component, LicenseFact, Location
from vlicense.report import notice
from vlicense.report.notice_cli import build_notice, notice_command
from vlicense.resolution.installed import Environment

APACHE = "                                 Apache License\n                           Version 2.0, January 2004\n\n   TERMS AND CONDITIONS ...\n"
MIT = "MIT License\n\nCopyright (c) 2024 {who}\n\nPermission is hereby granted, free of charge, to any person obtaining a copy...\n"


def make_dist(site: Path, name: str, version: str, files: dict[str, str], *, license_expr: str | None = None,
              listed: list[str] | None = None) -> Path:
    meta = site / f"{name}-{version}.dist-info"
    meta.mkdir(parents=True)
    headers = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}"]
    if license_expr:
        headers.append(f"License-Expression: {license_expr}")
    headers += [f"License-File: {entry}" for entry in (listed if listed is not None else sorted(files))]
    (meta / "METADATA").write_text("\n".join(headers) + "\n\n", encoding="utf-8")
    for rel, text in files.items():
        path = meta / "licenses" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return meta


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    make_dist(site, "alpha", "1.0", {"LICENSE": APACHE, "NOTICE": "Alpha\nCopyright 2024 The Alpha Authors\r\n"},
              license_expr="Apache-2.0")
    make_dist(site, "beta", "2.0", {"LICENSE.txt": APACHE, "AUTHORS": "Beta was written by B. Eta.\n"}, license_expr="Apache-2.0")
    make_dist(site, "gamma", "3.0", {"LICENSE": MIT.format(who="Gamma Inc."), "vendor/sub/COPYING": MIT.format(who="Sub")},
              license_expr="MIT")
    # Hostile metadata: a License-File that escapes the folder, and a symlink that points outside.
    evil = make_dist(site, "evil", "0.1", {}, license_expr="MIT", listed=["../../../../../../etc/hostname", "/etc/passwd"])
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    (evil / "LICENSE").symlink_to(secret)
    return site


def components() -> list[Component]:
    return [
        Component(id="pypi:alpha", kind="library", name="alpha", version="1.0", license="Apache-2.0"),
        Component(id="pypi:beta", kind="library", name="beta", version="2.0", license="Apache-2.0", direct=False),
        Component(id="pypi:gamma", kind="library", name="gamma", version="3.0", license="MIT"),
        Component(id="pypi:evil", kind="library", name="evil", version="0.1", license="MIT"),
        Component(id="pypi:missing", kind="library", name="missing", license="BSD-3-Clause"),
        Component(id="pypi:pytest", kind="library", name="pytest", license="MIT", scope="test"),
        Component(id="pypi:mystery", kind="library", name="mystery"),
        Component(id="hf:org/detector", kind="model", name="org/detector", loader="huggingface", license="Apache-2.0",
                  facts=[LicenseFact("hf-cache", "Apache-2.0", "card metadata license: apache-2.0")],
                  locations=[Location("app.py", 3)]),
        Component(id="timm:vit.nc", kind="model", name="vit.nc", loader="timm", license="CC-BY-NC-4.0",
                  license_source="knowledge-base"),
    ]


def render_notice(make_result, site: Path) -> str:  # type: ignore[no-untyped-def]
    env = Environment.from_paths([site])
    return notice.render(make_result(comps=components()), env)


def section(text: str, title: str) -> str:
    start = text.index(f"\n{title}\n")
    end = text.find("\n\n\n", start)
    return text[start : end if end != -1 else None]


def test_grouped_by_license_unknown_last(make_result, site: Path) -> None:  # type: ignore[no-untyped-def]
    text = render_notice(make_result, site)
    titles = [line for line in text.splitlines() if line.startswith(("License: ", "License unknown"))]
    assert titles == ["License: Apache-2.0", "License: BSD-3-Clause", "License: CC-BY-NC-4.0", "License: MIT", "License unknown"]
    apache = section(text, "License: Apache-2.0")
    assert "  Apache-2.0: Apache License 2.0 <https://" in apache
    assert "  - alpha 1.0 (library, pypi:alpha)" in apache and "  - beta 2.0 (library, pypi:beta)" in apache
    assert "  - org/detector (model, hf:org/detector)" in apache
    assert "pytest" not in text  # test-only dependencies do not ship
    assert "  Apache-2.0: 3 components" in text and "  unknown: 1 component" in text


def test_license_texts_and_notice_files(make_result, site: Path) -> None:  # type: ignore[no-untyped-def]
    text = render_notice(make_result, site)
    apache = section(text, "License: Apache-2.0")
    assert "License file: licenses/LICENSE" in apache and "TERMS AND CONDITIONS" in apache
    assert "NOTICE file: licenses/NOTICE\n\nAlpha\nCopyright 2024 The Alpha Authors" in apache
    assert "\r" not in text
    # The same Apache text shipped by two packages is printed once and referenced.
    assert apache.count("TERMS AND CONDITIONS") == 1
    assert "License file: licenses/LICENSE.txt\n(identical to the text printed above for alpha)" in apache
    assert "Attribution file: licenses/AUTHORS\n\nBeta was written by B. Eta." in apache
    mit = section(text, "License: MIT")
    # MIT texts differ by copyright holder: each one is kept, including nested license folders (PEP 639).
    assert "Copyright (c) 2024 Gamma Inc." in mit and "Copyright (c) 2024 Sub" in mit
    assert "License file: licenses/vendor/sub/COPYING" in mit


def test_hostile_metadata_is_not_followed(make_result, site: Path) -> None:  # type: ignore[no-untyped-def]
    text = render_notice(make_result, site)
    assert "TOP SECRET" not in text and "root:" not in text
    assert "pypi:evil: evil-0.1.dist-info ships no license file" in text


def test_missing_texts_and_unknown_licenses_need_attention(make_result, site: Path) -> None:  # type: ignore[no-untyped-def]
    text = render_notice(make_result, site)
    attention = section(text, "Needs attention before shipping")
    assert "pypi:missing: not installed in the target environment" in attention
    assert "pypi:mystery: license unknown: no attribution can be prepared" in attention
    assert "hf:org/detector" not in attention and "pypi:alpha" not in attention
    unknown = text[text.index("\nLicense unknown\n"):]
    assert "there is no permission to redistribute it" in unknown


def test_model_attribution_lines(make_result, site: Path) -> None:  # type: ignore[no-untyped-def]
    text = render_notice(make_result, site)
    assert (
        'Pretrained model "vit.nc" (timm:vit.nc, loaded with timm), licensed under CC-BY-NC-4.0: '
        "Creative Commons Attribution Non Commercial 4.0 (CC-BY-NC-4.0, https://"
    ) in text
    assert "Source: hf-cache: card metadata license: apache-2.0" in text
    assert "Source: knowledge-base" in text


def test_notice_is_deterministic(make_result, site: Path) -> None:  # type: ignore[no-untyped-def]
    first = render_notice(make_result, site)
    result = make_result(comps=list(reversed(components())))
    assert notice.render(result, Environment.from_paths([site])) == first


def test_notice_without_environment_lists_but_cannot_quote(make_result) -> None:  # type: ignore[no-untyped-def]
    text = notice.render(make_result(comps=components()[:1]), None)
    assert "License text not included: not installed in the target environment" in text


def test_notice_command(tmp_path: Path, site: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "requirements.txt").write_text("alpha==1.0\ngamma\n", encoding="utf-8")
    (project / "app.py").write_text("import alpha\nimport gamma\n", encoding="utf-8")
    # top_level.txt lets the import be matched to its distribution.
    for dist, module in (("alpha-1.0", "alpha"), ("gamma-3.0", "gamma")):
        (site / f"{dist}.dist-info" / "top_level.txt").write_text(module + "\n", encoding="utf-8")
    venv = tmp_path / "venv"
    out = tmp_path / "dist" / "NOTICE.txt"
    runner = CliRunner()
    res = runner.invoke(notice_command, [str(project), "--python", str(venv), "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "Product: proj" in text and "NOTICE file: licenses/NOTICE" in text and "Copyright (c) 2024 Gamma Inc." in text
    res = runner.invoke(notice_command, [str(project), "--python", str(venv)])
    assert res.exit_code == 0 and res.output == text  # stdout and file carry the same bytes
    fixed = lambda: datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)
    dated = build_notice(project, python=str(venv), clock=fixed)
    assert "on 2026-01-02" in dated and dated == build_notice(project, python=str(venv), clock=fixed)


def test_notice_command_bad_path(tmp_path: Path) -> None:
    res = CliRunner().invoke(notice_command, [str(tmp_path / "nope")])
    assert res.exit_code != 0 and "path does not exist" in str(res.exception)


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_attribution_files_reads_only_inside_dist_info(site: Path) -> None:
    env = Environment.from_paths([site])
    names = [f.name for f in notice.attribution_files(env.get("gamma"))]  # type: ignore[arg-type]
    assert names == ["licenses/LICENSE", "licenses/vendor/sub/COPYING"]
    assert notice.attribution_files(env.get("evil")) == []  # type: ignore[arg-type]


def test_a_fine_tune_names_its_base_and_the_base_terms(make_result) -> None:  # type: ignore[no-untyped-def]
    from vlicense.model import LineageLink

    base = LineageLink(id="hf:facebook/dinov2-small", license="Apache-2.0", source="hub-snapshot",
                       relation="base_model", path=("local:models/tuned", "hf:facebook/dinov2-small"))
    tuned = Component(id="local:models/tuned", kind="model", name="models/tuned", license="CC-BY-NC-4.0",
                      license_source="model-card", lineage=[base], locations=[Location("app.py", 3)])
    text = notice.render(make_result(comps=[tuned]), None)
    lines = text.splitlines()
    own = next(i for i, line in enumerate(lines) if line.startswith('Pretrained model "models/tuned"'))
    assert lines[own + 1].startswith('Derived from "facebook/dinov2-small" (hf:facebook/dinov2-small, via base_model), '
                                     "licensed under Apache-2.0: Apache License 2.0")
    assert lines[own + 1].endswith("its terms apply to this model too.")
