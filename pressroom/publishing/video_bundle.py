"""The files of a video bundle: videos, voice-over, captions, scene images, and two
descriptions of them — video.json for machines (and the checks), script.md for people."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pressroom.media.captions import Cue
from pressroom.media.voiceover import SceneTiming
from pressroom.models import Source
from pressroom.text import code_block

VOICEOVER = "audio/voiceover.wav"
CAPTIONS_SRT = "captions/captions.srt"
CAPTIONS_VTT = "captions/captions.vtt"
SOURCE = "source.json"


def video_path(video_format: str) -> str:
    return f"video/{video_format.replace(':', 'x')}.mp4"


def scene_image_path(index: int) -> str:
    return f"images/scene-{index + 1}.png"


def video_description(
    *,
    title: str,
    language: str,
    disclosure: str,
    scenes: Sequence[tuple[str, str]],
    timings: Sequence[SceneTiming],
    duration: float,
    formats: Sequence[str],
    channels: dict[str, str | None],
    voice: dict[str, Any],
    music: str | None,
    source: Source | None,
    publish_at: dict[str, datetime] | None = None,
) -> dict[str, Any]:
    """video.json: `scenes` as (narration, visual); `channels` name -> its AI flag (or None);
    `publish_at` channel -> when the video goes out there (null: as soon as published)."""
    times = publish_at or {}
    return {
        "title": title,
        "language": language,
        "disclosure": disclosure,
        "duration": round(duration, 3),
        "videos": {fmt: video_path(fmt) for fmt in formats},
        "voiceover": VOICEOVER,
        "captions": {"srt": CAPTIONS_SRT, "vtt": CAPTIONS_VTT},
        "voice": voice,
        "music": music,
        "channels": list(channels),
        "platform_flags": {name: {flag: True} for name, flag in channels.items() if flag},
        "publish_at": {
            name: times[name].isoformat() if name in times else None for name in channels
        },
        "source_url": source.url if source else None,
        "scenes": [
            {
                "narration": narration,
                "visual": visual,
                "start": round(timing.start, 3),
                "end": round(timing.end, 3),
                "image": scene_image_path(timing.index),
            }
            for (narration, visual), timing in zip(scenes, timings, strict=True)
        ],
    }


def script_digest(video: dict[str, Any], cues: Sequence[Cue]) -> str:
    """script.md: what is said and shown, scene by scene, then the captions as burned in."""
    narration = "\n\n".join(scene["narration"] for scene in video["scenes"])
    lines = [f"# {video['title']}", "", f"Label: **{video['disclosure']}**", ""]
    for number, scene in enumerate(video["scenes"], start=1):
        lines += [
            f"## Scene {number} · {scene['start']:.1f}–{scene['end']:.1f} s",
            "",
            f"*Visual:* {scene['visual']}",
            "",
        ]
    lines += ["## Narration", "", code_block(narration), "", "## Captions", ""]
    lines += [f"* {cue.start:.2f}–{cue.end:.2f} s: {cue.text}" for cue in cues]
    return "\n".join(lines) + "\n"


def video_payload(
    video: dict[str, Any],
    *,
    cues: Sequence[Cue],
    videos: dict[str, bytes],
    voiceover: bytes,
    captions: tuple[bytes, bytes],
    images: Sequence[bytes],
    source: Source | None,
) -> dict[str, bytes]:
    files = {
        "video.json": json.dumps(video, ensure_ascii=False, indent=2).encode(),
        "script.md": script_digest(video, cues).encode(),
        VOICEOVER: voiceover,
        CAPTIONS_SRT: captions[0],
        CAPTIONS_VTT: captions[1],
        **{video_path(fmt): data for fmt, data in videos.items()},
        **{scene_image_path(index): data for index, data in enumerate(images)},
    }
    if source is not None:
        files[SOURCE] = source_file(source)
    return files


def source_file(source: Source) -> bytes:
    """source.json: where the narration comes from — not the article itself."""
    return source.model_dump_json(
        include={"url", "title", "language", "sha256", "fetched_at", "author", "removed"},
        indent=2,
    ).encode()
