"""The voice-over of a video script: each sentence spoken, laid end to end, mixed and timed.

Each scene's narration is cut into sentences; each sentence is cleaned for speech and spoken by
one provider call; the audio is laid out with `sentence_gap` seconds between sentences and
`scene_gap` between scenes. Every timing comes from the audio actually produced. Scene i lasts
from its first sentence until scene i+1 starts (so its trailing gap is part of it); the last
scene ends with the audio. Cues carry the sentences as the viewer reads them (markdown and emoji
removed, numbers and abbreviations as written).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from pydantic import BaseModel

from pressroom.errors import ScriptError
from pressroom.media.audio import RATE, Samples, decode_speech, mix, write_wav
from pressroom.media.captions import Cue
from pressroom.media.speech_text import clean_for_speech, strip_emoji, strip_markdown
from pressroom.models import Generation
from pressroom.providers.base import VoiceProvider
from pressroom.providers.resilience import ProviderError
from pressroom.text import split_sentences, truncate_words


class HasNarration(Protocol):
    @property
    def narration(self) -> str: ...


SceneInput = tuple[str, str] | HasNarration


class SceneTiming(BaseModel):
    index: int  # 0-based position in the script; messages count scenes from 1
    start: float
    end: float


class VoiceOver(BaseModel):
    audio_path: Path
    duration: float
    scenes: list[SceneTiming]
    cues: list[Cue]
    generations: list[Generation]  # one per sentence spoken
    loudness_lufs: float
    peak_dbfs: float
    low_quality: bool  # a voice marked its output `quality: low` (espeak-ng)


@dataclass(frozen=True)
class _Spoken:
    text: str  # as the viewer reads it
    samples: Samples
    generation: Generation


def build_voiceover(
    script_scenes: Sequence[SceneInput],
    voice: VoiceProvider,
    language: str,
    *,
    out: Path,
    sentence_gap: float = 0.25,
    scene_gap: float = 0.6,
    music: Path | None = None,
    max_seconds: float | None = None,
) -> VoiceOver:
    """Speak the scenes with `voice`, mix over `music` if given, write a 48 kHz stereo WAV to
    `out` (atomically) and return its timings.

    Raises ScriptError for an empty script or scene, or when the voice runs past `max_seconds`
    (checked after every sentence, so no further paid call is made); ProviderError naming the
    scene and sentence when the voice fails.
    """
    scenes = _sentences_to_say(script_scenes, language)
    spoken = _speak_scenes(scenes, voice, language, sentence_gap, scene_gap, max_seconds)
    track, timings, cues = _lay_out(spoken, sentence_gap, scene_gap)
    mixed = mix(track, [(cue.start, cue.end) for cue in cues], music)
    write_wav(out, mixed.samples)
    generations = [said.generation for scene in spoken for said in scene]
    return VoiceOver(
        audio_path=out,
        duration=len(track) / RATE,
        scenes=timings,
        cues=cues,
        generations=generations,
        loudness_lufs=round(mixed.loudness_lufs, 2),
        peak_dbfs=round(mixed.peak_dbfs, 2),
        low_quality=any(g.parameters.get("quality") == "low" for g in generations),
    )


@dataclass(frozen=True)
class _Sentence:
    number: int  # counted from 1 within its scene, as in messages
    shown: str  # as the viewer reads it
    said: str  # as the voice is asked to say it


def _sentences_to_say(script_scenes: Sequence[SceneInput], language: str) -> list[list[_Sentence]]:
    """Every scene's sentences, checked before any voice is called (and paid)."""
    if not script_scenes:
        raise ScriptError("the script has no scenes: nothing to narrate")
    scenes = []
    for number, scene in enumerate(script_scenes, start=1):
        narration = scene[0] if isinstance(scene, tuple) else scene.narration
        if not (narration or "").strip():
            raise ScriptError(f"scene {number}: the narration is empty")
        sentences = [
            _Sentence(count, strip_emoji(text), clean_for_speech(text, language))
            for count, text in enumerate(split_sentences(strip_markdown(narration)), start=1)
        ]
        speakable = [sentence for sentence in sentences if sentence.said]
        if not speakable:
            raise ScriptError(
                f"scene {number}: nothing to say once links, emoji and markup are removed"
            )
        scenes.append(speakable)
    return scenes


def _speak_scenes(
    scenes: list[list[_Sentence]],
    voice: VoiceProvider,
    language: str,
    sentence_gap: float,
    scene_gap: float,
    max_seconds: float | None,
) -> list[list[_Spoken]]:
    """One voice call per sentence; stops as soon as the audio is longer than `max_seconds`."""
    spoken: list[list[_Spoken]] = []
    elapsed = 0.0
    for number, sentences in enumerate(scenes, start=1):
        spoken.append([])
        for sentence in sentences:
            said = _speak(sentence, voice, language, scene=number)
            gap = _gap(sentence_gap, scene_gap, number - 1, len(spoken[-1]))
            elapsed += gap + len(said.samples) / RATE
            _check_length(elapsed, max_seconds, number, len(scenes))
            spoken[-1].append(said)
    return spoken


def _speak(sentence: _Sentence, voice: VoiceProvider, language: str, *, scene: int) -> _Spoken:
    try:
        speech = voice.speak(sentence.said, language=language)
        samples = decode_speech(speech.audio, speech.media_type, speech.sample_rate)
    except Exception as error:
        raise ProviderError(
            f"scene {scene}, sentence {sentence.number} ({truncate_words(sentence.shown, 60)!r}): "
            f"the voice {voice.name!r} failed: {error}"
        ) from error
    parameters = {**speech.generation.parameters, "scene": scene, "sentence": sentence.number}
    return _Spoken(
        text=sentence.shown or sentence.said,
        samples=samples,
        generation=speech.generation.model_copy(update={"parameters": parameters}),
    )


def _gap(sentence_gap: float, scene_gap: float, scene: int, sentence: int) -> float:
    """The silence before sentence `sentence` of scene `scene` (both counted from 0)."""
    if sentence:
        return sentence_gap
    return scene_gap if scene else 0.0


def _check_length(elapsed: float, max_seconds: float | None, scene: int, scenes: int) -> None:
    if max_seconds is not None and elapsed > max_seconds:
        raise ScriptError(
            f"the voice-over is too long: it already lasts {elapsed:.1f} s at scene {scene} of "
            f"{scenes}, over the {max_seconds:g} s limit; shorten the narration"
        )


def _lay_out(
    spoken: list[list[_Spoken]], sentence_gap: float, scene_gap: float
) -> tuple[Samples, list[SceneTiming], list[Cue]]:
    """One mono track at RATE, with the scenes' spans and one cue per sentence."""
    pieces: list[Samples] = []
    cues: list[Cue] = []
    starts: list[float] = []
    position = 0  # frames
    for scene_index, scene in enumerate(spoken):
        for index, said in enumerate(scene):
            gap = _gap(sentence_gap, scene_gap, scene_index, index)
            silence = np.zeros(round(gap * RATE), dtype=np.float32)
            pieces.append(silence)
            position += len(silence)
            if index == 0:
                starts.append(position / RATE)
            cues.append(
                Cue(
                    start=position / RATE, end=(position + len(said.samples)) / RATE, text=said.text
                )
            )
            pieces.append(said.samples)
            position += len(said.samples)
    duration = position / RATE
    ends = [*starts[1:], duration]
    timings = [
        SceneTiming(index=i, start=s, end=e)
        for i, (s, e) in enumerate(zip(starts, ends, strict=True))
    ]
    return np.concatenate(pieces), timings, cues
