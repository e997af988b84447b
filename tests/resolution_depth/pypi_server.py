"""A local HTTP server speaking the PyPI JSON API (``/pypi/<name>[/<version>]/json``) for VLICENSE_PYPI_URL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse


class PyPIState:
    """Canned answers per ``name`` or ``name/version``: an info dict (200), an int status, "timeout" or "malformed"."""

    def __init__(self) -> None:
        self.answers: dict[str, object] = {}
        self.requests: list[str] = []

    def release(self, name: str, version: str | None = None, **info: object) -> None:
        key = f"{name}/{version}" if version else name
        self.answers[key] = {"info": {"name": name, "version": version or "9.9.9", **info}}


@contextmanager
def pypi_server(delay: float = 3.0) -> Iterator[tuple[str, PyPIState]]:
    """Start the fake index on a free loopback port; yields (base URL ending in /pypi, state)."""
    state = PyPIState()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = unquote(urlparse(self.path).path)
            state.requests.append(path)
            parts = path.strip("/").split("/")
            if len(parts) < 3 or parts[0] != "pypi" or parts[-1] != "json":
                return self._send(404, b"{}")
            answer = state.answers.get("/".join(parts[1:-1]), 404)
            if answer == "timeout":
                time.sleep(delay)
                return self._send(200, b"{}")
            if answer == "malformed":
                return self._send(200, b"{not json")
            if isinstance(answer, int):
                return self._send(answer, b'{"message": "error"}')
            return self._send(200, json.dumps(answer).encode())

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pypi", state
    finally:
        server.shutdown()
        server.server_close()
