"""Compliance of a video bundle: its narration through the text rules, its label and platform
flags, its length on each channel. The media files' own checks (R5 credentials, C3 licences)
are shared with every bundle.

* R1 ai-disclosure   the video bundle records no AI label, or not the brand's          blocker
* R2 platform-flag   a target channel's AI flag is not set for the video                blocker
* L4 video-length    the video is longer than a target channel takes                    blocker
* H0 no-source       no source given: grounding and copying were not checked              info
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pressroom.compliance.base import BundleContent, PostContent
from pressroom.compliance.suite import GROUNDED_RULES, TEXT_RULES, check_bundle, unposted
from pressroom.models import ComplianceReport, Finding, StagedBundle
from pressroom.settings import BrandConfig, ChannelConfig

VIDEO_MANIFEST = "video.json"
SCRIPT_DIGEST = "script.md"
NARRATION = "narration"


def check_video(
    staged: StagedBundle,
    source_text: str | None,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    extra: list[Finding],
) -> ComplianceReport:
    """The report on a staged video bundle; `extra` holds the source's and the assets' findings."""
    folder = Path(staged.path)
    video = json.loads((folder / VIDEO_MANIFEST).read_bytes())
    narration = "\n\n".join(scene["narration"] for scene in video["scenes"])
    content = BundleContent(
        content_sha256=staged.content_sha256,
        posts=[PostContent(NARRATION, narration, video["disclosure"], None)],
        digest_markdown=(folder / SCRIPT_DIGEST).read_text(encoding="utf-8"),
        source_text=source_text or "",
        language=video["language"],
        source_url=video.get("source_url") or "",
    )
    findings = [*extra, *_label(video, brand), *_flags_and_lengths(video, channels)]
    if source_text is None:
        findings.append(
            Finding(
                rule_id="H0",
                severity="info",
                message="The script names no source: numbers, quotations and names in the "
                "narration were not checked against one, nor was copying. Check them yourself.",
                location=NARRATION,
            )
        )
    checked = (*TEXT_RULES, *GROUNDED_RULES) if source_text is not None else TEXT_RULES
    return check_bundle(
        content,
        brand,
        {NARRATION: unposted("Narration"), **channels},
        rules=checked,
        extra=findings,
    )


def _label(video: dict[str, Any], brand: BrandConfig) -> list[Finding]:
    expected = brand.disclosure_for(video["language"])
    if video.get("disclosure") in (expected.short, expected.long):
        return []
    return [
        Finding(
            rule_id="R1",
            severity="blocker",
            message="The video does not carry the brand's AI-disclosure label "
            "(EU AI Act, Art. 50).",
            evidence=f"expected {expected.short!r}, found {video.get('disclosure')!r}",
            location="video",
        )
    ]


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
