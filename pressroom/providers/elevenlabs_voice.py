"""ElevenLabs speech through the official SDK, retried by us (the SDK's own retries are off).

The sample rate and media type come from the configured output format, e.g. ``mp3_44100_128``
is MP3 at 44.1 kHz (128 kbit/s), ``wav_22050`` WAV at 22.05 kHz. The SDK is imported when the
provider is built, so importing `pressroom.providers` stays fast.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from pressroom.errors import ConfigError
from pressroom.models import Generation, SpeechAudio
from pressroom.providers.openai_image import status_failure
from pressroom.providers.resilience import Failure, ProviderError, call_with_retries
from pressroom.settings import ElevenLabsSettings

if TYPE_CHECKING:
    from elevenlabs.client import ElevenLabs

    from pressroom.providers import ProviderContext

TEMPLATE_ID = "speech/text"
TEMPLATE_VERSION = "1"

KEY_HINT = "ELEVENLABS_API_KEY (or the Secret block named in providers.elevenlabs.api_key_block)"
STATUS_HINTS = {
    403: "the key may lack the text-to-speech permission or this output format",
    404: "check providers.elevenlabs.voice_id, model and base_url",
}

#: codec_samplerate[_bitrate], as the API names its output formats.
_OUTPUT_FORMAT = re.compile(r"(?P<codec>[a-z0-9]+)_(?P<rate>\d+)(?:_\d+)?")
MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "opus": "audio/ogg",
    "pcm": "audio/pcm",
    "ulaw": "audio/basic",
    "alaw": "audio/x-alaw-basic",
}


class ElevenLabsVoice:
    name = "elevenlabs"

    def __init__(
        self,
        settings: ElevenLabsSettings,
        api_key: str | None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._media_type, self._sample_rate = parse_output_format(settings.output_format)
        self._settings = settings
        self._client = elevenlabs_client(settings, api_key)
        self._sleep = sleep

    @classmethod
    def from_context(cls, context: ProviderContext) -> ElevenLabsVoice:
        return cls(context.settings.elevenlabs, context.api_keys.get("elevenlabs"))

    def speak(self, text: str, *, language: str, voice: str | None = None) -> SpeechAudio:
        if not text.strip():
            raise ValueError("nothing to speak: the text is empty")
        voice_id = voice or self._settings.voice_id
        started = time.perf_counter()
        audio, attempts = call_with_retries(
            lambda: self._convert(text, voice_id),
            provider="elevenlabs",
            max_attempts=self._settings.max_attempts,
            classify=self._failure,
            sleep=self._sleep,
        )
        if not audio:
            raise ProviderError("elevenlabs: the answer holds no audio")
        return SpeechAudio(
            audio=audio,
            sample_rate=self._sample_rate,
            media_type=self._media_type,
            generation=Generation(
                provider="elevenlabs",
                model=self._settings.model,
                template_id=TEMPLATE_ID,
                template_version=TEMPLATE_VERSION,
                parameters={
                    "voice": voice_id,
                    "language": language,
                    "format": self._settings.output_format,
                },
                seconds=round(time.perf_counter() - started, 6),
                units=len(text),
                attempts=attempts,
            ),
        )

    def _convert(self, text: str, voice_id: str) -> bytes:
        """The whole streamed answer: a connection dropped mid-stream fails this attempt."""
        chunks = self._client.text_to_speech.convert(
            voice_id,
            text=text,
            model_id=self._settings.model,
            output_format=self._settings.output_format,
            request_options={"max_retries": 0},  # 2.x does not retry streams; keep it so
        )
        return b"".join(chunks)

    def _failure(self, error: Exception) -> Failure | None:
        """What an SDK or transport error means for a retry; None for anything else."""
        import httpx
        from elevenlabs.core.api_error import ApiError

        if isinstance(error, httpx.TimeoutException):
            return Failure(
                True,
                f"ElevenLabs did not answer within {self._settings.timeout_seconds:g} s "
                "(providers.elevenlabs.timeout_seconds)",
            )
        if isinstance(error, httpx.TransportError):
            return Failure(True, f"cannot reach ElevenLabs: {error}")
        if isinstance(error, ApiError):
            headers = {name.lower(): value for name, value in (error.headers or {}).items()}
            return status_failure(
                "ElevenLabs",
                error.status_code or 0,
                detail=error_detail(error.body),
                retry_after=headers.get("retry-after"),
                key_hint=KEY_HINT,
                hints=STATUS_HINTS,
            )
        return None


def elevenlabs_client(settings: ElevenLabsSettings, api_key: str | None) -> ElevenLabs:
    if not api_key:
        raise ConfigError(f"ElevenLabs is configured but no key was found: set {KEY_HINT}")
    from elevenlabs.client import ElevenLabs

    return ElevenLabs(api_key=api_key, base_url=settings.base_url, timeout=settings.timeout_seconds)


def parse_output_format(output_format: str) -> tuple[str, int]:
    """The media type and sample rate of an output format such as ``mp3_44100_128``."""
    match = _OUTPUT_FORMAT.fullmatch(output_format)
    if not match or match["codec"] not in MEDIA_TYPES:
        raise ConfigError(
            f"providers.elevenlabs.output_format: {output_format!r} is not codec_rate[_bitrate] "
            f"with a codec among {', '.join(MEDIA_TYPES)} (e.g. mp3_44100_128, wav_22050)"
        )
    return MEDIA_TYPES[match["codec"]], int(match["rate"])


def error_detail(body: object) -> str:
    """The message in an error body such as ``{"detail": {"status": ..., "message": ...}}``."""
    detail = body.get("detail", body) if isinstance(body, Mapping) else body
    if isinstance(detail, Mapping) and detail.get("message"):
        return str(detail["message"])
    return str(detail)[:300]
