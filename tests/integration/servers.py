"""Loopback servers for the integration tests: the S3 API (moto in server mode) and a webhook
receiver that checks signatures and dedupes by Idempotency-Key."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
SECRET = "test-signing-secret"


# ---------------------------------------------------------------- the S3 API on loopback


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1, an ephemeral port; dummy credentials, no user profile."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.setenv("AWS_CONFIG_FILE", os.devnull)
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def s3_client(endpoint: str, config: Config | None = None, **credentials: str) -> Any:
    signing = Config(signature_version="s3v4")
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        config=signing.merge(config) if config else signing,
        **credentials,
    )


# ---------------------------------------------------------------- a webhook receiver


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"ok": true}'
    delay: float = 0.0  # > 0: hang that long, then drop the connection without answering


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


class Receiver:
    """A webhook endpoint on 127.0.0.1. It verifies every signature itself (HMAC-SHA256 of
    "<timestamp>.<body>", 5 minutes' tolerance), answers from `script` in order (then 200), and
    answers a repeated Idempotency-Key with the first 2xx plus ``Idempotent-Replayed: true``."""

    def __init__(self) -> None:
        self.script: list[Answer] = []
        self.requests: list[Received] = []
        self.delivered: dict[str, int] = {}  # idempotency key -> request number acted on
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks/pressroom"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answer = receiver.take(dict(self.headers.items()), body)
                if answer.delay and receiver.stopping.wait(answer.delay):
                    return
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def take(self, headers: dict[str, str], body: bytes) -> Answer:
        signature_ok = self.signature_ok(headers, body)
        with self._lock:
            self.requests.append(Received(headers, body, signature_ok))
            number = len(self.requests)
            if not signature_ok:
                return Answer(401, body=b"bad signature")
            key = headers["Idempotency-Key"]
            if key in self.delivered:
                replay = {"X-Request-Id": f"req-{self.delivered[key]}"}
                return Answer(200, {**replay, "Idempotent-Replayed": "true"})
            answer = self.script.pop(0) if self.script else Answer()
            if 200 <= answer.status < 300 and not answer.delay:
                self.delivered[key] = number
                answer = Answer(answer.status, {"X-Request-Id": f"req-{number}", **answer.headers})
            return answer

    @staticmethod
    def signature_ok(headers: dict[str, str], body: bytes) -> bool:
        timestamp = headers.get("X-Pressroom-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return False
        message = f"{timestamp}.".encode() + body
        expected = "sha256=" + hmac.new(SECRET.encode(), message, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, headers.get("X-Pressroom-Signature", ""))

    def __enter__(self) -> Receiver:
        serve = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        serve.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
