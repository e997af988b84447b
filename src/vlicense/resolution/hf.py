"""Hugging Face license facts: the local cache first (no network), then the Hub API through huggingface_hub.

Online answers are kept in an optional SQLite answer cache (cache.py) for its TTL, so repeated audits do not
ask the Hub again; a failed lookup is recorded as a fact with no license, saying what failed.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vlicense.bounded import OverLimit
from vlicense.model import LicenseFact, SkippedFile
from vlicense.resolution.cache import AnswerCache, fetched_date
from vlicense.resolution.hub_api import fetch_model_info
from vlicense.resolution.hub_license import hub_license_to_id
from vlicense.resolution.model_card import CardUnreadable, read_card

logger = logging.getLogger(__name__)

# Short: a pre-commit hook must not hang on a slow or unreachable Hub.
HUB_TIMEOUT_SECONDS = 4.0

_PLAIN_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]{0,94}[A-Za-z0-9_](/[A-Za-z0-9][\w.-]{0,94}[A-Za-z0-9_])?|[A-Za-z0-9]")


def _is_plain_repo_id(repo_id: str) -> bool:
    """A repo id huggingface_hub accepts (no '--' or '..', no leading or trailing '-' or '.')."""
    return bool(_PLAIN_REPO_ID.fullmatch(repo_id)) and "--" not in repo_id and ".." not in repo_id


@dataclass
class HubAnswer:
    """What the Hugging Face sources said about one repo."""

    facts: list[LicenseFact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    task: str | None = None
    base_models: list[str] = field(default_factory=list)
    gated: bool | None = None
    # The gated mode as the Hub spells it ("auto", "manual") when gated.
    gated_mode: str | None = None
    # Why no card was read (None when one was): "offline", "gated", "not-found" or "failed" (the facts say how).
    unread: str | None = None


class HubResolver:
    """Looks a Hub repo's card up in the local cache, then (unless offline) on the Hub.

    ``answer_cache`` (optional) keeps successful Hub answers for its TTL; it is consulted only when online, so an
    ``--offline`` audit depends on the local Hugging Face cache and the bundled snapshot alone (reproducible).
    """

    def __init__(self, *, offline: bool, cache_dir: Path | None = None, timeout: float = HUB_TIMEOUT_SECONDS,
                 answer_cache: AnswerCache | None = None) -> None:
        self.offline = offline or _env_offline()
        self.cache_dir = cache_dir or default_cache_dir()
        self.timeout = timeout
        self.answer_cache = answer_cache
        # After the Hub fails to answer once (no network), later lookups in the same run skip it.
        self.hub_unreachable: str | None = None
        self.hub_queried = False
        # Cached cards and Hub answers that broke a limit: listed with the audit's skipped files.
        self.skipped: list[SkippedFile] = []
        self._memo: dict[tuple[str, str | None], HubAnswer] = {}

    def lookup(self, repo_id: str, revision: str | None = None) -> HubAnswer:
        """What the local cache (else the Hub) says about one repo; memoized per run (lineage asks again)."""
        key = (repo_id, revision)
        if key not in self._memo:
            answer = HubAnswer()
            card = self._from_cache(repo_id, revision, answer)
            if card is None and not self.offline:
                card = self._from_hub(repo_id, revision, answer)
            if card is None:
                answer.unread = self._unread(answer)
            self._memo[key] = answer
        memo = self._memo[key]
        return HubAnswer(list(memo.facts), list(memo.notes), memo.task, list(memo.base_models), memo.gated,
                         memo.gated_mode, memo.unread)

    def _unread(self, answer: HubAnswer) -> str:
        """Why no card was read for a lookup that found none (a license unknown for this reason is not determined)."""
        if self.offline:
            return "offline"
        if answer.gated:
            return "gated"
        if any(f.source == "hf-hub" and "not found (404)" in f.detail for f in answer.facts):
            return "not-found"
        return "failed"

    # ----------------------------------------------------------------------------------------- cache
    def _from_cache(self, repo_id: str, revision: str | None, answer: HubAnswer) -> dict[str, Any] | None:
        # Most repos are not in the cache: say so without importing huggingface_hub (~150 ms of start-up that a
        # pre-commit hook pays on every commit). Only well-formed ids take the shortcut, so a malformed one still
        # gets huggingface_hub's validation note below.
        if _is_plain_repo_id(repo_id) and not (self.cache_dir / f"models--{repo_id.replace('/', '--')}").is_dir():
            return None
        from huggingface_hub import try_to_load_from_cache
        from huggingface_hub.errors import HFValidationError

        try:
            path = try_to_load_from_cache(repo_id, "README.md", cache_dir=self.cache_dir, revision=revision)
        except HFValidationError:
            answer.notes.append(f"{repo_id!r} is not a valid Hugging Face repo id")
            return None
        if not isinstance(path, str):
            return None
        try:
            card = read_card(path) or {}
        except CardUnreadable as error:
            # The source is unreadable for this model: said on the component and listed as skipped.
            answer.notes.append(f"cached model card unreadable: {error}")
            answer.facts.append(LicenseFact("hf-cache", None, f"local Hugging Face cache: {path}: card unreadable, license not determined: {error}"))
            self.skipped.append(SkippedFile(path, f"cached model card unreadable: {error}"))
            return None
        self._record(card, "hf-cache", f"local Hugging Face cache: {path}", answer)
        return card

    # ------------------------------------------------------------------------------------------- hub
    def _from_hub(self, repo_id: str, revision: str | None, answer: HubAnswer) -> dict[str, Any] | None:
        if self.hub_unreachable:
            answer.facts.append(LicenseFact("hf-hub", None, f"Hub API not consulted: unreachable earlier in this run ({self.hub_unreachable})"))
            return None
        endpoint = (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
        cache_key = f"{endpoint}|{repo_id}|{revision or ''}"
        if self.answer_cache is not None:
            cached = self.answer_cache.get("hf", cache_key)
            if cached is not None and isinstance(cached.payload, dict):
                return self._from_payload(cached.payload, repo_id, revision, endpoint, answer,
                                          f"answer cached {fetched_date(cached.fetched)}")
        from huggingface_hub.errors import (
            GatedRepoError,
            HfHubHTTPError,
            OfflineModeIsEnabled,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        self.hub_queried = True
        try:
            info = fetch_model_info(endpoint, repo_id, revision, timeout=self.timeout, expand=["cardData", "gated", "pipeline_tag"])
        except OverLimit as error:
            # This answer is unreadable (too large, too deep, too slow): the source fails for this model only.
            where = f"{endpoint}/api/models/{repo_id}"
            answer.notes.append(f"Hub answer unreadable: {error}")
            answer.facts.append(LicenseFact("hf-hub", None, f"Hub API answer unreadable, license not determined: {error}"))
            self.skipped.append(SkippedFile(where, f"Hub API answer not read: {error}"))
            return None
        except GatedRepoError as error:
            status = getattr(getattr(error, "response", None), "status_code", "401/403")
            answer.notes.append("Hub: gated repository; its card could not be read without access")
            answer.gated = True
            answer.facts.append(LicenseFact("hf-hub", None, f"Hub API: gated repository, card not readable (HTTP {status})"))
            return None
        except (RepositoryNotFoundError, RevisionNotFoundError) as error:
            answer.notes.append(f"Hub: {type(error).__name__} for {repo_id}")
            answer.facts.append(LicenseFact("hf-hub", None, "Hub API: repository not found (404)"))
            return None
        except OfflineModeIsEnabled:
            self.hub_unreachable = "offline mode (HF_HUB_OFFLINE)"
            answer.facts.append(LicenseFact("hf-hub", None, "Hub API not consulted: offline mode (HF_HUB_OFFLINE)"))
            return None
        except HfHubHTTPError as error:
            status = getattr(getattr(error, "response", None), "status_code", "?")
            answer.notes.append(f"Hub: HTTP error {status}")
            answer.facts.append(LicenseFact("hf-hub", None, f"Hub API failed: HTTP {status}"))
            return None
        except (ValueError, KeyError, TypeError) as error:
            # A malformed answer for this repo (bad JSON, unexpected fields): this lookup failed, the Hub may not have.
            answer.notes.append(f"Hub: malformed response ({type(error).__name__})")
            answer.facts.append(LicenseFact("hf-hub", None, f"Hub API answered with a malformed response: {type(error).__name__}"))
            return None
        except Exception as error:  # noqa: BLE001 - connection/timeout errors of httpx share no importable base here
            # Connection refused, DNS failure, timeout: the Hub is unreachable for the rest of this run; the audit
            # goes on with the cache and the bundled snapshot, and the report says the source was offline.
            self.hub_unreachable = f"{type(error).__name__}: {error}"[:200]
            answer.notes.append(f"Hub unreachable: {self.hub_unreachable}")
            answer.facts.append(LicenseFact("hf-hub", None, f"Hub API unreachable: {self.hub_unreachable}"))
            return None
        card = info.get("cardData") if isinstance(info.get("cardData"), dict) else {}
        payload = {"card": card, "gated": info.get("gated"), "pipeline_tag": info.get("pipeline_tag")}
        if self.answer_cache is not None:
            self.answer_cache.put("hf", cache_key, payload)
        return self._from_payload(payload, repo_id, revision, endpoint, answer, "")

    def _from_payload(self, payload: dict[str, Any], repo_id: str, revision: str | None, endpoint: str,
                      answer: HubAnswer, how: str) -> dict[str, Any]:
        card = payload.get("card") if isinstance(payload.get("card"), dict) else {}
        gated = payload.get("gated")
        # The Hub says gated: false, "auto" or "manual".
        answer.gated = bool(gated) if gated is not None else None
        if answer.gated:
            answer.gated_mode = str(gated) if isinstance(gated, str) else None
            answer.notes.append(f"gated on the Hub ({gated})")
        tag = payload.get("pipeline_tag")
        answer.task = tag if isinstance(tag, str) else None
        where = f"Hub API {endpoint}/api/models/{repo_id}" + (f" (revision {revision})" if revision else "")
        if how:
            where += f" [{how}]"
        self._record(card, "hf-hub", where, answer)
        return card

    @staticmethod
    def _record(card: dict[str, Any], source: str, where: str, answer: HubAnswer) -> None:
        raw = card.get("license")
        license_name = card.get("license_name")
        license_id = hub_license_to_id(raw, license_name, card.get("license_link"))
        detail = (f"{where}: the card has no license field" if raw is None else f"{where}: license: {raw}") + (
            f", license_name: {license_name}" if license_name else "")
        if card.get("license_link"):
            detail += f", license_link: {card['license_link']}"
        answer.facts.append(LicenseFact(source, license_id, detail, declares_none=card_declares_none(card)))
        if answer.gated is None and any(str(k).startswith("extra_gated") for k in card):
            # A card with an access form (extra_gated_prompt/fields) belongs to a gated repo.
            answer.gated = True
            answer.notes.append("gated on the Hub (the card carries an access form)")
        base = card.get("base_model")
        if isinstance(base, str):
            answer.base_models = [base]
        elif isinstance(base, list):
            answer.base_models = [b for b in base if isinstance(b, str)]
        if answer.task is None and isinstance(card.get("pipeline_tag"), str):
            answer.task = card["pipeline_tag"]


def card_declares_none(card: dict[str, Any]) -> bool:
    """A card read fine that gives no license: no license field (or an empty one), or ``license: unknown``/``none``.

    ``license: other`` names a license vlicense could not identify: its terms are unknown, not absent.
    """
    raw = card.get("license")
    if card.get("license_name") or card.get("license_link"):
        return False
    return raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "unknown", "none")) or raw == []


def default_cache_dir() -> Path:
    """The Hub cache huggingface_hub would use, read from the environment now (it reads it once, at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HUGGINGFACE_HUB_CACHE"):
        return Path(os.environ["HUGGINGFACE_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface"
    )
    return Path(home) / "hub"


def _env_offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in {"1", "ON", "YES", "TRUE"}
