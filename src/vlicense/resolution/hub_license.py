"""Map a Hugging Face Hub license id (card ``license:``, also timm's per-weight ids) to an SPDX id or LicenseRef."""

from __future__ import annotations

from functools import cache

from vlicense.knowledge.knowledge_base import RAW_LICENSE_IDS, normalize_raw_license

# Ids that mean "we do not know" rather than naming a license.
_UNKNOWN = {"", "unknown", "none", "null", "other", "noassertion"}

# ``license_name`` is free text on the Hub (hub-docs repositories-licenses.md: "other" + license_name +
# license_link). Spellings seen for licenses vlicense has an id for. The NVIDIA Source Code License is the
# license NVlabs releases SegFormer/MiT under (NVlabs/SegFormer LICENSE); the catalog entry carries its terms.
LICENSE_NAME_ALIASES: dict[str, str] = {
    "nvidia-segformer": "LicenseRef-NVIDIA-SegFormer",
    "nvidia-segformer-license": "LicenseRef-NVIDIA-SegFormer",
    "nvidia-source-code-license": "LicenseRef-NVIDIA-SegFormer",
    "nvidia-source-code-license-for-segformer": "LicenseRef-NVIDIA-SegFormer",
    "deci-yolo-nas": "LicenseRef-Deci-YOLO-NAS",
    "yolo-nas-license": "LicenseRef-Deci-YOLO-NAS",
    # Apple's cards spell their licenses out as license_name (apple/DFN5B-CLIP-ViT-H-14 README front matter).
    "apple-sample-code-license": "LicenseRef-apple-ascl",
    # Stability AI's own spelling of its Community License (GGUF/ONNX copies of stabilityai/sd-turbo).
    "stability-ai-community-license-agreement": "LicenseRef-stabilityai-ai-community",
    "stability-ai-community-license": "LicenseRef-stabilityai-ai-community",
    "qwen": "LicenseRef-Qwen",
    "tongyi-qianwen": "LicenseRef-Qwen",
}


def hub_license_to_id(raw: object, license_name: object = None, license_link: object = None) -> str | None:
    """Return the SPDX id (or ``LicenseRef-<hub id>``) for a Hub license value; None when it is unknown.

    ``license: other`` defers to ``license_name`` (the Hub's rule, also timm's ``_get_license_from_hf_hub``),
    mapped to a catalogued id where vlicense knows the license (by name, else by ``license_link``).
    A list of licenses (allowed in cards) becomes an AND: every listed license applies.
    """
    if isinstance(raw, list):
        parts = [hub_license_to_id(item) for item in raw]
        if not parts or any(part is None for part in parts):
            return None
        return " AND ".join(sorted(set(p for p in parts if p)))
    if not isinstance(raw, str):
        return None
    key = raw.strip().lower()
    if key == "other":
        if isinstance(license_name, str) and license_name.strip():
            return license_name_to_id(license_name, license_link)
        if isinstance(license_link, str) and license_link.strip():
            return _by_link(license_link)
        return None
    if key in _UNKNOWN:
        return None
    # One id: the same normalization as timm's per-weight ids (timm writes its ids into the cards it pushes).
    return normalize_raw_license(raw)


def license_name_to_id(license_name: str, license_link: object = None) -> str:
    """A card's ``license_name`` -> the catalogued id when known, else ``LicenseRef-<name>`` (never a guess)."""
    slug = _slug(license_name)
    for key in (license_name.strip().lower(), slug):
        if RAW_LICENSE_IDS.get(key):
            return str(RAW_LICENSE_IDS[key])
    if slug in LICENSE_NAME_ALIASES:
        return LICENSE_NAME_ALIASES[slug]
    catalogued = _catalog_keys().get(slug)
    if catalogued:
        return catalogued
    if isinstance(license_link, str):
        linked = _by_link(license_link)
        if linked:
            return linked
    return "LicenseRef-" + _ref_safe(license_name.strip())


def _slug(text: str) -> str:
    return "-".join(_ref_safe(text.strip().lower()).replace(".", "-").split("-")).strip("-").replace("--", "-")


def _by_link(link: str) -> str | None:
    return _catalog_urls().get(_url_key(link))


def _url_key(url: str) -> str:
    key = url.strip().lower().rstrip("/")
    for prefix in ("https://", "http://", "www."):
        key = key.removeprefix(prefix)
    return key.replace("/blob/main/", "/blob/master/")


@cache
def _catalog_keys() -> dict[str, str]:
    """Slug of every custom catalog key (``LicenseRef-Deci-YOLO-NAS`` -> ``deci-yolo-nas``) -> the key."""
    from vlicense.knowledge.licenses import all_licenses

    out = {}
    for info in all_licenses():
        if info.key.lower().startswith("licenseref-"):
            out[_slug(info.key[len("LicenseRef-"):])] = info.key
    return out


@cache
def _catalog_urls() -> dict[str, str]:
    """License link -> custom catalog key, for links that name exactly one custom license."""
    from vlicense.knowledge.licenses import all_licenses

    seen: dict[str, set[str]] = {}
    for info in all_licenses():
        if info.key.lower().startswith("licenseref-") and info.url:
            seen.setdefault(_url_key(info.url), set()).add(info.key)
    return {url: next(iter(keys)) for url, keys in seen.items() if len(keys) == 1}


def _ref_safe(text: str) -> str:
    """LicenseRef ids allow letters, digits, '.' and '-' only (SPDX 2.3 annex D)."""
    return "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in text)
