"""License catalog: lookups, categories, coverage of every key vlicense emits."""

from __future__ import annotations

import pytest

from vlicense.knowledge.licenses import CATEGORIES, all_licenses, categorize, license_info

REQUIRED = ["MIT", "MIT-CMU", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "ISC", "PSF-2.0", "HPND", "Zlib", "BSL-1.0", "Unlicense", "CC0-1.0", "0BSD", "MPL-2.0", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later", "EPL-1.0", "EPL-2.0", "CDDL-1.0", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later", "AGPL-3.0-only", "AGPL-3.0-or-later", "SSPL-1.0", "EUPL-1.1", "EUPL-1.2", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-2.0", "CC-BY-NC-3.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0", "CC-BY-ND-4.0", "BUSL-1.1", "Elastic-2.0", "LicenseRef-openrail", "LicenseRef-creativeml-openrail-m", "LicenseRef-bigscience-openrail-m", "LicenseRef-openrail-plus-plus", "LicenseRef-llama2", "LicenseRef-llama3", "LicenseRef-llama3.1", "LicenseRef-llama3.2", "LicenseRef-llama3.3", "LicenseRef-llama4", "LicenseRef-gemma", "LicenseRef-apple-amlr", "LicenseRef-apple-ascl", "LicenseRef-fair-noncommercial-research-license", "LicenseRef-dinov3-license", "LicenseRef-seer-license", "LicenseRef-cvnets-license", "LicenseRef-fastvit-license", "LicenseRef-mobileone-license", "LicenseRef-sapiens2-license", "LicenseRef-nvidia-open-model-license", "LicenseRef-qwen-community-1.0", "LicenseRef-Qwen", "LicenseRef-Deci-YOLO-NAS", "LicenseRef-NVIDIA-SegFormer", "LicenseRef-Roboflow-PML-1.0", "LicenseRef-Public-Domain", "LicenseRef-vlicense-BSD-unspecified", "LicenseRef-bsd", "LicenseRef-vlicense-GPL-unspecified", "LicenseRef-vlicense-LGPL-unspecified", "LicenseRef-cc", "LicenseRef-other"]


@pytest.mark.parametrize("key", REQUIRED)
def test_required_key_present_with_all_fields(key: str) -> None:
    info = license_info(key)
    assert info is not None, key
    assert info.key == key
    assert info.category in CATEGORIES
    assert info.name and info.url.startswith("http") and info.clause and info.obligation and info.source


@pytest.mark.parametrize(
    ("key", "category"),
    [
        ("AGPL-3.0-only", "network-copyleft"),
        ("SSPL-1.0", "network-copyleft"),
        ("EUPL-1.2", "network-copyleft"),
        ("GPL-3.0-only", "strong-copyleft"),
        ("LGPL-3.0-only", "weak-copyleft"),
        ("MPL-2.0", "weak-copyleft"),
        ("CC-BY-NC-4.0", "non-commercial"),
        ("LicenseRef-apple-amlr", "non-commercial"),
        ("LicenseRef-fair-noncommercial-research-license", "non-commercial"),
        ("LicenseRef-Deci-YOLO-NAS", "non-commercial"),
        ("LicenseRef-NVIDIA-SegFormer", "non-commercial"),
        ("LicenseRef-llama3.2", "use-restricted"),
        ("LicenseRef-openrail", "use-restricted"),
        ("LicenseRef-apple-ascl", "permissive"),
        ("MIT", "permissive"),
        ("LicenseRef-Roboflow-PML-1.0", "proprietary"),
        ("BUSL-1.1", "source-available"),
        ("CC0-1.0", "public-domain"),
        ("LicenseRef-other", "unknown"),
        ("LicenseRef-cc", "unknown"),
    ],
)
def test_categories(key: str, category: str) -> None:
    assert license_info(key).category == category  # type: ignore[union-attr]


def test_clauses_name_the_provision() -> None:
    assert license_info("AGPL-3.0-only").clause == "AGPL-3.0 section 13 (Remote Network Interaction)"  # type: ignore[union-attr]
    assert license_info("GPL-3.0-only").clause == "GPL-3.0 section 6 (Conveying Non-Source Forms)"  # type: ignore[union-attr]
    assert license_info("CC-BY-NC-4.0").clause == "CC-BY-NC-4.0 section 1(i) and 2(a)(1) (NonCommercial)"  # type: ignore[union-attr]
    assert license_info("LGPL-3.0-only").clause == "LGPL-3.0 section 4 (Combined Works)"  # type: ignore[union-attr]
    assert license_info("MPL-2.0").clause.startswith("MPL-2.0 section 3.2")  # type: ignore[union-attr]
    assert license_info("Apache-2.0").clause == "Apache-2.0 section 4 (Redistribution: NOTICE)"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("spelling", "key"),
    [
        ("mit", "MIT"),
        ("APACHE-2.0", "Apache-2.0"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("agpl-3.0", "AGPL-3.0-only"),
        ("EUPL-1.2-or-later", "EUPL-1.2"),
        ("llama3.2", "LicenseRef-llama3.2"),
        ("licenseref-openrail-plus-plus", "LicenseRef-openrail-plus-plus"),
        ("LicenseRef-vlicense-gpl-unspecified", "LicenseRef-vlicense-GPL-unspecified"),
        ("MPL-2.0+", "MPL-2.0"),
    ],
)
def test_lookup_spellings(spelling: str, key: str) -> None:
    assert license_info(spelling).key == key  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["", "LicenseRef-made-up", "GPL-9.0", "MITT", "Apache"])
def test_unknown_keys_are_none(key: str) -> None:
    assert license_info(key) is None


def test_custom_unread_licenses_are_marked_unreviewed() -> None:
    for key in (
        "LicenseRef-dinov3-license",
        "LicenseRef-seer-license",
        "LicenseRef-nvidia-open-model-license",
        "LicenseRef-llama3.2",
    ):
        assert license_info(key).reviewed is False  # type: ignore[union-attr]
    assert license_info("MIT").reviewed is True  # type: ignore[union-attr]


def test_categorize() -> None:
    assert categorize(None) == ["unknown"]
    assert categorize("") == ["unknown"]
    assert categorize("MIT AND (") == ["unknown"]
    assert categorize("LicenseRef-not-in-catalog") == ["unknown"]
    assert categorize("MIT OR GPL-3.0-only") == ["permissive", "strong-copyleft"]
    assert categorize("Apache-2.0 AND CC-BY-NC-4.0") == ["non-commercial", "permissive"]
    # WITH: a linking exception relaxes GPL to weak copyleft; an unknown exception keeps the license's category.
    assert categorize("GPL-2.0-only WITH Classpath-exception-2.0") == ["weak-copyleft"]
    assert categorize("GPL-2.0-only WITH Made-up-exception") == ["strong-copyleft"]


def test_every_entry_is_loadable_and_sorted() -> None:
    keys = [i.key for i in all_licenses()]
    assert len(keys) >= 100
    assert keys == sorted(keys, key=str.lower)
