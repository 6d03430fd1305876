"""espeak-ng, offline, for French and every language Piper has no PyPI voice for.

The library and its data come from the `espeakng-loader` wheel and are driven through ctypes.
It is intelligible but robotic: each result is marked `quality: low` so reviewers are told.
"""

from __future__ import annotations

import ctypes
import io
import threading
import time
import wave
from functools import lru_cache
from typing import Any

from pressroom.errors import ConfigError
from pressroom.models import Generation, SpeechAudio
from pressroom.providers.resilience import ProviderError

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POSITION_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAMETER_RATE = 1
_SAMPLE_WIDTH = 2  # espeak-ng synthesises 16-bit mono PCM

_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Engine:
    """The espeak-ng library, initialised once. It keeps global state (voice, callback), so
    every synthesis holds the lock from choosing the voice to collecting the samples."""

    def __init__(self) -> None:
        import espeakng_loader

        library = ctypes.CDLL(espeakng_loader.get_library_path())
        library.espeak_Initialize.argtypes = [
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
        ]
        library.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        library.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        library.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate = library.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0)
        if self.sample_rate <= 0:
            raise ProviderError(f"espeak-ng: could not load its data from {data_path.decode()}")
        self._library = library
        self._chunks: list[bytes] = []
        self._callback = _SynthCallback(self._collect)  # kept alive as long as the engine
        library.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()

    def _collect(self, samples: Any, count: int, _events: object) -> int:
        if samples and count > 0:
            self._chunks.append(ctypes.string_at(samples, count * _SAMPLE_WIDTH))
        return 0  # 0: carry on

    def has_voice(self, name: str) -> bool:
        return int(self._library.espeak_SetVoiceByName(name.encode())) == 0

    def synthesize(self, text: str, voice: str, words_per_minute: int) -> bytes:
        """16-bit mono PCM at `sample_rate`; the caller holds `lock`."""
        if not self.has_voice(voice):
            raise ProviderError(f"espeak-ng: the voice {voice!r} could not be loaded")
        self._library.espeak_SetParameter(_PARAMETER_RATE, words_per_minute, 0)
        self._chunks = []
        encoded = text.encode("utf-8")
        status = self._library.espeak_Synth(
            encoded, len(encoded) + 1, 0, _POSITION_CHARACTER, 0, _CHARS_UTF8, None, None
        )
        if status != 0:
            raise ProviderError(f"espeak-ng: synthesis failed with status {status}")
        self._library.espeak_Synchronize()
        return b"".join(self._chunks)


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    return _Engine()


def espeak_voice_name(language: str) -> str | None:
    """The espeak-ng voice for a language tag ('fr', 'fr-CA', 'pt_BR'), or None if it has none."""
    engine = _engine()
    tag = language.replace("_", "-").lower()
    candidates = [tag, tag.split("-")[0]]
    with engine.lock:
        return next((name for name in candidates if name and engine.has_voice(name)), None)


class EspeakVoice:
    """Offline speech in about a hundred languages, marked low quality."""

    name = "espeak"

    def __init__(self, words_per_minute: int = 165) -> None:
        self._words_per_minute = words_per_minute

    def speak(self, text: str, *, language: str, voice: str | None = None) -> SpeechAudio:
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        voice = voice or espeak_voice_name(language)
        if voice is None:
            raise ConfigError(
                f"espeak-ng has no voice for the language {language!r}; set providers.voice to "
                "openai or elevenlabs (with a key) for this language"
            )
        started = time.perf_counter()
        engine = _engine()
        with engine.lock:
            pcm = engine.synthesize(text, voice, self._words_per_minute)
        if not pcm:
            raise ProviderError(f"espeak-ng: the voice {voice!r} produced no audio for {text!r}")
        return SpeechAudio(
            audio=_wav(pcm, engine.sample_rate),
            sample_rate=engine.sample_rate,
            media_type="audio/wav",
            generation=Generation(
                provider=self.name,
                model=f"espeak-ng/{voice}",
                template_id="speech/plain",
                template_version="1",
                parameters={
                    "language": language,
                    "quality": "low",
                    "words_per_minute": self._words_per_minute,
                },
                units=len(text),
                seconds=round(time.perf_counter() - started, 6),
            ),
        )


def _wav(pcm: bytes, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(_SAMPLE_WIDTH)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    return buffer.getvalue()
