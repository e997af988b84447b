"""Ask the Hub API for one model's card data through huggingface_hub's HTTP session, with the answer size-capped."""

from __future__ import annotations

import time
from typing import Any

from vlicense.bounded import MAX_JSON_DEPTH, OverLimit, load_json, size_text

# A model_info answer with cardData, gated and pipeline_tag is a few KB (a long model-index, tens of KB).
MAX_HUB_ANSWER_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024


def fetch_model_info(endpoint: str, repo_id: str, revision: str | None, *, timeout: float,
                     expand: list[str]) -> dict[str, Any]:
    """What ``HfApi.model_info(repo_id, revision, expand=...)`` returns, as the JSON object, bounded.

    Same request, headers and error mapping as huggingface_hub (``hf_raise_for_status``: GatedRepoError,
    RepositoryNotFoundError, ...), but the body is streamed and abandoned past MAX_HUB_ANSWER_BYTES or once the
    whole answer has taken longer than ``timeout`` (httpx's timeout is per read: a server dripping bytes would
    never trip it), and parsed with the depth-capped JSON reader. Raises OverLimit when a limit is broken,
    ValueError when the answer is not a JSON object.
    """
    from urllib.parse import quote

    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    url = f"{endpoint}/api/models/{repo_id}" + (f"/revision/{quote(revision, safe='')}" if revision else "")
    deadline = time.monotonic() + timeout
    with get_session().stream("GET", url, headers=build_hf_headers(), params={"expand": expand}, timeout=timeout) as response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_HUB_ANSWER_BYTES:
            raise OverLimit(f"Hub answer declares {int(declared):,} bytes (limit {size_text(MAX_HUB_ANSWER_BYTES)})")
        chunks: list[bytes] = []
        received = 0
        for chunk in response.iter_bytes(_CHUNK):
            received += len(chunk)
            if received > MAX_HUB_ANSWER_BYTES:
                raise OverLimit(f"Hub answer larger than {size_text(MAX_HUB_ANSWER_BYTES)}")
            if time.monotonic() > deadline:
                raise OverLimit(f"Hub answer took longer than {timeout:g} s to arrive")
            chunks.append(chunk)
        body = b"".join(chunks)
        # hf_raise_for_status reads headers and, for errors, the body: give it a complete response of the capped body.
        hf_raise_for_status(type(response)(response.status_code, headers=response.headers, content=body,
                                           request=response.request))
    data = load_json(body, max_bytes=MAX_HUB_ANSWER_BYTES, max_depth=MAX_JSON_DEPTH, what="Hub answer")
    if not isinstance(data, dict):
        raise ValueError("the Hub answer is not a JSON object")
    return data
