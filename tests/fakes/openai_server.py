"""A fake OpenAI chat-completions server on 127.0.0.1, in the real wire format.

    with FakeOpenAI() as fake:
        client = openai.OpenAI(api_key="sk-test", base_url=fake.base_url + "/v1")
        fake.script(Reply.failure(429, retry_after="0"))    # the next answer; then valid ones
        ...
        fake.requests[0].json["messages"]                   # every request, headers and body

`POST /v1/chat/completions` answers with what was scripted (status and headers, malformed
content, a refusal, a delay to outlast a client timeout, a structured answer given in full, such
as a judge's verdict: ``Reply.structured({"claims": [...]})``), else validly from the request
itself:
a structured output (``response_format.json_schema``) is filled from its schema, using the
source text found between the ``<<<SOURCE code>>>`` and ``<<<END SOURCE code>>>`` lines of the
messages (else the messages' text) and the channels named by lines that start with ``- [name]``
(as `pressroom.prompts` renders them). Properties are
filled by name: ``channel``, ``hook``/``title``/``angle`` (the source's first line),
``body``/``summary``/``text`` (its first two sentences), ``passage``/``claim`` (one sentence),
``hashtags``/``keywords``/``interests``/``vocabulary``/``key_messages`` (lists from the source),
``needs``/``objections`` (short openings of source sentences, as an audience profile states
them); an array of objects that have a ``channel`` property gets one item per channel. Without a
schema the answer is plain text. Usage counts about four characters per token.

With ``api_key`` set, a request carrying another key gets the 401 OpenAI sends.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_PATH = "/v1/chat/completions"
SOURCE_BLOCK = re.compile(r"<<<SOURCE (\w+)>>>\n(.*?)\n<<<END SOURCE \1>>>", re.S)
CHANNEL_LINE = re.compile(r"^\s*- \[([a-z0-9_-]+)\]", re.M)
SENTENCE = re.compile(r"[^\s.!?][^\n]*?[.!?](?=\s|$)")
WORD = re.compile(r"[^\W\d_]{6,}")
CHARS_PER_TOKEN = 4
_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class Reply:
    """One scripted answer; the defaults make a valid answer built from the request."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    content: str | None = None  # the message content exactly as sent; None: a valid answer
    refusal: str | None = None
    error: str = ""  # the error message when status >= 400
    code: str | None = None  # the error code (e.g. "insufficient_quota"); a default per status
    delay: float = 0.0  # seconds to wait before answering, e.g. to outlast a client timeout

    @classmethod
    def failure(
        cls, status: int, message: str = "", retry_after: str | None = None, code: str | None = None
    ) -> Reply:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        return cls(
            status=status, headers=headers, error=message or f"fake error {status}", code=code
        )

    @classmethod
    def malformed(cls, content: str = '{"not": "what was asked"') -> Reply:
        return cls(content=content)

    @classmethod
    def structured(cls, answer: Mapping[str, Any]) -> Reply:
        """A structured output given in full rather than filled from the schema: a judge's
        verdict naming the exact spans and evidence a test needs, say."""
        return cls(content=json.dumps(answer, ensure_ascii=False))

    @classmethod
    def refused(cls, refusal: str = "I'm sorry, I cannot help with that request.") -> Reply:
        return cls(refusal=refusal)

    @classmethod
    def slow(cls, seconds: float) -> Reply:
        return cls(delay=seconds)


@dataclass(frozen=True)
class Recorded:
    """One request as received."""

    path: str
    headers: dict[str, str]
    raw: bytes

    def header(self, name: str) -> str | None:
        """A header's value, whatever the case the client spelt its name in."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.raw)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.json.get("messages", []))

    def text(self) -> str:
        """Everything the server was told, decoded: headers, then the body."""
        headers = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
        return f"{headers}\n\n{json.dumps(self.json, ensure_ascii=False)}"


class FakeOpenAI:
    """The server: `base_url` (add "/v1" for the SDK), `requests`, `script(*replies)`."""

    def __init__(self, *, api_key: str | None = None, snapshot: str = "2024-07-18") -> None:
        self.api_key = api_key
        self.snapshot = snapshot  # answered model: "<requested>-<snapshot>", as OpenAI does
        self.requests: list[Recorded] = []
        self._replies: list[Reply] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def script(self, *replies: Reply) -> None:
        """Queue answers for the next requests, in order; valid answers follow."""
        with self._lock:
            self._replies.extend(replies)

    def __enter__(self) -> FakeOpenAI:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------ answering

    def _take(self, recorded: Recorded) -> Reply:
        """Record the request; a 404 off the chat path, a 401 for a wrong key, else the next
        scripted reply or a valid answer."""
        with self._lock:
            self.requests.append(recorded)
            if recorded.path != CHAT_PATH:
                return Reply.failure(404, f"Unknown path {recorded.path}")
            wanted = f"Bearer {self.api_key}"
            if self.api_key is not None and recorded.header("Authorization") != wanted:
                return Reply.failure(401, "Incorrect API key provided.")
            return self._replies.pop(0) if self._replies else Reply()

    def _answer(self, recorded: Recorded) -> tuple[int, dict[str, str], dict[str, Any]] | None:
        """(status, headers, body), or None when the server stopped while waiting."""
        reply = self._take(recorded)
        if reply.delay and self._stopping.wait(reply.delay):
            return None
        if reply.status >= 400:
            return (
                reply.status,
                dict(reply.headers),
                _error_body(reply.status, reply.error, reply.code),
            )
        body = completion(recorded.json, reply, self.snapshot, len(self.requests))
        return reply.status, dict(reply.headers), body

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the SDK expects from OpenAI
            disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms ACK wait

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorded = Recorded(self.path, dict(self.headers.items()), raw)
                answer = fake._answer(recorded)
                if answer is None:
                    self.close_connection = True
                    return
                status, headers, body = answer
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    for name, value in {**headers, "Content-Type": "application/json"}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout) before the answer
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


def _error_body(status: int, message: str, code: str | None) -> dict[str, Any]:
    kind, default_code = _ERROR_TYPES.get(status, ("server_error", None))
    return {
        "error": {"message": message, "type": kind, "param": None, "code": code or default_code}
    }


# ---------------------------------------------------------------- valid answers


def completion(
    request: dict[str, Any], reply: Reply | None = None, snapshot: str = "", number: int = 1
) -> dict[str, Any]:
    """A `chat.completion` body answering `request` (a valid answer unless `reply` says
    otherwise), with usage at about four characters per token."""
    reply = reply or Reply()
    content = None if reply.refusal else reply.content
    if content is None and not reply.refusal:
        content = answer_for(request)
    prompt_chars = sum(len(str(m.get("content") or "")) for m in request.get("messages", []))
    prompt_tokens = prompt_chars // CHARS_PER_TOKEN + 1
    completion_tokens = len(content or reply.refusal or "") // CHARS_PER_TOKEN + 1
    model = str(request.get("model", "gpt-fake"))
    return {
        "id": f"chatcmpl-fake{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": f"{model}-{snapshot}" if snapshot else model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": reply.refusal,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def answer_for(request: dict[str, Any]) -> str:
    """A valid answer to a chat-completions request body, built from the request itself."""
    conversation = "\n".join(str(m.get("content") or "") for m in request.get("messages", []))
    found = SOURCE_BLOCK.search(conversation)
    channels = list(dict.fromkeys(CHANNEL_LINE.findall(conversation)))
    filler = _Filler(found.group(2) if found else conversation, channels)
    json_schema = (request.get("response_format") or {}).get("json_schema")
    if not json_schema:
        return filler.text("body")
    schema = json_schema.get("schema", {})
    return json.dumps(filler.value(schema, root=schema), ensure_ascii=False)


class _Filler:
    """Values for a JSON schema, taken from the source and the channels of the request."""

    def __init__(self, source: str, channels: list[str]) -> None:
        self.title = source.strip().splitlines()[0] if source.strip() else "Untitled"
        self.sentences = SENTENCE.findall(source) or [self.title]
        words = list(dict.fromkeys(w for w in WORD.findall(source) if w != w.upper()))
        self.words = words or ["news"]
        self.channels = channels

    def value(
        self,
        schema: dict[str, Any],
        root: dict[str, Any],
        name: str = "",
        index: int = 0,
        channel: str = "",
    ) -> Any:
        schema = _resolved(schema, root)
        if "anyOf" in schema:
            variants = [v for v in schema["anyOf"] if _resolved(v, root).get("type") != "null"]
            return self.value(
                variants[0] if variants else {"type": "null"}, root, name, index, channel
            )
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object":
            properties = schema.get("properties", {})
            return {
                key: self.value(sub, root, key, index, channel) for key, sub in properties.items()
            }
        if kind == "array":
            return self.items(_resolved(schema.get("items", {}), root), root, name, channel)
        if kind == "string":
            return self.text(name, index, channel)
        return {"integer": 1, "number": 1.0, "boolean": True}.get(str(kind))

    def items(
        self, items: dict[str, Any], root: dict[str, Any], name: str, channel: str
    ) -> list[Any]:
        if "channel" in items.get("properties", {}) and self.channels:
            return [self.value(items, root, name, i, c) for i, c in enumerate(self.channels)]
        if items.get("type") == "string":
            return self.strings(name)
        return [self.value(items, root, name, i, channel) for i in range(2)]

    def strings(self, name: str) -> list[str]:
        if name == "hashtags":
            return ["#" + word.capitalize() for word in self.words[:6]]
        if name == "key_messages":
            return self.sentences[:3]
        if name == "needs":
            return [_opening(s) for s in self.sentences[:2]]
        if name == "objections":
            return [_opening(s) for s in self.sentences[2:3] or self.sentences[:1]]
        if name == "vocabulary":
            return self.words[:6]
        return self.words[:4]

    def text(self, name: str, index: int = 0, channel: str = "") -> str:
        if name == "channel":
            return channel or (self.channels[0] if self.channels else "default")
        if name in {"hook", "title", "angle", "headline"}:
            return self.title
        if name == "body":
            # A post body like a model's, not a copy: short openings of the first sentences,
            # so it does not trip the copying rule (C1, 12+ words in a row).
            return " ".join(_opening(s) for s in self.sentences[:2])
        if name in {"summary", "text", "caption", "description"}:
            return " ".join(self.sentences[:2])
        if name in {"passage", "claim", "quote"}:
            return self.sentences[index % len(self.sentences)]
        if name == "notes":
            return ""
        return self.sentences[0]


def _opening(sentence: str, words: int = 8) -> str:
    kept = sentence.split()
    return sentence if len(kept) <= words else " ".join(kept[:words]).rstrip(",;:") + "…"


def _resolved(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """`schema` with a local ``$ref`` ("#/$defs/Name") followed."""
    while "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema
