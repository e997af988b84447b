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


SEPARATOR = "\n" + "-" * 80 + "\n\n"


def test_bundle_file_first_section_narrows_a_vague_family_and_names_the_bundled_terms(tmp_path):
    # sympy 1.14: "License: BSD", a BSD classifier, and a LICENSE whose first section is the BSD-3-Clause text,
    # followed by the MIT terms of vendored files: the whole text is a bundle, its first section the package's own.
    site = _site(tmp_path)
    bundle = BSD3_TEXT + SEPARATOR + "The files under sympy/parsing/latex are licensed as:\n\n" + MIT_TEXT
    write_dist(site, "sympy", headers=[("License", "BSD"), ("Classifier", "License :: OSI Approved :: BSD License"),
                                       ("License-File", "LICENSE")], license_files={"LICENSE": bundle})
    dist = Environment.from_paths([site]).get("sympy")
    assert dist.license == "BSD-3-Clause"
    assert dist.license_source == "License-File LICENSE (first section)"
    assert "bundles MIT" in dist.facts[0].detail


def test_bundle_first_section_never_overrides_a_specific_declaration(tmp_path):
    # The first section only narrows a vague family; it does not replace a declared specific license.
    site = _site(tmp_path)
    bundle = BSD3_TEXT + SEPARATOR + MIT_TEXT
    write_dist(site, "declared", headers=[("Classifier", "License :: OSI Approved :: MIT License")],
               license_files={"LICENSE": bundle})
    assert Environment.from_paths([site]).get("declared").license == "MIT"


def test_bundle_alone_answers_every_section_and_only_when_all_are_identified(tmp_path):
    # Nothing else declares a license: every identified section binds (AND, the conservative reading).
    site = _site(tmp_path)
    write_dist(site, "onlybundle", license_files={"LICENSE": BSD3_TEXT + SEPARATOR + MIT_TEXT})
    write_dist(site, "partbundle", license_files={"LICENSE": BSD3_TEXT + SEPARATOR + "Vendored files under ext/ are under the MIT license; see their headers. " * 5})
    env = Environment.from_paths([site])
    assert env.get("onlybundle").license == "BSD-3-Clause AND MIT"
    assert env.get("partbundle").license is None


def test_dateutil_style_dual_text_names_each_other_and_is_both(tmp_path):
    # python-dateutil 2.9: an Apache-2.0 notice, then the BSD-3-Clause text that says it applies "even to code also
    # covered by Apache 2.0"; classifiers name both families and License says "Dual License".
    site = _site(tmp_path)
    apache_notice = ("Copyright 2017- Paul Ganssle\n\n   Licensed under the Apache License, Version 2.0 (the \"License\");\n"
                     "   you may not use this file except in compliance with the License.\n" + "   Unless required... " * 10)
    bsd = BSD3_TEXT + "\n\nThe above BSD License Applies to all code, even that also covered by Apache 2.0.\n"
    write_dist(site, "python-dateutil", headers=[("License", "Dual License"),
                                                 ("Classifier", "License :: OSI Approved :: BSD License"),
                                                 ("Classifier", "License :: OSI Approved :: Apache Software License")],
               license_files={"LICENSE": apache_notice + SEPARATOR + bsd})
    assert Environment.from_paths([site]).get("python-dateutil").license == "Apache-2.0 AND BSD-3-Clause"


def test_license_field_holding_a_bundled_text_narrows_the_classifier(tmp_path):
    # scipy 1.17: the License field is the whole LICENSE.txt (BSD-3-Clause, "----", bundled OpenBLAS etc.).
    site = _site(tmp_path)
    text = BSD3_TEXT + "\n\n----\n\nThis binary distribution can also bundle:\n\nName: libgfortran\n" + "GPL with GCC runtime exception. " * 10
    metadata = ("Metadata-Version: 2.1\nName: scipy\nVersion: 1.17.1\nClassifier: License :: OSI Approved :: BSD License\n"
                "License: " + text.replace("\n", "\n        ") + "\n\nbody\n")
    write_dist(site, "scipy", metadata_text=metadata)
    dist = Environment.from_paths([site]).get("scipy")
    assert dist.license == "BSD-3-Clause"
    assert "not identified" in dist.facts[0].detail


def test_dep5_copyright_in_license_field_narrows_the_classifier(tmp_path):
    # scikit-image 0.26: the License field is a Debian machine-readable copyright file.
    site = _site(tmp_path)
    dep5 = ("Files: *\nCopyright: 2009-2022 the scikit-image team\nLicense: BSD-3-Clause\n\n"
            "Files: skimage/filters/thresholding.py\nCopyright: 2009-2015 Board of Regents\nLicense: BSD-2-Clause\n")
    metadata = ("Metadata-Version: 2.1\nName: scikit-image\nVersion: 0.26.0\nClassifier: License :: OSI Approved :: BSD License\n"
                "License: " + dep5.replace("\n", "\n        ") + "\n\nbody\n")
    write_dist(site, "scikit-image", metadata_text=metadata)
    assert Environment.from_paths([site]).get("scikit-image").license == "BSD-3-Clause"


def test_lgpl_or_later_notice_with_an_exception_narrows_the_lgpl_family(tmp_path):
    # psycopg2 2.9: "LGPL with exceptions", an LGPL-3.0-or-later notice plus an OpenSSL exception, then an
    # alternative zlib-style license for a few files.
    site = _site(tmp_path)
    notice = ("psycopg2 is free software: you can redistribute it and/or modify it\nunder the terms of the GNU Lesser "
              "General Public License as published\nby the Free Software Foundation, either version 3 of the License, or\n"
              "(at your option) any later version.\n\nIn addition, as a special exception, the copyright holders give "
              "permission to link this program with the OpenSSL library.\n")
    zlib = ("Permission is granted to anyone to use this software for any purpose, including commercial applications, "
            "and to alter it and redistribute it freely, subject to the following restrictions:\n 1. The origin of this "
            "software must not be misrepresented.\n 2. Altered source versions must be plainly marked as such.\n")
    write_dist(site, "psycopg2-binary", headers=[("License", "LGPL with exceptions"),
                                                 ("Classifier", "License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)")],
               license_files={"LICENSE": notice + "\nAlternative licenses\n--------------------\n\n" + zlib})
    dist = Environment.from_paths([site]).get("psycopg2-binary")
    assert dist.license == "LGPL-3.0-or-later"
    assert "bundles Zlib" in dist.facts[0].detail


def test_module_license_header_narrows_a_vague_family(tmp_path):
    # nvidia-ml-py: "License: BSD", no license file, and pynvml.py opens with the BSD-3-Clause text.
    site = _site(tmp_path)
    write_dist(site, "nvidia-ml-py", headers=[("License", "BSD")], top_level=["pynvml"])
    header = "".join(f"# {line}\n" if line else "#\n" for line in BSD3_TEXT.splitlines())
    (site / "pynvml.py").write_text("#####\n" + header + "#####\n\nfrom ctypes import *\n", encoding="utf-8")
    dist = Environment.from_paths([site]).get("nvidia-ml-py")
    assert dist.license == "BSD-3-Clause"
    assert dist.license_source == "module header pynvml.py"


def test_module_docstring_header_and_no_header(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "docpkg", headers=[("License", "BSD")], top_level=["docpkg"])
    (site / "docpkg").mkdir()
    (site / "docpkg" / "__init__.py").write_text('"""docpkg.\n\n' + BSD3_TEXT + '\n"""\nimport os\n', encoding="utf-8")
    write_dist(site, "bare", headers=[("License", "BSD")], top_level=["bare"])
    (site / "bare.py").write_text("import os\n# " + BSD3_TEXT.replace("\n", " ") + "\n", encoding="utf-8")
    env = Environment.from_paths([site])
    assert env.get("docpkg").license == "BSD-3-Clause"
    # A license text further down the module is not its header: the family stays unspecified.
    assert env.get("bare").license == BSD_UNSPEC


def test_nvidia_proprietary_spelling_is_recognized(tmp_path):
    site = _site(tmp_path)
    write_dist(site, "nvidia-cusparselt-cu13", headers=[("License", "NVIDIA Proprietary Software")])
    assert Environment.from_paths([site]).get("nvidia-cusparselt-cu13").license == "LicenseRef-NVIDIA-Proprietary"


def test_intro_under_its_own_heading_then_the_text_is_one_leading_section(tmp_path):
    # amqp 5.4 / vine 5.1: an introduction, a "License\n=======" heading, the BSD-3-Clause text, then footnotes that
    # mention the GPL ("it does not mean that we're distributing Celery under the GPL license").
    site = _site(tmp_path)
    intro = ("Copyright (c) 2015-2016 Ask Solem & contributors.  All rights reserved.\n\npy-amqp is licensed under The "
             "BSD License (3 Clause, also known as the new BSD license).  The license is an OSI approved Open Source "
             "license and is GPL-compatible(1).\n\n")
    footnotes = ("\n\nFootnotes\n=========\n(1) A GPL-compatible license makes it possible to combine Celery with other "
                 "software that is released under the GPL, it does not mean that we're distributing Celery under the GPL "
                 "license.  The BSD license, unlike the GPL, let you distribute a modified version without making your "
                 "changes open source.\n")
    write_dist(site, "amqp", headers=[("License", "BSD"), ("Classifier", "License :: OSI Approved :: BSD License")],
               license_files={"LICENSE": intro + "License\n=======\n\n" + BSD3_TEXT + footnotes})
    assert Environment.from_paths([site]).get("amqp").license == "BSD-3-Clause"


def test_a_packaging_file_both_declarations_contradict_does_not_decide(tmp_path):
    # opencv-python 5.1.0.95: dist-info LICENSE.txt is the build scripts' MIT; License and classifier say Apache.
    site = _site(tmp_path)
    write_dist(site, "opencv-python", headers=[("License", "Apache 2.0"),
                                               ("Classifier", "License :: OSI Approved :: Apache Software License"),
                                               ("License-File", "LICENSE.txt")],
               license_files={"LICENSE.txt": MIT_TEXT})
    dist = Environment.from_paths([site]).get("opencv-python")
    assert (dist.license, dist.license_source) == ("Apache-2.0", "License")
    assert [f.license for f in dist.facts] == ["Apache-2.0", "MIT"]  # the file stays visible


def test_one_declaration_does_not_outweigh_the_license_file(tmp_path):
    # A template's MIT classifier against the Apache text the wheel ships: the file decides (PEP 639 order).
    site = _site(tmp_path)
    write_dist(site, "templated", headers=[("Classifier", "License :: OSI Approved :: MIT License"),
                                           ("License-File", "LICENSE")],
               license_files={"LICENSE": APACHE_TEXT})
    assert Environment.from_paths([site]).get("templated").license == "Apache-2.0"
    # Two declarations that disagree with each other do not outweigh it either.
    write_dist(site, "mixed", headers=[("Classifier", "License :: OSI Approved :: MIT License"), ("License", "BSD"),
                                       ("License-File", "LICENSE")],
               license_files={"LICENSE": APACHE_TEXT})
    assert Environment.from_paths([site]).get("mixed").license == "Apache-2.0"


def test_a_gnu_text_file_takes_the_or_later_a_declaration_names(tmp_path):
    # The AGPL/GPL/LGPL texts do not say "-only" or "-or-later" (the notice does): License: AGPL-3.0-or-later decides.
    site = _site(tmp_path)
    write_dist(site, "agpl-later", headers=[("License", "AGPL-3.0-or-later"), ("License-File", "LICENSE")],
               license_files={"LICENSE": AGPL_TEXT})
    dist = Environment.from_paths([site]).get("agpl-later")
    assert dist.license == "AGPL-3.0-or-later"
    assert [f.license for f in dist.facts] == ["AGPL-3.0-or-later"]  # the file's -only reading is not a conflict
    # Without such a declaration the file's reading stands.
    write_dist(site, "agpl-file", headers=[("License-File", "LICENSE")], license_files={"LICENSE": AGPL_TEXT})
    assert Environment.from_paths([site]).get("agpl-file").license == "AGPL-3.0-only"
