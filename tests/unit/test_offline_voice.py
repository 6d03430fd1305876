"""The embedded voice speaks English offline and says clearly what it cannot speak."""

import io
import wave

import pytest

from pressroom.errors import ConfigError
from pressroom.providers import voice_provider


def test_english_is_spoken_as_a_real_wav() -> None:
    speech = voice_provider("offline").speak(
        "The new ferry leaves the northern pier at nine.", language="en"
    )
    with wave.open(io.BytesIO(speech.audio)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
        assert wav.getframerate() == speech.sample_rate == 22050
    assert 1.0 < seconds < 10.0
    assert speech.media_type == "audio/wav"
    assert speech.generation.units == len("The new ferry leaves the northern pier at nine.")


def test_a_language_no_offline_voice_speaks_is_refused_with_its_name() -> None:
    with pytest.raises(ConfigError, match="espeak-ng has no voice for the language 'xx'"):
        voice_provider("offline").speak("Hello.", language="xx")
