"""Hugging Face license facts: the local cache first (no network), then the Hub API through huggingface_hub."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vlicense.model import LicenseFact
from vlicense.resolution.hub_license import hub_license_to_id

logger = logging.getLogger(__name__)

# Short: a pre-commit hook must not hang on a slow or unreachable Hub.
HUB_TIMEOUT_SECONDS = 4.0


@dataclass
class HubAnswer:
    """What the Hugging Face sources said about one repo."""

    facts: list[LicenseFact] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    task: str | None = None
    base_models: list[str] = field(default_factory=list)
    gated: bool | None = None


class HubResolver:
    """Looks a Hub repo's card up in the local cache, then (unless offline) on the Hub."""

    def __init__(self, *, offline: bool, cache_dir: Path | None = None, timeout: float = HUB_TIMEOUT_SECONDS) -> None:
        self.offline = offline or _env_offline()
        self.cache_dir = cache_dir or default_cache_dir()
        self.timeout = timeout
        # After the Hub fails to answer once (no network), later lookups in the same run skip it.
        self.hub_unreachable: str | None = None
        self.hub_queried = False

    def lookup(self, repo_id: str, revision: str | None = None) -> HubAnswer:
        answer = HubAnswer()
        if self._from_cache(repo_id, revision, answer) is None and not self.offline:
            self._from_hub(repo_id, revision, answer)
        return answer

    # ----------------------------------------------------------------------------------------- cache
    def _from_cache(self, repo_id: str, revision: str | None, answer: HubAnswer) -> dict[str, Any] | None:
        from huggingface_hub import try_to_load_from_cache
        from huggingface_hub.errors import HFValidationError
        from huggingface_hub.repocard import metadata_load

        try:
            path = try_to_load_from_cache(repo_id, "README.md", cache_dir=self.cache_dir, revision=revision)
        except HFValidationError:
            answer.notes.append(f"{repo_id!r} is not a valid Hugging Face repo id")
            return None
        if not isinstance(path, str):
            return None
        try:
            card = metadata_load(path) or {}
        except (OSError, ValueError, UnicodeDecodeError) as error:
            answer.notes.append(f"cached model card unreadable: {error}")
            return None
        self._record(card, "hf-cache", f"local Hugging Face cache: {path}", answer)
        return card

    # ------------------------------------------------------------------------------------------- hub
    def _from_hub(self, repo_id: str, revision: str | None, answer: HubAnswer) -> dict[str, Any] | None:
        if self.hub_unreachable:
            return None
        from huggingface_hub import HfApi
        from huggingface_hub.errors import (
            GatedRepoError,
            HfHubHTTPError,
            OfflineModeIsEnabled,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        self.hub_queried = True
        api = HfApi(endpoint=os.environ.get("HF_ENDPOINT") or None)
        try:
            info = api.model_info(repo_id, revision=revision, timeout=self.timeout, expand=["cardData", "gated", "pipeline_tag"])
        except GatedRepoError:
            answer.notes.append("Hub: gated repository; its card could not be read without access")
            answer.gated = True
            answer.facts.append(LicenseFact("hf-hub", None, "Hub API: gated repository (401/403)"))
            return None
        except (RepositoryNotFoundError, RevisionNotFoundError) as error:
            answer.notes.append(f"Hub: {type(error).__name__} for {repo_id}")
            answer.facts.append(LicenseFact("hf-hub", None, "Hub API: repository not found (404)"))
            return None
        except OfflineModeIsEnabled:
            self.hub_unreachable = "offline mode (HF_HUB_OFFLINE)"
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
            return None
        card = dict(info.card_data.to_dict()) if info.card_data is not None else {}
        answer.gated = bool(info.gated) if info.gated is not None else None
        if answer.gated:
            answer.notes.append(f"gated on the Hub ({info.gated})")
        answer.task = getattr(info, "pipeline_tag", None)
        where = f"Hub API {api.endpoint}/api/models/{repo_id}" + (f" (revision {revision})" if revision else "")
        self._record(card, "hf-hub", where, answer)
        return card

    @staticmethod
    def _record(card: dict[str, Any], source: str, where: str, answer: HubAnswer) -> None:
        raw = card.get("license")
        license_name = card.get("license_name")
        license_id = hub_license_to_id(raw, license_name)
        detail = f"{where}: license: {raw}" + (f", license_name: {license_name}" if license_name else "")
        if card.get("license_link"):
            detail += f", license_link: {card['license_link']}"
        answer.facts.append(LicenseFact(source, license_id, detail))
        base = card.get("base_model")
        if isinstance(base, str):
            answer.base_models = [base]
        elif isinstance(base, list):
            answer.base_models = [b for b in base if isinstance(b, str)]
        if answer.task is None and isinstance(card.get("pipeline_tag"), str):
            answer.task = card["pipeline_tag"]


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
