"""A marketplace endpoint for the tests: a real HTTP server on loopback that fails, hangs and succeeds on command.

``mode`` is one of ``ok`` (200), ``fail`` (503), ``refuse`` (400) and ``hang`` (answers nothing until
released or ``hang_seconds`` pass). Every request is recorded with its headers and body; ``delivered`` keeps
the first body per ``Idempotency-Key`` that the server accepted, as a marketplace that drops repeats would.
"""

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class MarketplaceEndpoint:
    def __init__(self):
        self.mode = "ok"
        self.hang_seconds = 30.0
        self.requests: list[dict] = []
        self.delivered: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/messages"

    def set(self, mode: str) -> None:
        self.mode = mode
        if mode != "hang":
            self.release.set()
        else:
            self.release.clear()

    def keys(self) -> list[str]:
        with self.lock:
            return [r["headers"].get("Idempotency-Key") for r in self.requests]

    def accepted_count(self) -> int:
        with self.lock:
            return len(self.delivered)


def _handler(endpoint: MarketplaceEndpoint):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            record = {"headers": dict(self.headers), "body": body, "mode": endpoint.mode}
            with endpoint.lock:
                endpoint.requests.append(record)
            mode = endpoint.mode
            if mode == "hang":
                endpoint.release.wait(endpoint.hang_seconds)
                mode = "fail"
            if mode == "ok":
                key = self.headers.get("Idempotency-Key")
                with endpoint.lock:
                    endpoint.delivered.setdefault(key, json.loads(body))
                self._answer(200, b'{"ok": true}')
            elif mode == "refuse":
                self._answer(400, b'{"error": "unknown buyer"}')
            else:
                self._answer(503, b'{"error": "busy"}')

        def _answer(self, code: int, body: bytes):
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@contextmanager
def marketplace_endpoint():
    endpoint = MarketplaceEndpoint()
    endpoint.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(endpoint))
    endpoint.server.daemon_threads = True
    thread = threading.Thread(target=endpoint.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        endpoint.release.set()
        endpoint.server.shutdown()
        endpoint.server.server_close()
        thread.join(timeout=5)
