"""The voice-over bundle without Prefect: what the voice says, its files, its checks (the
narration against the source, the disclosure said, recorded and shown), its review description
and its MP3."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pressroom.compliance.voiceover import PODCAST, check_voiceover, spoken_disclosure
from pressroom.media.audio import encode_mp3
from pressroom.media.ffmpeg import probe
from pressroom.media.script import Scene, VideoScript
from pressroom.media.voiceover import SceneTiming
from pressroom.models import Generation, LicenceRecord, Source, StagedBundle
from pressroom.publishing.bundle import stage_files
from pressroom.publishing.voiceover_bundle import (
    VOICEOVER_MP3,
    spoken_script,
    transcript,
    voiceover_description,
    voiceover_payload,
)
from pressroom.review import voiceover_review_description
from pressroom.settings import Settings

VOICE = Generation(
    provider="offline", model="piper/en_US-joe-medium", template_id="voice", template_version="1"
)
LICENCE = LicenceRecord(
    origin="generated", provider="offline", model=VOICE.model, terms="MIT", commercial_use=True
)
VOICE_RECORD = {
    "provider": "offline",
    "model": VOICE.model,
    "low_quality": False,
    "loudness_lufs": -16.02,
    "peak_dbfs": -1.4,
}
SCRIPT = VideoScript(
    language="en",
    title="Ferries every 20 minutes",
    scenes=[
        Scene(narration="Ferries to Kelby Island will leave every 20 minutes.", visual="A ferry"),
        Scene(narration="Two electric ferries join the fleet in May 2025.", visual="A quay"),
    ],
)


def staged_voiceover(
    folder: Path, script: VideoScript, source: Source, **changes: Any
) -> tuple[StagedBundle, dict[str, Any]]:
    """A voice-over bundle staged from `script` as spoken; `changes` override voiceover.json."""
    timings = [
        SceneTiming(index=i, start=2.0 * i, end=2.0 * (i + 1)) for i in range(len(script.scenes))
    ]
    voiceover = (
        voiceover_description(
            script=script,
            disclosure="AI-generated content",
            timings=timings,
            duration=2.0 * len(script.scenes),
            voice=VOICE_RECORD,
            audio={VOICEOVER_MP3: (VOICE, LICENCE)},
            source=source,
        )
        | changes
    )
    payload = voiceover_payload(
        voiceover, audio={VOICEOVER_MP3: b"mp3"}, captions=(b"srt", b"vtt"), source=source
    )
    return stage_files(folder, "voiceover", payload), voiceover


def test_the_voice_says_the_disclosure_first_in_the_script_language() -> None:
    said = spoken_script(SCRIPT, "AI-generated content")

    assert [s.narration for s in said.scenes] == [
        spoken_disclosure("en"),
        *(s.narration for s in SCRIPT.scenes),
    ]
    assert said.scenes[0].visual == "AI-generated content" and said.title == SCRIPT.title
    french = spoken_script(SCRIPT.model_copy(update={"language": "fr-CA", "title": None}), "IA")
    assert french.scenes[0].narration == spoken_disclosure("fr")
    assert "intelligence artificielle" in french.scenes[0].narration
    assert french.title == SCRIPT.scenes[0].narration[:80]  # no title: the first words said
    assert spoken_disclosure("es") == spoken_disclosure("en")  # a language we have no words for


def test_the_transcript_and_the_manifest_say_everything_that_is_said(
    tmp_path: Path, en_source: Source
) -> None:
    said = spoken_script(SCRIPT, "AI-generated content")
    staged, voiceover = staged_voiceover(tmp_path, said, en_source)
    folder = Path(staged.path)

    assert sorted(f.path for f in staged.files) == [
        "audio/voiceover.mp3",
        "captions/captions.srt",
        "captions/captions.vtt",
        "source.json",
        "transcript.md",
        "voiceover.json",
    ]
    written = json.loads((folder / "voiceover.json").read_text())
    assert written["language"] == "en" and written["disclosure"] == "AI-generated content"
    assert written["spoken_disclosure"] == said.scenes[0].narration
    assert written["loudness_target_lufs"] == -16.0 and written["music"] is None
    assert written["audio"] == {"mp3": VOICEOVER_MP3}
    assert written["licences"][VOICEOVER_MP3]["terms"] == "MIT"
    assert written["generations"][VOICEOVER_MP3]["model"] == VOICE.model
    assert [s["start"] for s in written["segments"]] == [0.0, 2.0, 4.0]
    text = (folder / "transcript.md").read_text()
    assert text == transcript(voiceover)
    assert "Label: **AI-generated content**" in text and en_source.url in text
    assert "\n\n".join(s.narration for s in said.scenes) in text  # every word, in order


def test_a_faithful_voiceover_passes_and_its_disclosure_is_not_taken_for_a_claim(
    tmp_path: Path, en_source: Source, settings: Settings
) -> None:
    staged, _ = staged_voiceover(tmp_path, spoken_script(SCRIPT, "x"), en_source)

    report = check_voiceover(staged, en_source, settings.brand, extra=[])

    assert report.passed, report.findings
    assert not [f for f in report.findings if f.rule_id.startswith("H")], report.findings


@pytest.mark.parametrize(
    ("change", "locations"),
    [
        ("unsaid", ["narration"]),  # the narration does not say the disclosure
        ("unlabelled", ["label", "transcript"]),  # another label, shown in the transcript
        ("untold", ["transcript"]),  # the transcript does not show the label
    ],
)
def test_a_disclosure_missing_anywhere_is_a_blocker(
    change: str, locations: list[str], tmp_path: Path, en_source: Source, settings: Settings
) -> None:
    said = spoken_script(SCRIPT, "x")
    if change == "unsaid":
        said = said.model_copy(update={"scenes": said.scenes[1:]})
    label = {"disclosure": "Made by us"} if change == "unlabelled" else {}
    staged, _ = staged_voiceover(tmp_path, said, en_source, **label)
    if change == "untold":
        bundle = Path(staged.path)
        shown = (bundle / "transcript.md").read_text().replace("AI-generated content", "")
        staged = stage_files(
            tmp_path / "untold",
            "voiceover",
            {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*.*")}
            | {"transcript.md": shown.encode()},
        )

    report = check_voiceover(staged, en_source, settings.brand, extra=[])

    assert sorted((f.rule_id, f.location) for f in report.blockers) == [
        ("R1", location) for location in locations
    ]


def test_the_narration_is_grounded_in_the_source(
    tmp_path: Path, en_source: Source, settings: Settings
) -> None:
    invented = Scene(narration="Ferries will leave every 7 minutes.", visual="A ferry")
    said = spoken_script(SCRIPT.model_copy(update={"scenes": [invented]}), "x")
    staged, _ = staged_voiceover(tmp_path, said, en_source)

    report = check_voiceover(staged, en_source, settings.brand, extra=[])

    assert [(f.rule_id, f.location) for f in report.blockers] == [("H1", "narration")]
    assert "7" in report.blockers[0].evidence


def test_the_podcast_is_a_commercial_use() -> None:
    assert [cfg.use for cfg in PODCAST.values()] == ["commercial"]


def test_the_review_shows_every_word_with_its_time_and_where_to_listen(
    tmp_path: Path, en_source: Source, settings: Settings
) -> None:
    staged, voiceover = staged_voiceover(tmp_path, spoken_script(SCRIPT, "x"), en_source)
    report = check_voiceover(staged, en_source, settings.brand, extra=[])

    shown = voiceover_review_description(
        voiceover=voiceover, report=report, staged=staged, destination="out/"
    )

    assert "podcast voice-over" in shown and "6.0 s" in shown
    assert "-16.0 LUFS integrated (target -16)" in shown and "no music bed" in shown
    assert "**2.0–4.0 s**" in shown and SCRIPT.scenes[0].narration in shown
    assert spoken_disclosure("en") in shown
    assert f"`{staged.path}/{VOICEOVER_MP3}`" in shown
    assert "✅ **No findings.**" in shown and staged.content_sha256[:12] in shown


def test_the_mp3_is_the_wav_encoded_the_same_way_every_time(tmp_path: Path) -> None:
    frames = (0.3 * np.sin(np.linspace(0, 440 * 2 * np.pi, 48_000)) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(48_000)
        wav.writeframes(frames.tobytes())

    mp3 = encode_mp3(buffer.getvalue())

    assert mp3 == encode_mp3(buffer.getvalue())
    (tmp_path / "a.mp3").write_bytes(mp3)
    probed = probe(tmp_path / "a.mp3")
    assert probed.audio_codec == "mp3" and probed.video_streams == 0
    assert probed.audio_duration == pytest.approx(1.0, abs=0.06)


def test_a_narration_may_say_the_users_own_notes_word_for_word(
    tmp_path: Path, en_source: Source, settings: Settings
) -> None:
    """Copying is checked against what others wrote: the brief's notes are the user's words."""
    words = en_source.text.split()
    copied = " ".join(words[:40]).rstrip(".,;:") + "."
    script = VideoScript(
        language="en", title="Ferries", scenes=[Scene(narration=copied, visual="A ferry")]
    )
    said = spoken_script(script, "AI-generated content")
    staged, _ = staged_voiceover(tmp_path, said, en_source)
    as_page = check_voiceover(staged, en_source, settings.brand, extra=[])
    assert any(f.rule_id == "C1" and f.severity == "blocker" for f in as_page.findings)

    as_notes = en_source.model_copy(update={"third_party_text": ""})
    own = check_voiceover(staged, as_notes, settings.brand, extra=[])
    assert [f for f in own.findings if f.rule_id in ("C1", "C2")] == []
