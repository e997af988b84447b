"""A local HTTP server that speaks the part of the Hugging Face Hub API vlicense uses (for HF_ENDPOINT)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse


class HubState:
    """Per-repo canned answers: a dict payload (200), an int status, "timeout", "malformed", raw ``bytes`` (200, sent
    as the body with its Content-Length) or ``Unsized(chunk, count)`` (200, the chunk sent ``count`` times with no
    Content-Length: the body ends when the connection closes)."""

    def __init__(self) -> None:
        self.answers: dict[str, object] = {}
        self.requests: list[str] = []

    def model(self, repo_id: str, *, license: str | None = None, gated: object = False, **card: object) -> None:
        card_data = dict(card)
        if license is not None:
            card_data["license"] = license
        self.answers[repo_id] = {
            "id": repo_id,
            "modelId": repo_id,
            "sha": "0" * 40,
            "private": False,
            "gated": gated,
            "disabled": False,
            "cardData": card_data,
            "tags": [f"license:{license}"] if license else [],
            "pipeline_tag": card.get("pipeline_tag"),
        }


@dataclass(frozen=True)
class Unsized:
    """A 200 answer streamed without a Content-Length: ``chunk`` repeated ``count`` times."""

    chunk: bytes
    count: int


def _handler(state: HubState, delay: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            path = unquote(urlparse(self.path).path)
            state.requests.append(self.path)
            prefix = "/api/models/"
            if not path.startswith(prefix):
                return self._send(404, {"error": "not found"})
            repo_id = path[len(prefix):].split("/revision/")[0]
            answer = state.answers.get(repo_id, 404)
            if answer == "timeout":
                time.sleep(delay)
                return self._send(200, {})
            if answer == "malformed":
                answer = b"{not json"
            if isinstance(answer, bytes):
                return self._send(200, answer)
            if isinstance(answer, Unsized):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                try:
                    for _ in range(answer.count):
                        self.wfile.write(answer.chunk)
                except OSError:  # the client hung up once it had read enough: that is the point
                    pass
                return None
            if isinstance(answer, int):
                headers = {"X-Error-Code": "GatedRepo"} if answer in (401, 403) else {"X-Error-Code": "RepoNotFound"} if answer == 404 else {}
                return self._send(answer, {"error": f"status {answer}"}, headers)
            return self._send(200, answer)

        def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def hub_server(delay: float = 6.0) -> Iterator[tuple[str, HubState]]:
    """Start the fake Hub on a free loopback port; yields (endpoint URL, state)."""
    state = HubState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state, delay))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
