"""spdx.normalize / from_classifiers / identify_text / is_valid / license_keys on real-world metadata values."""

from __future__ import annotations

import pytest
from resolution_dists import AGPL_TEXT, APACHE_TEXT, BSD2_TEXT, BSD3_TEXT, GPL3_TEXT, LGPL3_TEXT, MIT_TEXT

from vlicense.resolution import spdx

BSD_UNSPEC = "LicenseRef-vlicense-BSD-unspecified"
APACHE_UNSPEC = "LicenseRef-vlicense-Apache-unspecified"

# Real License / License-Expression values seen in installed packages (pip, boto3, sympy, docutils, dbus-python,
# lazr.*, python-apt, orjson, tqdm, regex, numpy, ...) and the aliases people write.
NORMALIZE_TABLE = [
    ("MIT", "MIT"),
    ("mit", "MIT"),
    ("MIT License", "MIT"),
    ("MIT license", "MIT"),
    ("The MIT License", "MIT"),
    ("Expat (MIT/X11)", "MIT"),
    ("MIT-0", "MIT-0"),
    ("Apache-2.0", "Apache-2.0"),
    ("apache-2.0", "Apache-2.0"),
    ("Apache 2.0", "Apache-2.0"),
    ("Apache License 2.0", "Apache-2.0"),
    ("Apache License, Version 2.0", "Apache-2.0"),
    ("Apache Software License 2.0", "Apache-2.0"),
    ("ASL 2", "Apache-2.0"),
    ("Apache Software License", APACHE_UNSPEC),
    ("Apache", APACHE_UNSPEC),
    ("BSD", BSD_UNSPEC),
    ("BSD License", BSD_UNSPEC),
    ("BSD-3-Clause", "BSD-3-Clause"),
    ("BSD 3-Clause License", "BSD-3-Clause"),
    ("3-clause BSD", "BSD-3-Clause"),
    ("new BSD", "BSD-3-Clause"),
    ("New BSD License", "BSD-3-Clause"),
    ("Modified BSD License", "BSD-3-Clause"),
    ("BSD-2-Clause", "BSD-2-Clause"),
    ("Simplified BSD", "BSD-2-Clause"),
    ("2-Clause BSD", "BSD-2-Clause"),
    ("GPLv3", "GPL-3.0-only"),
    ("GPL-3.0", "GPL-3.0-only"),
    ("GPL-3.0-only", "GPL-3.0-only"),
    ("GPLv3+", "GPL-3.0-or-later"),
    ("GPL-3.0+", "GPL-3.0-or-later"),
    ("GPLv2", "GPL-2.0-only"),
    ("GPLv2+", "GPL-2.0-or-later"),
    ("GPL-2.0-or-later", "GPL-2.0-or-later"),
    ("GNU GPL", "LicenseRef-vlicense-GPL-unspecified"),
    ("GPL", "LicenseRef-vlicense-GPL-unspecified"),
    ("LGPLv3+", "LGPL-3.0-or-later"),
    ("LGPL v3", "LGPL-3.0-only"),
    ("LGPL-2.1", "LGPL-2.1-only"),
    ("GNU LGPL", "LicenseRef-vlicense-LGPL-unspecified"),
    ("AGPL-3.0", "AGPL-3.0-only"),
    ("AGPLv3", "AGPL-3.0-only"),
    ("AGPL-3.0-or-later", "AGPL-3.0-or-later"),
    ("AGPLv3+", "AGPL-3.0-or-later"),
    ("MPL 2.0", "MPL-2.0"),
    ("MPL-2.0", "MPL-2.0"),
    ("Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
    ("PSF", "PSF-2.0"),
    ("PSFL", "PSF-2.0"),
    ("PSF-2.0", "PSF-2.0"),
    ("Python Software Foundation License", "PSF-2.0"),
    ("HPND", "HPND"),
    ("ISC", "ISC"),
    ("ISC License (ISCL)", "ISC"),
    ("ISC license", "ISC"),
    ("Unlicense", "Unlicense"),
    ("The Unlicense", "Unlicense"),
    ("Public Domain", "LicenseRef-Public-Domain"),
    ("CC0-1.0", "CC0-1.0"),
    ("CC-BY-NC-4.0", "CC-BY-NC-4.0"),
    ("Zlib", "Zlib"),
    ("BSL-1.0", "BSL-1.0"),
    ("Proprietary", "LicenseRef-Proprietary"),
    ("Apache-2.0 OR BSD-3-Clause", "Apache-2.0 OR BSD-3-Clause"),
    ("BSD-3-Clause OR Apache-2.0", "BSD-3-Clause OR Apache-2.0"),
    ("MIT AND (Apache-2.0 OR BSD-2-Clause)", "MIT AND (Apache-2.0 OR BSD-2-Clause)"),
    ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
    ("apache-2.0 or mit", "Apache-2.0 OR MIT"),
    ("MPL-2.0 AND MIT", "MPL-2.0 AND MIT"),
    ("Apache-2.0 AND CNRI-Python", "Apache-2.0 AND CNRI-Python"),
    ("BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0", "BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0"),
    ("MIT License OR Apache License 2.0", "MIT OR Apache-2.0"),
    ("GPL-2.0-or-later WITH Classpath-exception-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0"),
    ("LicenseRef-Acme-EULA", "LicenseRef-Acme-EULA"),
    ("MIT OR LicenseRef-Acme-EULA", "MIT OR LicenseRef-Acme-EULA"),
    # Says nothing, or says too much to be one license: unknown, never a guess.
    ("UNKNOWN", None),
    ("", None),
    ("   ", None),
    (None, None),
    ("Dual License", None),
    ("Other", None),
    ("unlicensed", None),
    ("public domain, Python, 2-Clause BSD, GPL 3 (see COPYING.txt)", None),
    ("MIT/Apache", None),
    ("Foo Public License", None),
    ("MIT OR Foo", None),
    ("MIT AND", None),
    ("See LICENSE file", None),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZE_TABLE)
def test_normalize_table(raw, expected):
    assert spdx.normalize(raw) == expected


def test_table_is_large_and_every_answer_is_valid():
    assert len(NORMALIZE_TABLE) >= 60
    for _, expected in NORMALIZE_TABLE:
        if expected is not None:
            assert spdx.is_valid(expected), expected


def test_long_license_field_is_identified_not_echoed():
    assert spdx.normalize(MIT_TEXT) == "MIT"
    # traitlets pastes its BSD text into License, headed by its name.
    assert spdx.normalize("BSD 3-Clause License\n\n" + BSD3_TEXT) == "BSD-3-Clause"


def test_long_license_field_that_is_not_a_license_text_is_unknown():
    libcst_like = ("All contributions towards LibCST are MIT licensed.\n\nSome Python files have been derived "
                   "from the standard library and are therefore PSF licensed.\n" + "x" * 300)
    assert spdx.normalize(libcst_like) is None


CLASSIFIER_TABLE = [
    (["License :: OSI Approved :: MIT License"], "MIT"),
    (["License :: OSI Approved :: Apache Software License"], APACHE_UNSPEC),
    (["License :: OSI Approved :: BSD License"], BSD_UNSPEC),
    (["License :: OSI Approved", "License :: OSI Approved :: BSD License"], BSD_UNSPEC),
    (["License :: OSI Approved :: GNU Affero General Public License v3"], "AGPL-3.0-only"),
    (["License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)"], "AGPL-3.0-or-later"),
    (["License :: OSI Approved :: GNU General Public License v3 (GPLv3)"], "GPL-3.0-only"),
    (["License :: OSI Approved :: GNU General Public License (GPL)"], "LicenseRef-vlicense-GPL-unspecified"),
    (["License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)"], "LGPL-2.0-or-later"),
    (["License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)"],
     "LicenseRef-vlicense-LGPL-unspecified"),
    (["License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)"], "MPL-2.0"),
    (["License :: OSI Approved :: ISC License (ISCL)"], "ISC"),
    (["License :: OSI Approved :: Python Software Foundation License"], "PSF-2.0"),
    (["License :: OSI Approved :: Historical Permission Notice and Disclaimer (HPND)"], "HPND"),
    (["License :: OSI Approved :: The Unlicense (Unlicense)"], "Unlicense"),
    (["License :: OSI Approved :: zlib/libpng License"], "Zlib"),
    (["License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication"], "CC0-1.0"),
    (["License :: Public Domain"], "LicenseRef-Public-Domain"),
    (["License :: Other/Proprietary License"], "LicenseRef-Proprietary"),
    (["License :: Free for non-commercial use"], "LicenseRef-Proprietary"),
    (["License :: OSI Approved :: MIT License", "License :: OSI Approved :: MIT License"], "MIT"),
    (["Programming Language :: Python :: 3", "License :: OSI Approved :: MIT License"], "MIT"),
    # PEP 639: several license classifiers are ambiguous (AND or OR?), never inferred.
    (["License :: OSI Approved :: MIT License", "License :: OSI Approved :: Apache Software License"], None),
    (["License :: OSI Approved :: BSD License", "License :: OSI Approved :: Apache Software License"], None),
    (["License :: OSI Approved"], None),
    (["License :: DFSG approved"], None),
    (["License :: OSI Approved :: Artistic License"], None),
    (["Programming Language :: Python :: 3"], None),
    ([], None),
]


@pytest.mark.parametrize(("classifiers", "expected"), CLASSIFIER_TABLE)
def test_from_classifiers(classifiers, expected):
    assert spdx.from_classifiers(classifiers) == expected


def test_every_current_trove_license_classifier_maps_to_valid_spdx_or_none():
    trove = pytest.importorskip("trove_classifiers")
    license_classifiers = [c for c in trove.classifiers if c.startswith("License ::")]
    assert len(license_classifiers) > 70
    for classifier in license_classifiers:
        value = spdx.from_classifiers([classifier])
        assert value is None or spdx.is_valid(value), (classifier, value)


TEXT_TABLE = [
    (MIT_TEXT, "MIT"),
    ("# " + MIT_TEXT.replace("\n", "\n# "), "MIT"),  # pasted as a source-file header
    (BSD3_TEXT, "BSD-3-Clause"),
    (BSD2_TEXT, "BSD-2-Clause"),
    (APACHE_TEXT, "Apache-2.0"),
    (AGPL_TEXT, "AGPL-3.0-only"),
    (GPL3_TEXT, "GPL-3.0-only"),
    (LGPL3_TEXT + GPL3_TEXT, "LGPL-3.0-only"),
    ("Permission is hereby granted, free of charge, to any person obtaining a copy of this software, to deal in "
     "the Software without restriction, subject to nothing.", "MIT-0"),
    ("Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is "
     "hereby granted, provided that the above copyright notice and this permission notice appear in all copies.",
     "ISC"),
    ("This is free and unencumbered software released into the public domain.", "Unlicense"),
    ("This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0.", "MPL-2.0"),
    ("Attribution-NonCommercial 4.0 International\n\nCreative Commons Corporation ...", "CC-BY-NC-4.0"),
    ("Boost Software License - Version 1.0 - August 17th, 2003", "BSL-1.0"),
    ("The origin of this software must not be misrepresented; Altered source versions must be plainly marked "
     "as such", "Zlib"),
    ("PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2\n1. This LICENSE AGREEMENT is between the PSF", "PSF-2.0"),
    # Look-alikes and bundles: unsure -> None.
    (MIT_TEXT + "\n\nParts of this package are under the Apache License.\n", None),
    (BSD3_TEXT + "\n\nName: pocketfft\nLicense: BSD-3-Clause\nName: libdivide\nLicense: Zlib\n", None),
    (MIT_TEXT + "\n" + APACHE_TEXT, None),
    ("Copyright (c) 2024 Somebody. All rights reserved.", None),
    ("This software is made available under the terms of *either* of the licenses found in LICENSE.APACHE "
     "or LICENSE.BSD.", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_TABLE)
def test_identify_text(text, expected):
    assert spdx.identify_text(text) == expected


def test_is_valid():
    assert spdx.is_valid("MIT")
    assert spdx.is_valid("LicenseRef-vlicense-BSD-unspecified")
    assert spdx.is_valid("(MIT OR Apache-2.0) AND LicenseRef-x.y")
    assert not spdx.is_valid("")
    assert not spdx.is_valid("MIT License")
    assert not spdx.is_valid("Foo-Bar")
    assert not spdx.is_valid("MIT OR")
    assert not spdx.is_valid("LicenseRef-has space")
    assert not spdx.is_valid("GPL-2.0-or-later WITH Not-An-Exception")


def test_license_keys():
    assert spdx.license_keys("MIT AND (Apache-2.0 OR BSD-2-Clause)") == ["MIT", "Apache-2.0", "BSD-2-Clause"]
    assert spdx.license_keys("GPL-2.0-or-later WITH Classpath-exception-2.0") == ["GPL-2.0-or-later"]
    assert spdx.license_keys("MIT OR MIT") == ["MIT"]
    assert spdx.license_keys("((") == []


def test_refines_only_narrows_a_vague_family():
    assert spdx.refines(BSD_UNSPEC, "BSD-3-Clause")
    assert spdx.refines(f"{BSD_UNSPEC} OR Apache-2.0", "BSD-2-Clause OR Apache-2.0")
    assert not spdx.refines(BSD_UNSPEC, "MIT")
    assert not spdx.refines(BSD_UNSPEC, BSD_UNSPEC)
    assert not spdx.refines("MIT", "MIT")


def test_sectioned_and_dep5_readers_are_linear_on_hostile_text():
    # Metadata is hostile input: texts built to make a backtracking reader explode must cost milliseconds.
    import time

    from vlicense.resolution.installed import _leading_text

    hostile = [
        "Files: *\n" + "Copyright: x\n" * 20_000 + "x" * 50_000,
        ("Files: a\n" + " continuation\n" * 10) * 5_000,
        ("-" * 5_000 + "x\n") * 50,
        "\n".join("-" * 8 for _ in range(20_000)),
        "#" + " " * 100_000,
        '"""' + "a" * 16_000,
    ]
    for text in hostile:
        start = time.perf_counter()
        spdx.dep5_main_license(text)
        spdx.identify_sections(text)
        spdx.identify_text(text)
        _leading_text(text)
        assert time.perf_counter() - start < 1.0


def test_dep5_main_license_reads_the_files_star_stanza_only():
    text = "Files: src/*\nLicense: MIT\n\nFiles: *\nCopyright: me\n  and others\nLicense: BSD-3-Clause\n"
    assert spdx.dep5_main_license(text) == "BSD-3-Clause"
    assert spdx.dep5_main_license("Files: *\nCopyright: me\n\nLicense: MIT\n") is None
    assert spdx.dep5_main_license("no stanza here") is None


def test_gnu_or_later_notice_is_identified_but_a_full_text_decides():
    notice = ("This program is free software: you can redistribute it and/or modify it under the terms of the GNU "
              "General Public License as published by the Free Software Foundation, either version 3 of the License, "
              "or (at your option) any later version.")
    assert spdx.identify_text(notice) == "GPL-3.0-or-later"
