"""Loopback fakes of the vendors' media endpoints, speaking their wire formats, for the real SDKs.

OpenAI (SDK base URL ``<url>/v1``, key in ``Authorization: Bearer <key>``):
  POST /v1/images/generations  JSON in (model, prompt, size, n); JSON out: ``created``,
                               ``data[0].b64_json`` (a real PNG), ``usage``
  POST /v1/audio/speech        JSON in (model, voice, input, response_format "wav");
                               the audio out (a real WAV, 24 kHz mono 16-bit)
ElevenLabs (SDK base URL ``<url>``, key in ``xi-api-key``):
  POST /v1/text-to-speech/{voice_id}?output_format=mp3_44100_128  JSON in (text, model_id);
                               the audio streamed out in chunks (silent MPEG-1 Layer III
                               frames, WAV or raw PCM, as output_format asks)

A wrong key gets 401 with the vendor's error body. Every request is recorded. Answers come from
`script` in order (a status with headers such as Retry-After, a body of one's own, a delay that
outlasts the client's timeout), then success.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import threading
import wave
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from PIL import Image

OPENAI_KEY = "sk-test-pressroom"
ELEVENLABS_KEY = "xi-test-pressroom"

GENERATED_COLOR = (46, 139, 87)  # every generated image is this one colour
GENERATED_SCALE = 16  # generated images are the requested size divided by this (tests stay fast)
IMAGE_USAGE = {
    "input_tokens": 57,
    "input_tokens_details": {"image_tokens": 0, "text_tokens": 57},
    "output_tokens": 1056,
    "total_tokens": 1113,
}
OPENAI_SPEECH_RATE = 24_000
CHUNK_BYTES = 1024

_VOICE_PATH = re.compile(r"/v1/text-to-speech/(?P<voice_id>[^/]+)")
_MP3_BITRATE_INDEX = {32: 1, 40: 2, 48: 3, 56: 4, 64: 5, 80: 6, 96: 7, 112: 8, 128: 9, 192: 11}
_MP3_RATE_INDEX = {44_100: 0, 48_000: 1, 32_000: 2}


@dataclass(frozen=True)
class Reply:
    """A scripted answer; with no body, the endpoint's own (success, or the vendor's error)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0  # > 0: wait that long, then drop the connection without answering


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: dict[str, str]
    chunks: list[bytes]
    streamed: bool = False  # Transfer-Encoding: chunked, one chunk per item


class FakeServer:
    """A scripted, recording HTTP server on 127.0.0.1; subclasses speak one vendor's API."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[Recorded] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # ------------------------------------------------ what a vendor subclass says

    def authorized(self, request: Recorded) -> bool:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> bytes:
        raise NotImplementedError

    def success(self, request: Recorded) -> _Answer:
        raise NotImplementedError

    # ------------------------------------------------ the shared machinery

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # chunked answers need it; every answer closes

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                url = urlsplit(self.path)
                request = Recorded(
                    method="POST",
                    path=url.path,
                    query=dict(parse_qsl(url.query)),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=self.rfile.read(int(self.headers.get("Content-Length") or 0)),
                )
                self.close_connection = True
                reply = fake.take(request)
                if reply.delay:
                    fake._stopping.wait(reply.delay)
                    return
                self._send(fake.answer(request, reply))

            def _send(self, answer: _Answer) -> None:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.streamed:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    self.send_header("Content-Length", str(sum(map(len, answer.chunks))))
                self.send_header("Connection", "close")
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gone
                    self._write_body(answer)

            def _write_body(self, answer: _Answer) -> None:
                for chunk in answer.chunks:
                    if answer.streamed:
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        self.wfile.flush()
                    else:
                        self.wfile.write(chunk)
                if answer.streamed:
                    self.wfile.write(b"0\r\n\r\n")

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def take(self, request: Recorded) -> Reply:
        """Record `request`; a wrong key gets 401, else the next scripted reply, else success."""
        with self._lock:
            self.requests.append(request)
            if not self.authorized(request):
                return Reply(401)
            return self.script.pop(0) if self.script else Reply()

    def answer(self, request: Recorded, reply: Reply) -> _Answer:
        if reply.body is not None:
            headers = {"Content-Type": "application/json", **reply.headers}
            return _Answer(reply.status, headers, [reply.body])
        if reply.status >= 400:
            message = "Invalid API key" if reply.status == 401 else f"scripted {reply.status}"
            headers = {"Content-Type": "application/json", **reply.headers}
            return _Answer(reply.status, headers, [self.error_body(reply.status, message)])
        return self.success(request)

    def json_error(self, status: int, message: str) -> _Answer:
        return _Answer(
            status, {"Content-Type": "application/json"}, [self.error_body(status, message)]
        )

    def __enter__(self) -> Self:
        serve = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)
        serve.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()


class OpenAIMediaServer(FakeServer):
    """OpenAI's image generation and speech endpoints."""

    def __init__(self) -> None:
        super().__init__()
        self.revised_prompt: str | None = None  # set to have data[0].revised_prompt returned

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def authorized(self, request: Recorded) -> bool:
        return request.headers.get("authorization") == f"Bearer {OPENAI_KEY}"

    def error_body(self, status: int, message: str) -> bytes:
        kind = "invalid_api_key" if status == 401 else None
        error = {"message": message, "type": "invalid_request_error", "param": None, "code": kind}
        return json.dumps({"error": error}).encode()

    def success(self, request: Recorded) -> _Answer:
        if request.path == "/v1/images/generations":
            return self._image(request.json())
        if request.path == "/v1/audio/speech":
            return self._speech(request.json())
        return self.json_error(404, f"Invalid URL (POST {request.path})")

    def _image(self, params: dict[str, Any]) -> _Answer:
        if not params.get("prompt") or not params.get("model"):
            return self.json_error(400, "prompt and model are required")
        if str(params["model"]).startswith("gpt-image") and "response_format" in params:
            return self.json_error(400, "Unknown parameter: 'response_format'.")
        width, height = (int(side) for side in params.get("size", "1024x1024").split("x"))
        png = generated_png(width, height)
        image: dict[str, Any] = {"b64_json": base64.b64encode(png).decode()}
        if self.revised_prompt:
            image["revised_prompt"] = self.revised_prompt
        body = {"created": 1_767_225_600, "data": [image], "usage": IMAGE_USAGE}
        return _Answer(200, {"Content-Type": "application/json"}, [json.dumps(body).encode()])

    def _speech(self, params: dict[str, Any]) -> _Answer:
        if not params.get("input") or not params.get("voice"):
            return self.json_error(400, "input and voice are required")
        if params.get("response_format") != "wav":
            return self.json_error(400, "this fake speaks wav only")
        return _Answer(200, {"Content-Type": "audio/wav"}, [wav_bytes(OPENAI_SPEECH_RATE)])


class ElevenLabsServer(FakeServer):
    """ElevenLabs' text-to-speech endpoint, streaming its audio."""

    def authorized(self, request: Recorded) -> bool:
        return request.headers.get("xi-api-key") == ELEVENLABS_KEY

    def error_body(self, status: int, message: str) -> bytes:
        kind = "invalid_api_key" if status == 401 else "error"
        return json.dumps({"detail": {"status": kind, "message": message}}).encode()

    def success(self, request: Recorded) -> _Answer:
        if not _VOICE_PATH.fullmatch(request.path):
            return self.json_error(404, f"Not found: {request.path}")
        if not request.json().get("text"):
            return self.json_error(422, "text is required")
        output_format = request.query.get("output_format", "mp3_44100_128")
        audio, media_type = elevenlabs_audio(output_format)
        if not audio:
            return self.json_error(422, f"unsupported output_format {output_format}")
        chunks = [audio[start : start + CHUNK_BYTES] for start in range(0, len(audio), CHUNK_BYTES)]
        return _Answer(200, {"Content-Type": media_type}, chunks, streamed=True)


def generated_png(width: int, height: int) -> bytes:
    """A real PNG shaped like the requested size, small enough to keep the tests fast."""
    size = (max(1, width // GENERATED_SCALE), max(1, height // GENERATED_SCALE))
    buffer = io.BytesIO()
    Image.new("RGB", size, GENERATED_COLOR).save(buffer, format="PNG")
    return buffer.getvalue()


def wav_bytes(sample_rate: int, seconds: float = 0.05) -> bytes:
    """Mono 16-bit silence as a real WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(b"\x00\x00" * round(sample_rate * seconds))
    return buffer.getvalue()


def silent_mp3(sample_rate: int, bitrate_kbps: int, frames: int = 8) -> bytes:
    """MPEG-1 Layer III mono frames whose side information is all zero: valid silence."""
    header = bytes(
        [
            0xFF,
            0xFB,  # sync, MPEG-1, Layer III, no CRC
            _MP3_BITRATE_INDEX[bitrate_kbps] << 4 | _MP3_RATE_INDEX[sample_rate] << 2,
            0xC0,  # mono
        ]
    )
    frame_length = 144 * bitrate_kbps * 1000 // sample_rate
    return (header + bytes(frame_length - len(header))) * frames


def elevenlabs_audio(output_format: str) -> tuple[bytes, str]:
    """The audio for an output format such as mp3_44100_128, and its media type; b"" if unknown."""
    codec, rate, *bitrate = output_format.split("_")
    if codec == "mp3" and int(rate) in _MP3_RATE_INDEX and bitrate:
        return silent_mp3(int(rate), int(bitrate[0])), "audio/mpeg"
    if codec == "wav":
        return wav_bytes(int(rate)), "audio/wav"
    if codec == "pcm":
        return bytes(int(rate) // 10), "audio/pcm"
    return b"", ""
