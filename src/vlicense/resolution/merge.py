"""Combine license facts from several sources by an explicit precedence; disagreements are kept and shown."""

from __future__ import annotations

from collections.abc import Sequence

from vlicense.model import FACT_SOURCES, LicenseFact

_RANK = {source: rank for rank, source in enumerate(FACT_SOURCES)}


def merge_facts(facts: Sequence[LicenseFact]) -> tuple[str | None, str | None, list[str]]:
    """Return (license, source of that license, notes about conflicts).

    The strongest source that knows the license wins (order: FACT_SOURCES). A source that answered "unknown"
    does not hide a weaker source that knows; sources that disagree are named in a note, never hidden.
    """
    known = sorted((f for f in facts if f.license), key=lambda f: _RANK.get(f.source, len(_RANK)))
    if not known:
        return None, None, []
    chosen = known[0]
    notes = []
    others = sorted({(f.source, f.license) for f in known[1:] if f.license != chosen.license})
    for source, license_id in others:
        notes.append(f"sources disagree: {source} says {license_id}; {chosen.source} ({chosen.license}) takes precedence")
    return chosen.license, chosen.source, notes
