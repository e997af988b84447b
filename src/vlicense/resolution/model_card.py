"""Read a model card's YAML front matter (local model folders, the Hugging Face cache) with the bounded reader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vlicense.bounded import CARD_YAML, OverLimit, load_front_matter, size_text, yaml_problem

MAX_CARD_BYTES = CARD_YAML.max_bytes


class CardUnreadable(Exception):
    """The card could not be read; the message is the reason (the limit it broke, or what is wrong with it)."""


def read_card(path: Path | str) -> dict[str, Any] | None:
    """The card's metadata (its front matter) as a dict; None when it has none. Raises CardUnreadable.

    Replaces ``huggingface_hub.metadata_load``, whose ``yaml.safe_load`` builds whatever the card holds: a
    12-line alias bomb there expands to 9**9 nodes in whatever walks the result next.
    """
    import yaml

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_CARD_BYTES + 1)
    except OSError as exc:
        raise CardUnreadable(f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_CARD_BYTES:
        raise CardUnreadable(f"larger than {size_text(MAX_CARD_BYTES)}")
    try:
        return load_front_matter(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CardUnreadable("not UTF-8 text") from None
    except OverLimit as exc:
        raise CardUnreadable(f"front matter over a limit: {exc}") from None
    except yaml.YAMLError as exc:
        raise CardUnreadable(f"front matter is not valid YAML ({yaml_problem(exc)})") from None
    except ValueError as exc:
        raise CardUnreadable(f"front matter is not YAML metadata ({exc})") from None

