"""Combine license facts from several sources by an explicit precedence; disagreements are kept and shown."""

from __future__ import annotations

from collections.abc import Sequence

from vlicense.knowledge.knowledge_base import KbFact
from vlicense.model import FACT_SOURCES, LicenseFact

_RANK = {source: rank for rank, source in enumerate(FACT_SOURCES)}


def merge_facts(facts: Sequence[LicenseFact]) -> tuple[str | None, str | None, list[str]]:
    """Return (license, source of that license, notes about conflicts).

    The strongest source that knows the license wins (order: FACT_SOURCES). A source that answered "unknown"
    does not hide a weaker source that knows; sources that disagree are named in a note, never hidden.
    Libraries are decided by this order alone; models use it for their own declarations only (model_license.py).
    """
    chosen = chosen_fact(facts)
    if chosen is None:
        return None, None, []
    notes = []
    others = sorted({(f.source, f.license) for f in facts if f.license and f.license != chosen.license})
    for source, license_id in others:
        notes.append(f"sources disagree: {source} says {license_id}; {chosen.source} ({chosen.license}) takes precedence")
    return chosen.license, chosen.source, notes


def chosen_fact(facts: Sequence[LicenseFact]) -> LicenseFact | None:
    """The fact that decides (the strongest source that knows a license), or None when none knows."""
    known = sorted((f for f in facts if f.license), key=lambda f: _RANK.get(f.source, len(_RANK)))
    return known[0] if known else None


def kb_license_fact(fact: KbFact) -> LicenseFact:
    """A knowledge-base answer as a fact; a Hub entry says whether it was read from the card or inferred."""
    if fact.basis == "inferred":
        detail = f"bundled snapshot, inferred from {fact.source} ({fact.date}), not the Hub card"
    elif fact.basis == "card":
        detail = f"bundled snapshot of the Hub card: {fact.source} (seen {fact.date})"
    else:
        detail = f"{fact.source} ({fact.date})"
    if fact.raw and fact.raw != fact.license:
        detail += f"; declared as {fact.raw!r}"
    return LicenseFact("knowledge-base", fact.license, detail, basis=fact.basis)
