"""Environment.from_paths on hand-written .dist-info / .egg-info layouts (PEP 639 fields, files, classifiers, breakage)."""

from __future__ import annotations

import pytest

from pathlib import Path

from resolution_dists import AGPL_TEXT, APACHE_TEXT, BSD3_TEXT, MIT_TEXT, write_dist

from vlicense.resolution.installed import Environment

BSD_UNSPEC = "LicenseRef-vlicense-BSD-unspecified"


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    return site


def test_license_expression_wins_and_is_normalized(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "packaging", headers=[("License-Expression", "apache-2.0 or bsd-2-clause"),
                                           ("Classifier", "License :: OSI Approved :: MIT License")])
    dist = Environment.from_paths([site]).get("packaging")
    assert dist.license == "Apache-2.0 OR BSD-2-Clause"
    assert dist.license_source == "License-Expression"
    assert dist.facts[0].license == "Apache-2.0 OR BSD-2-Clause"
    assert dist.facts[0].source == "installed-metadata"
    assert "License-Expression" in dist.facts[0].detail
    # The classifier disagrees: kept as a second fact, not hidden.
    assert [f.license for f in dist.facts] == ["Apache-2.0 OR BSD-2-Clause", "MIT"]


def test_license_file_text_resolves_generic_bsd_classifier(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "Jinja2", version="3.1.6", headers=[("License-File", "LICENSE.txt"),
                                                          ("Classifier", "License :: OSI Approved :: BSD License")],
               license_files={"LICENSE.txt": BSD3_TEXT})
    env = Environment.from_paths([site])
    dist = env.get("jinja2")
    assert (dist.name, dist.display_name, dist.version) == ("jinja2", "Jinja2", "3.1.6")
    assert dist.license == "BSD-3-Clause"
    assert dist.license_source == "License-File LICENSE.txt"
    # Generic BSD narrowed by the text is agreement: one fact only.
    assert len(dist.facts) == 1


def test_license_file_in_dist_info_root_without_listing(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "oldwheel", headers=[("Classifier", "License :: OSI Approved :: BSD License")],
               license_files={"LICENSE": BSD3_TEXT}, licenses_folder=False)
    assert Environment.from_paths([site]).get("oldwheel").license == "BSD-3-Clause"


def test_generic_bsd_without_text_stays_unspecified(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "mpmath", headers=[("License", "BSD"), ("Classifier", "License :: OSI Approved :: BSD License")])
    dist = Environment.from_paths([site]).get("mpmath")
    assert dist.license == BSD_UNSPEC


def test_short_license_field_refines_vague_classifier(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "ipython", headers=[("License", "BSD-3-Clause"),
                                         ("Classifier", "License :: OSI Approved :: BSD License")])
    dist = Environment.from_paths([site]).get("ipython")
    assert dist.license == "BSD-3-Clause"
    assert dist.license_source == "License"


def test_long_license_text_in_license_field_is_identified(tmp_path):
    site = _site(tmp_path)
    folded = MIT_TEXT.replace("\n", "\n        ")  # setuptools folds multi-line headers with 8 spaces
    write_dist(site, "pasted", headers=[("License", folded)])
    dist = Environment.from_paths([site]).get("pasted")
    assert dist.license == "MIT"
    assert dist.license_source == "License"
    assert len(dist.facts[0].detail) <= len("License: ") + 200  # the raw value is truncated to 200 chars
    assert dist.facts[0].detail.endswith("…")


def test_unknown_and_missing_license_are_none_with_a_fact(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "mystery", headers=[("License", "UNKNOWN")])
    write_dist(site, "silent")
    env = Environment.from_paths([site])
    assert env.get("mystery").license is None
    assert env.get("mystery").facts[0].license is None
    assert "UNKNOWN" in env.get("mystery").facts[0].detail
    assert env.get("silent").license is None
    assert env.get("silent").license_source is None


def test_several_classifiers_are_not_guessed_but_license_field_settles(tmp_path):
    site = _site(tmp_path)
    cls = [("Classifier", "License :: OSI Approved :: MIT License"),
           ("Classifier", "License :: OSI Approved :: Apache Software License")]
    write_dist(site, "trio", headers=[*cls, ("License", "MIT OR Apache-2.0")])
    write_dist(site, "python-dateutil", headers=[*cls, ("License", "Dual License")])
    env = Environment.from_paths([site])
    assert env.get("trio").license == "MIT OR Apache-2.0"
    assert env.get("python-dateutil").license is None


def test_disagreeing_license_files_are_not_combined(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "twofiles", headers=[("License-File", "LICENSE-MIT"), ("License-File", "LICENSE-APACHE"),
                                          ("License", "Apache-2.0 OR MIT")],
               license_files={"LICENSE-MIT": MIT_TEXT, "LICENSE-APACHE": APACHE_TEXT})
    dist = Environment.from_paths([site]).get("twofiles")
    assert dist.license == "Apache-2.0 OR MIT"
    assert dist.license_source == "License"


def test_hostile_license_file_paths_are_ignored(tmp_path):
    site = _site(tmp_path)
    (tmp_path / "LICENSE").write_text(AGPL_TEXT)
    write_dist(site, "sneaky", headers=[("License-File", "../../../../../LICENSE"), ("License-File", "/etc/passwd"),
                                        ("License", "MIT")])
    assert Environment.from_paths([site]).get("sneaky").license == "MIT"


def test_readme_listed_as_license_file_is_not_read_as_a_license(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "readme-listed", headers=[("License-File", "README.rst"), ("License", "MIT")],
               license_files={"README.rst": APACHE_TEXT})
    assert Environment.from_paths([site]).get("readme-listed").license == "MIT"


def test_broken_metadata_is_skipped_with_a_problem_and_others_still_read(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "broken", metadata_text="\x00\xff garbage without headers")
    (site / "nometa-1.0.dist-info").mkdir()
    write_dist(site, "fine", headers=[("License-Expression", "MIT")])
    env = Environment.from_paths([site])
    assert list(env.distributions) == ["fine"]
    reasons = sorted(p.reason for p in env.problems)
    assert len(reasons) == 2
    assert any("no Name" in r for r in reasons)
    assert any("not readable" in r for r in reasons)


def test_egg_info_folder_and_file(tmp_path):
    site = _site(tmp_path)
    folder = write_dist(site, "lazr.uri", egg=True, headers=[
        ("License", "LGPL v3"),
        ("Classifier", "License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)")])
    (folder / "requires.txt").write_text("setuptools\n\n[docs]\nsphinx\n")
    (site / "single-1.0.egg-info").write_text("Metadata-Version: 1.0\nName: single\nVersion: 1.0\nLicense: MIT\n")
    env = Environment.from_paths([site])
    uri = env.get("lazr-uri")
    assert uri.license == "LGPL-3.0-only"
    assert uri.requires == ("setuptools", 'sphinx; extra == "docs"')
    assert env.get("single").license == "MIT"


def test_first_distribution_on_the_path_wins(tmp_path):
    first = tmp_path / "a" / "site-packages"
    second = tmp_path / "b" / "site-packages"
    write_dist(first, "dup", "2.0", headers=[("License", "MIT")])
    write_dist(second, "dup", "1.0", headers=[("License", "GPLv3")])
    dist = Environment.from_paths([first, second]).get("DUP")
    assert (dist.version, dist.license) == ("2.0", "MIT")


def test_requires_and_python_version(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "wrapper", headers=[("Requires-Dist", "ultralytics>=8"),
                                         ("Requires-Dist", 'pytest; extra == "test"')])
    env = Environment.from_paths([site])
    assert env.python_version == "3.11"
    assert env.get("wrapper").requires == ("ultralytics>=8", 'pytest; extra == "test"')


def test_python_version_from_pyvenv_cfg_on_windows_layout(tmp_path):
    prefix = tmp_path / "winvenv"
    site = prefix / "Lib" / "site-packages"
    site.mkdir(parents=True)
    (prefix / "pyvenv.cfg").write_text("home = C:\\Python312\nversion = 3.12.4\n")
    assert Environment.from_paths([site]).python_version == "3.12"


def test_modules_from_top_level_and_record(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "PyYAML", top_level=["_yaml", "yaml"])
    write_dist(site, "opencv-python", record=["cv2/__init__.py", "cv2/data/x.xml", "opencv_python-1.0.dist-info/METADATA",
                                              "../../../bin/tool", "__pycache__/x.pyc"])
    write_dist(site, "six", record=["six.py", "__pycache__/six.cpython-311.pyc"])
    write_dist(site, "fastext", record=["fastext.cpython-311-x86_64-linux-gnu.so"])
    env = Environment.from_paths([site])
    assert env.distributions_for_module("yaml") == ["pyyaml"]
    assert env.distributions_for_module("cv2") == ["opencv-python"]
    assert env.distributions_for_module("cv2.data") == ["opencv-python"]
    assert env.distributions_for_module("six") == ["six"]
    assert env.distributions_for_module("fastext") == ["fastext"]
    assert env.distributions_for_module("bin") == []
    assert env.distributions_for_module("numpy") == []
    assert env.get("opencv-python").top_level == ("cv2",)


def test_namespace_package_provided_by_two_distributions(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "google-api-core", record=["google/api_core/__init__.py"])
    write_dist(site, "protobuf", record=["google/protobuf/__init__.py", "google/_upb/x.so"])
    env = Environment.from_paths([site])
    assert env.distributions_for_module("google") == ["google-api-core", "protobuf"]
    assert env.distributions_for_module("google.protobuf") == ["protobuf"]
    assert env.distributions_for_module("google.api_core.retry") == ["google-api-core"]


def test_missing_site_dir_is_a_problem_not_an_exception(tmp_path):
    env = Environment.from_paths([tmp_path / "nope"])
    assert env.distributions == {}
    assert env.problems and "not readable" in env.problems[0].reason


def test_cached_environment_equals_a_fresh_read_and_a_changed_dist_is_reread(tmp_path, monkeypatch):
    from vlicense.resolution.cache import AnswerCache
    from vlicense.resolution.installed import Environment

    site = tmp_path / "site-packages"
    dist = site / "wrapper-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.4\nName: wrapper\nVersion: 1.0\nLicense-Expression: MIT\nRequires-Dist: core\n")
    (dist / "RECORD").write_text("wrapper/__init__.py,,\nwrapper/sub/mod.py,,\nwrapper-1.0.dist-info/METADATA,,\n")
    cache = AnswerCache(tmp_path / "cache.sqlite3")

    def snapshot(env):
        d = env.get("wrapper")
        return (d.name, d.version, d.license, d.license_source, d.facts, d.requires, d.top_level,
                d.provides_module("wrapper.sub"), env.distributions_for_module("wrapper"))

    from vlicense.resolution import installed

    fresh = Environment.from_paths([site])
    first = Environment.from_paths([site], cache=cache)
    real_read = installed._read_distribution
    monkeypatch.setattr(installed, "_read_distribution", lambda *a: pytest.fail("an unchanged dist was re-read"))
    second = Environment.from_paths([site], cache=cache)
    assert snapshot(fresh) == snapshot(first) == snapshot(second)
    monkeypatch.setattr(installed, "_read_distribution", real_read)

    import os
    import time

    (dist / "METADATA").write_text("Metadata-Version: 2.4\nName: wrapper\nVersion: 1.0\nLicense-Expression: AGPL-3.0-only\n")
    later = time.time() + 5
    os.utime(dist / "METADATA", (later, later))
    assert Environment.from_paths([site], cache=cache).get("wrapper").license == "AGPL-3.0-only"
