"""The files of a voice-over bundle (a podcast voice-over): the narration as an MP3 to publish
and as the WAV master it was encoded from, captions, transcript.md for people and voiceover.json
for machines (and the checks)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pressroom.compliance.voiceover import TRANSCRIPT, VOICEOVER_MANIFEST, spoken_disclosure
from pressroom.media.audio import TARGET_LUFS
from pressroom.media.script import Scene, VideoScript
from pressroom.media.voiceover import SceneTiming
from pressroom.models import Generation, LicenceRecord, Source
from pressroom.publishing.video_bundle import CAPTIONS_SRT, CAPTIONS_VTT, SOURCE, source_file

VOICEOVER_MP3 = "audio/voiceover.mp3"


def spoken_script(script: VideoScript, label: str) -> VideoScript:
    """What the voice says: the spoken AI disclosure first, then the script's narration. The
    disclosure's scene shows `label` (a scene needs a visual; a voice-over shows none)."""
    return VideoScript(
        language=script.language,
        title=script.title or script.scenes[0].narration[:80],
        scenes=[Scene(narration=spoken_disclosure(script.language), visual=label), *script.scenes],
    )


def voiceover_description(
    *,
    script: VideoScript,
    disclosure: str,
    timings: Sequence[SceneTiming],
    duration: float,
    voice: dict[str, Any],
    audio: dict[str, tuple[Generation, LicenceRecord | None]],
    source: Source | None,
    publish_at: datetime | None = None,
) -> dict[str, Any]:
    """voiceover.json: `script` as spoken (`spoken_script`), `audio` the records of each audio
    file by bundle path: how it was made and on what terms; when it goes out (null: as soon as
    published)."""
    return {
        "title": script.title,
        "language": script.language,
        "disclosure": disclosure,
        "spoken_disclosure": spoken_disclosure(script.language),
        "duration": round(duration, 3),
        "loudness_target_lufs": TARGET_LUFS,
        "audio": {path.rsplit(".", 1)[-1]: path for path in audio},
        "captions": {"srt": CAPTIONS_SRT, "vtt": CAPTIONS_VTT},
        "transcript": TRANSCRIPT,
        "voice": voice,
        "music": None,
        "source_url": source.url if source else None,
        "publish_at": publish_at.isoformat() if publish_at else None,
        "segments": [
            {"text": scene.narration, "start": round(timing.start, 3), "end": round(timing.end, 3)}
            for scene, timing in zip(script.scenes, timings, strict=True)
        ],
        "generations": {path: g.model_dump(mode="json") for path, (g, _) in audio.items()},
        "licences": {
            path: licence.model_dump(mode="json") if licence else None
            for path, (_, licence) in audio.items()
        },
    }


def transcript(voiceover: dict[str, Any]) -> str:
    """transcript.md: the label, who speaks, then every word said, as said."""
    voice = voiceover["voice"]
    lines = [
        f"# {voiceover['title']}",
        "",
        f"Label: **{voiceover['disclosure']}** · {voiceover['duration']:.0f} s · read by a "
        f"synthetic voice ({voice['provider']} {voice['model']})",
        "",
        "\n\n".join(segment["text"] for segment in voiceover["segments"]),
    ]
    if voiceover.get("source_url"):
        lines += ["", f"Source: {voiceover['source_url']}"]
    return "\n".join(lines) + "\n"


def voiceover_payload(
    voiceover: dict[str, Any],
    *,
    audio: dict[str, bytes],
    captions: tuple[bytes, bytes],
    source: Source | None,
) -> dict[str, bytes]:
    """Every content file of the bundle, by path; `audio` the signed bytes by bundle path."""
    files = {
        VOICEOVER_MANIFEST: json.dumps(voiceover, ensure_ascii=False, indent=2).encode(),
        TRANSCRIPT: transcript(voiceover).encode(),
        CAPTIONS_SRT: captions[0],
        CAPTIONS_VTT: captions[1],
        **audio,
    }
    if source is not None:
        files[SOURCE] = source_file(source)
    return files
