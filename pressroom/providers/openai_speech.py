"""OpenAI speech: text in, WAV out (the sample rate read from the WAV header)."""

from __future__ import annotations

import io
import time
import wave
from typing import TYPE_CHECKING, Final

from pressroom.models import Generation, SpeechAudio
from pressroom.providers.openai_image import OpenAIMediaProvider, openai_failure
from pressroom.providers.resilience import ProviderError, call_with_retries

if TYPE_CHECKING:
    pass

TEMPLATE_ID = "speech/text"
TEMPLATE_VERSION = "1"
RESPONSE_FORMAT: Final = "wav"
MAX_INPUT_CHARS = 4096  # the speech endpoint's limit


class OpenAISpeech(OpenAIMediaProvider):
    def speak(self, text: str, *, language: str, voice: str | None = None) -> SpeechAudio:
        if not text.strip():
            raise ValueError("nothing to speak: the text is empty")
        if len(text) > MAX_INPUT_CHARS:
            raise ProviderError(
                f"openai speech: the text has {len(text)} characters; "
                f"OpenAI speaks at most {MAX_INPUT_CHARS} per request"
            )
        voice = voice or self._settings.speech_voice
        started = time.perf_counter()
        audio, attempts = call_with_retries(
            lambda: self._create(text, voice),
            provider="openai speech",
            max_attempts=self._settings.max_attempts,
            classify=lambda error: openai_failure(error, self._settings.timeout_seconds),
            sleep=self._sleep,
        )
        return SpeechAudio(
            audio=audio,
            sample_rate=wav_sample_rate(audio),
            media_type="audio/wav",
            generation=Generation(
                provider="openai",
                model=self._settings.speech_model,
                template_id=TEMPLATE_ID,
                template_version=TEMPLATE_VERSION,
                parameters={"voice": voice, "language": language, "format": RESPONSE_FORMAT},
                seconds=round(time.perf_counter() - started, 6),
                units=len(text),
                attempts=attempts,
            ),
        )

    def _create(self, text: str, voice: str) -> bytes:
        response = self._client.audio.speech.create(
            model=self._settings.speech_model,
            voice=voice,
            input=text,
            response_format=RESPONSE_FORMAT,
        )
        return response.content


def wav_sample_rate(audio: bytes) -> int:
    try:
        with wave.open(io.BytesIO(audio)) as wav:
            return wav.getframerate()
    except (wave.Error, EOFError) as error:
        raise ProviderError(f"openai speech: the returned audio is not WAV: {error}") from error
