"""Map a Hugging Face Hub license id (card ``license:``, also timm's per-weight ids) to an SPDX id or LicenseRef."""

from __future__ import annotations

from vlicense.resolution.knowledge_base import normalize_raw_license

# Ids that mean "we do not know" rather than naming a license.
_UNKNOWN = {"", "unknown", "none", "null", "other", "noassertion"}


def hub_license_to_id(raw: object, license_name: object = None) -> str | None:
    """Return the SPDX id (or ``LicenseRef-<hub id>``) for a Hub license value; None when it is unknown.

    ``license: other`` defers to ``license_name`` (the Hub's rule, also timm's ``_get_license_from_hf_hub``).
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
            return "LicenseRef-" + _ref_safe(license_name.strip())
        return None
    if key in _UNKNOWN:
        return None
    # One id: the same normalization as timm's per-weight ids (timm writes its ids into the cards it pushes).
    return normalize_raw_license(raw)


def _ref_safe(text: str) -> str:
    """LicenseRef ids allow letters, digits, '.' and '-' only (SPDX 2.3 annex D)."""
    return "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in text)
