"""Why a license is unknown: not determined (no source reachable or readable) or declared none (the publisher gives none)."""

from __future__ import annotations

from collections.abc import Callable

from vlicense.model import Component, LicenseFact
from vlicense.resolution.hf import HubAnswer

NOT_DETERMINED = "not-determined"
DECLARED_NONE = "declared-none"


def mark_unknown(component: Component, kind: str | None, reason: str) -> None:
    """Record why the license is unknown (kind and reason are cleared when a license is known).

    ``reason``: for "declared none", where the silence was read ("README.md front matter has no license field");
    for "not determined", what failed and what would determine it ("...; rerun without --offline").
    """
    if component.license is not None:
        component.license_unknown, component.unknown_reason = None, ""
        return
    component.license_unknown, component.unknown_reason = kind, reason


def declared_none(facts: list[LicenseFact]) -> LicenseFact | None:
    """The first source that was read and states no license, if any."""
    return next((f for f in facts if f.license is None and f.declares_none), None)


def classify_model(component: Component, hub_repo: str | None, answer: HubAnswer | None) -> None:
    """Kind and reason for a model whose license is unknown after the Hub, the cache and the snapshot were asked."""
    if component.license is not None:
        return mark_unknown(component, None, "")
    silent = declared_none(component.facts)
    if silent is not None:
        return mark_unknown(component, DECLARED_NONE, silent.detail)
    if hub_repo and answer is not None and answer.unread:
        return mark_unknown(component, NOT_DETERMINED, _hub_reason(hub_repo, answer))
    if hub_repo:
        return mark_unknown(component, NOT_DETERMINED,
                            f"the Hub card of {hub_repo} was read but names no license vlicense can identify "
                            "(e.g. license: other without a name or link); read the card and record the license as "
                            "a policy override")
    known = next((f for f in component.facts if f.source == "knowledge-base"), None)
    where = (f"the bundled knowledge base records no license for it ({known.detail})" if known is not None
             else "no source vlicense consults knows its license (it is not in the bundled knowledge base)")
    return mark_unknown(component, NOT_DETERMINED,
                        f"{where}; find it (model card, LICENSE file, vendor) and record it as a policy override")


def _hub_reason(repo: str, answer: HubAnswer) -> str:
    download = f"`huggingface-cli download {repo} README.md` puts its card in the local cache"
    if answer.unread == "offline":
        return (f"the Hub card of {repo} was not read (offline) and the bundled snapshot has no license for it; "
                f"rerun without --offline, or {download}")
    if answer.unread == "gated":
        return (f"{repo} is gated and its card could not be read; set HF_TOKEN to a token of an account that "
                "accepted its terms and rerun")
    if answer.unread == "not-found":
        return (f"the Hub has no public repository {repo} (HTTP 404); if it is private, set HF_TOKEN and rerun; "
                "otherwise check the id")
    failed = next((f.detail for f in answer.facts if f.source == "hf-hub" and f.license is None), "no answer")
    return f"the Hub did not answer for {repo} ({failed}); rerun when it is reachable, or {download}"


def classify_library(component: Component, *, installed: bool, pypi_consulted: bool,
                     provides_modules: Callable[[], bool] = lambda: True) -> None:
    """Kind and reason for a Python distribution whose license is unknown.

    ``provides_modules`` tells whether the installed distribution ships any importable module (asked only when its
    metadata is silent): a meta-package that installs nothing of its own (cuda-toolkit) has nothing to license, so
    its silence is not read as a refusal.
    """
    if component.license is not None:
        return mark_unknown(component, None, "")
    silent = declared_none(component.facts)
    if silent is not None and installed and not provides_modules():
        return mark_unknown(component, NOT_DETERMINED,
                            "its metadata names no license, but it installs no Python module of its own (a "
                            "meta-package: the dependencies it pulls in are audited on their own); confirm and "
                            "record a policy override")
    if silent is not None:
        where = "its installed metadata" if silent.source == "installed-metadata" else "its PyPI metadata"
        return mark_unknown(component, DECLARED_NONE,
                            f"{where} has no License-Expression, License field, license classifier or license file")
    if not installed and not pypi_consulted:
        return mark_unknown(component, NOT_DETERMINED,
                            "it is not installed in the target environment and PyPI was not consulted (offline); "
                            "install it (or pass --python) or rerun without --offline")
    if not installed:
        failed = next((f.detail for f in component.facts if f.source == "pypi" and f.license is None), "no answer")
        return mark_unknown(component, NOT_DETERMINED,
                            f"it is not installed in the target environment and PyPI gave no license ({failed})")
    return mark_unknown(component, NOT_DETERMINED,
                        "its metadata states a license vlicense could not identify; read it and record the license "
                        "as a policy override")


def classify_weights(component: Component, reason: str) -> None:
    """Kind and reason for a weight file or model folder in the project (``reason``: what was read, or failed)."""
    if component.license is not None:
        return mark_unknown(component, None, "")
    silent = declared_none(component.facts)
    if silent is not None:
        return mark_unknown(component, DECLARED_NONE, silent.detail)
    return mark_unknown(component, NOT_DETERMINED, reason)
