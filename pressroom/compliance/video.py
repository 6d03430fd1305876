"""Compliance of a video bundle: its narration through the text rules and its label (shared
with the voice-over: pressroom.compliance.narration), its platform flags, its length on each
channel. The media files' own checks (R5 credentials, C3 licences) are shared with every bundle.

* R2 platform-flag   a target channel's AI flag is not set for the video                blocker
* L4 video-length    the video is longer than a target channel takes                    blocker
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pressroom.compliance.narration import check_narration, label_findings
from pressroom.models import ComplianceReport, Finding, Source, StagedBundle
from pressroom.settings import BrandConfig, ChannelConfig

VIDEO_MANIFEST = "video.json"
SCRIPT_DIGEST = "script.md"


def check_video(
    staged: StagedBundle,
    source: Source | None,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    extra: list[Finding],
) -> ComplianceReport:
    """The report on a staged video bundle; `extra` holds the source's and the assets' findings."""
    folder = Path(staged.path)
    video = json.loads((folder / VIDEO_MANIFEST).read_bytes())
    return check_narration(
        staged,
        narration="\n\n".join(scene["narration"] for scene in video["scenes"]),
        description=video,
        digest=(folder / SCRIPT_DIGEST).read_text(encoding="utf-8"),
        source=source,
        brand=brand,
        channels=channels,
        extra=[*extra, *label_findings(video, brand), *_flags_and_lengths(video, channels)],
    )


def _flags_and_lengths(video: dict[str, Any], channels: dict[str, ChannelConfig]) -> list[Finding]:
    findings = []
    for name in video["channels"]:
        cfg = channels[name]
        flags = video.get("platform_flags", {}).get(name, {})
        if cfg.ai_flag and flags.get(cfg.ai_flag) is not True:
            findings.append(
                Finding(
                    rule_id="R2",
                    severity="blocker",
                    message=f"{cfg.label} marks AI-generated videos with the API flag "
                    f"{cfg.ai_flag}; this video does not set it.",
                    evidence=f"platform_flags: {flags}",
                    location=name,
                )
            )
        if cfg.max_video_seconds and video["duration"] > cfg.max_video_seconds:
            findings.append(
                Finding(
                    rule_id="L4",
                    severity="blocker",
                    message=f"The video lasts {video['duration']:.1f} s; {cfg.label} takes at "
                    f"most {cfg.max_video_seconds} s.",
                    location=name,
                )
            )
    return findings
