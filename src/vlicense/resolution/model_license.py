"""A model's license: its own declaration decides; lineage adds its bases' terms and never relaxes them."""

from __future__ import annotations

from vlicense.knowledge.licenses import categorize
from vlicense.model import Component, LicenseFact, LineageLink, Signal
from vlicense.resolution.merge import chosen_fact

# How much a license restricts what a derived model may do, to compare a derived model with its base. Order:
# permissive = public-domain < weak-copyleft < use-restricted < strong-copyleft < network-copyleft =
# non-commercial = source-available = proprietary. "unknown" has no rank: no drift is claimed about it.
# An expression ranks as its most restrictive leaf (conservative for a base; for a derived model's OR choice it
# may overstate, which can only hide drift, never invent it).
CATEGORY_RANK: dict[str, int] = {
    "public-domain": 0,
    "permissive": 0,
    "weak-copyleft": 1,
    "use-restricted": 2,
    "strong-copyleft": 3,
    "network-copyleft": 4,
    "non-commercial": 4,
    "source-available": 4,
    "proprietary": 4,
}

# Notes this rule writes; dropped before it decides again (weight enrichment re-decides file and folder models).
_RULE_NOTES = ("sources disagree:", "the model declares no license", "the Hub card ", "the bundled snapshot ")


def restriction_rank(expression: str | None) -> int | None:
    """Rank of an expression by CATEGORY_RANK (its most restrictive leaf); None when any leaf is unknown."""
    if not expression:
        return None
    categories = categorize(expression)
    if any(c not in CATEGORY_RANK for c in categories):
        return None
    return max(CATEGORY_RANK[c] for c in categories)


def decide_model_license(component: Component) -> None:
    """Set a model's license from its own declaration (card, LICENSE file, weight metadata, Hub card, snapshot).

    Lineage never decides over the model's own word: it fills in only when the model declares nothing (source
    ``lineage``), and a base more restrictive than the model raises a license-drift signal; the policy evaluates
    every ancestor's terms in ``component.lineage`` as well. Idempotent (weight enrichment calls it again).
    """
    own = [f for f in component.facts if f.source != "lineage"]
    chosen = chosen_fact(own)
    notes = [n for n in component.notes if not n.startswith(_RULE_NOTES)]
    if chosen is not None:
        component.license, component.license_source = chosen.license, chosen.source
        notes.extend(_own_notes(own, chosen))
    else:
        inherited = chosen_fact([f for f in component.facts if f.source == "lineage"])
        component.license = inherited.license if inherited else None
        component.license_source = "lineage" if inherited else None
        if inherited is not None:
            bases = ", ".join(link.id for link in component.lineage if len(link.path) == 2) or "its base model"
            notes.append(f"the model declares no license: inherited from {bases} ({inherited.license})")
    component.notes = notes
    component.signals = [s for s in component.signals if s.kind != "license-drift"]
    component.signals.extend(_drift(component, chosen.license if chosen else None, chosen))


def _own_notes(own: list[LicenseFact], chosen: LicenseFact) -> list[str]:
    """Disagreements among the model's own sources, saying what a bundled snapshot's value rests on."""
    notes = []
    seen: set[tuple[str, str]] = set()
    for fact in sorted(own, key=lambda f: (f.source, f.license or "")):
        if not fact.license or fact.license == chosen.license or (fact.source, fact.license) in seen:
            continue
        seen.add((fact.source, fact.license))
        from_card = chosen.source in ("hf-hub", "hf-cache")
        if fact.source == "knowledge-base" and from_card and fact.basis == "inferred":
            notes.append(f"the Hub card says {chosen.license}; the bundled snapshot's {fact.license} was inferred "
                         f"from an upstream source, not the card ({fact.detail}): the card decides")
        elif fact.source == "knowledge-base" and from_card and fact.basis == "card":
            notes.append(f"the Hub card now says {chosen.license}; the bundled snapshot of the card said "
                         f"{fact.license} ({fact.detail}): the card changed since the snapshot, the current card decides")
        else:
            notes.append(f"sources disagree: {fact.source} says {fact.license}; {chosen.source} ({chosen.license}) "
                         "takes precedence")
    if chosen.source == "knowledge-base" and chosen.basis == "inferred":
        silent_card = any(f.source in ("hf-hub", "hf-cache") and f.declares_none for f in own)
        card = "the Hub card declares no license" if silent_card else "the Hub card was not read"
        notes.append(f"the bundled snapshot's {chosen.license} is inferred from an upstream source, not the Hub card "
                     f"({card})")
    return notes


def _drift(component: Component, own_license: str | None, chosen: LicenseFact | None) -> list[Signal]:
    own_rank = restriction_rank(own_license)
    if own_rank is None or chosen is None:
        return []
    signals = []
    for link in component.lineage:
        base_rank = restriction_rank(link.license)
        if base_rank is None or base_rank <= own_rank:
            continue
        signals.append(Signal(
            "license-drift",
            f"{component.id} declares {own_license} ({', '.join(categorize(own_license))}; {source_label(chosen)}) "
            f"but derives from {link.id} under {link.license} ({', '.join(categorize(link.license))}): the base's "
            "terms still bind the derived weights",
            f"base={link.id}; base_license={link.license}; base_source={link.source}; path={' -> '.join(link.path)}",
        ))
    return signals


# ------------------------------------------------------------------------------------------------ words

_SOURCE_WORDS = {
    "hf-hub": "Hub card",
    "hf-cache": "cached Hub card",
    "knowledge-base": "bundled knowledge base",
    "policy-override": "policy override",
    "installed-metadata": "installed metadata",
    "pypi": "PyPI",
    "lineage": "inherited",
}


def source_label(fact: LicenseFact | None, source: str | None = None) -> str:
    """Where a license was read, in a few words: "its card", "Hub card", "bundled snapshot of the Hub card"."""
    if fact is None:
        return _SOURCE_WORDS.get(source or "", source or "no source")
    if fact.source == "weight-metadata":
        if fact.detail.startswith("README.md"):
            return "its card"
        if " file in the model directory" in fact.detail:
            return f"its {fact.detail.split(' ', 1)[0]} file"
        return "its weight-file metadata"
    if fact.source == "knowledge-base" and fact.basis == "card":
        return "bundled snapshot of the Hub card"
    if fact.source == "knowledge-base" and fact.basis == "inferred":
        return "bundled snapshot, inferred from upstream, not the Hub card"
    return _SOURCE_WORDS.get(fact.source, fact.source)


_RELATION_WORDS = {
    "base_model": "base",
    "train_args.model": "fine-tuned from",
    "weight-metadata": "derived from",
    "_name_or_path": "loaded from",
}


def chain_text(component: Component) -> str:
    """The lineage in one line: "hf:me/ft (CC-BY-NC-4.0, its card) ← base hf:org/base (Apache-2.0, Hub card)"."""
    if not component.lineage:
        return ""
    own = _own_fact(component)
    if component.license_source == "lineage":
        head = f"{component.id} (declares no license)"
    else:
        head = f"{component.id} ({component.license or 'license unknown'}, {source_label(own, component.license_source)})"
    text = head
    previous: tuple[str, ...] = (component.id,)
    for link in component.lineage:
        word = _RELATION_WORDS.get(link.relation, link.relation)
        where = _SOURCE_WORDS.get(link.source or "", link.source or "no source")
        step = f"{word} {link.id} ({link.license or 'license unknown'}, {where})"
        # A chain continues with "←"; a branch (a second base, or a base further up another path) restarts from
        # the model it belongs to, so every "←" reads as "derives from".
        text += f" ← {step}" if link.path[:-1] == previous else f"; {link.path[-2]} ← {step}"
        previous = link.path
    return text


def _own_fact(component: Component) -> LicenseFact | None:
    return next((f for f in component.facts if f.source == component.license_source and f.license == component.license), None)


def inherited_links(component: Component) -> list[LineageLink]:
    """Ancestors whose known terms differ from the model's own license: the policy evaluates these too."""
    return [link for link in component.lineage if link.license and link.license != component.license]
