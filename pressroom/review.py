"""What a reviewer reads in the Resume dialog: the markdown shown above the form."""

from __future__ import annotations

import base64
import io
from datetime import datetime
from typing import Any

from PIL import Image

from pressroom.channels import post_length
from pressroom.models import (
    SEVERITY_ORDER,
    CardImage,
    ChannelPost,
    ComplianceReport,
    Source,
    StagedBundle,
)
from pressroom.schedule import when
from pressroom.settings import ChannelConfig
from pressroom.text import code_block

THUMBNAIL_WIDTH = 240
_ICONS = {"blocker": "⛔ blocker", "warning": "⚠️ warning", "info": "ℹ️ info"}  # noqa: RUF001

OFFLINE_WRITER_HELP = (
    "The offline writer understands, in French or English: *shorter*, *longer*, *another angle*, "
    '*no hashtags*, *no emoji*, *formal* / *casual*, *remove "a phrase"*, *drop sentence 2*; '
    "start a line with a channel name (`x: shorter`) to address one post."
)


def thumbnail_data_uri(png: bytes, width: int = THUMBNAIL_WIDTH) -> str:
    """A small JPEG of a card, inline, since the dialog shows images only by URL."""
    with Image.open(io.BytesIO(png)) as card:
        thumbnail = card.convert("RGB")
    thumbnail.thumbnail((width, width * 2))
    buffer = io.BytesIO()
    thumbnail.save(buffer, format="JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def compliance_table(report: ComplianceReport) -> str:
    if not report.findings:
        return "✅ **No findings.** Every check passed."
    verdict = (
        f"⛔ **{len(report.blockers)} blocker(s): this content cannot be published as it is.** "
        "Request changes or reject."
        if report.blockers
        else "✅ **No blockers.**"
    )
    rows = [
        f"| {_ICONS[f.severity]} | {f.rule_id} | {_cell(f.location)} | {_cell(f.message)} | "
        f"{_cell(f.evidence)} |"
        for f in sorted(report.findings, key=lambda f: SEVERITY_ORDER[f.severity])
    ]
    header = ["| Severity | Rule | Where | What | Evidence |", "|---|---|---|---|---|"]
    return "\n".join([verdict, "", *header, *rows])


def quarantine_notice(report: ComplianceReport) -> list[str]:
    if not report.quarantined:
        return []
    return [
        "🚧 **Quarantined: the source speaks to AI models** (rule I2 below). Open the source and "
        "check that nothing in it steered these posts; approving needs *Source Checked* ticked.",
        "",
    ]


def waiver_help(report: ComplianceReport, may_waive: list[str]) -> list[str]:
    if not report.blockers:
        return []
    who = ", ".join(may_waive) if may_waive else "nobody (configs/reviewers.yaml)"
    return [
        "A blocker can stand only if a reviewer whose role allows it ticks *Waive Blockers* and "
        f"writes why. Who may waive these: {who}.",
        "",
    ]


def review_description(
    *,
    source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    channels: dict[str, ChannelConfig],
    report: ComplianceReport,
    staged: StagedBundle,
    round_: int,
    max_rounds: int,
    destination: str,
    image_urls: dict[str, str] | None = None,
    notice: str = "",
    may_waive: list[str] | None = None,
    publish_at: dict[str, datetime] | None = None,
) -> str:
    """`image_urls` (short-lived links to staged previews) replace the inline thumbnails;
    `notice` (why the last answer was not applied) comes first; `may_waive` names the people
    whose role lets them waive every blocker of this report; `publish_at` says when each
    channel's post goes out."""
    not_understood = sorted(
        {
            clause
            for post in posts
            for clause in (post.generation.parameters.get("not_understood") or [])  # type: ignore[union-attr]
        }
    )
    lines = notice_lines(notice)
    lines += [
        f"**{source.title}**",
        "",
        f"Source: {source.url} · language **{source.language}** · "
        f"revision round {round_} of {max_rounds} · content `{staged.content_sha256[:12]}`",
        "",
        "#### Compliance",
        "",
        *quarantine_notice(report),
        compliance_table(report),
        "",
        *waiver_help(report, may_waive or []),
    ]
    if not_understood:
        lines += [
            "> The writer did not understand: " + "; ".join(f"“{c}”" for c in not_understood),
            "",
        ]
    lines += [
        "#### What your decision does",
        "",
        f"**Approve** publishes exactly the {len(posts)} posts below (content "
        f"`{staged.content_sha256[:12]}`) to {destination}. **Reject** publishes nothing. "
        "**Request changes** writes a new draft from your comments and asks again. "
        "To rewrite a post yourself, pick it under *Rewrite Channel* and paste the full new text: "
        "it is checked again and comes back to you for a last look.",
        "",
    ]
    if posts and posts[0].generation.provider == "offline":
        lines += [OFFLINE_WRITER_HELP, ""]
    lines += ["#### Posts", ""]
    for post in posts:
        cfg = channels[post.channel]
        goes_out = (publish_at or {}).get(post.channel)
        lines += [
            f"**{cfg.label}** · {post_length(post.text, cfg)}/{cfg.max_chars} characters"
            + (f" · goes out {when(goes_out)}" if goes_out else ""),
            "",
        ]
        card = cards.get(post.channel)
        if card is not None:
            image = (image_urls or {}).get(post.channel) or thumbnail_data_uri(card.png)
            lines += [f"![{_cell(card.alt_text)}]({image})", ""]
        lines += [code_block(post.text), ""]
    lines += [f"Staged at `{staged.path}`."]
    return "\n".join(lines)


def video_review_description(
    *,
    video: dict[str, Any],
    images: list[bytes],
    report: ComplianceReport,
    staged: StagedBundle,
    destination: str,
    notice: str = "",
    may_waive: list[str] | None = None,
    redraws: bool = False,
) -> str:
    """What the reviewer of a video reads: the verdict, what approving does, each scene with its
    image and words, the voice (and whether it is the robotic offline one), where the file is.
    `redraws`: a request for changes has the script written again (in the editorial chain), not
    the run ended (a script the user wrote)."""
    folder = staged.path
    lines = notice_lines(notice)
    lines += [
        *_media_header(video, "video", staged),
        *_compliance_section(report, may_waive or []),
        "#### What your decision does",
        "",
        f"**Approve** publishes exactly this video bundle (content `{staged.content_sha256[:12]}`:"
        f" {', '.join(video['videos'])} video, voice-over, captions, scene images) to "
        f"{destination}, for {', '.join(video['channels'])}. **Reject** publishes nothing. "
        + (
            "**Request changes** writes the script again from your comments and makes a new "
            "video; the other formats keep their own review."
            if redraws
            else "**Request changes** ends this run without publishing: edit the script and run "
            "it again."
        ),
        "",
        "#### Voice",
        "",
        _voice_line(video["voice"]),
        "",
        "#### Scenes",
        "",
    ]
    for number, (scene, png) in enumerate(zip(video["scenes"], images, strict=True), start=1):
        lines += [
            f"**Scene {number}** · {scene['start']:.1f}–{scene['end']:.1f} s",
            "",
            f"![{_cell(scene['visual'])}]({thumbnail_data_uri(png)})",
            "",
            code_block(scene["narration"]),
            "",
        ]
    videos = ", ".join(f"`{folder}/{path}`" for path in video["videos"].values())
    lines += [f"Watch before deciding: {videos}."]
    return "\n".join(lines)


def voiceover_review_description(
    *,
    voiceover: dict[str, Any],
    report: ComplianceReport,
    staged: StagedBundle,
    destination: str,
    notice: str = "",
    may_waive: list[str] | None = None,
) -> str:
    """What the reviewer of a voice-over reads: the verdict, what approving does, the voice and
    its loudness, every word said with its time, and where to listen (the dialog cannot play
    audio: the staged files' paths)."""
    voice = voiceover["voice"]
    lines = notice_lines(notice)
    lines += [
        *_media_header(voiceover, "podcast voice-over", staged),
        *_compliance_section(report, may_waive or []),
        "#### What your decision does",
        "",
        f"**Approve** publishes exactly this voice-over bundle (content "
        f"`{staged.content_sha256[:12]}`: {', '.join(voiceover['audio'])} audio, captions, "
        f"transcript) to {destination}. **Reject** publishes nothing. **Request changes** "
        "writes the voice-over script again from your comments and speaks it again; the other "
        "formats keep their own reviews. Write your comments without a channel prefix: here "
        "they reach the voice-over alone.",
        "",
        "#### Voice",
        "",
        _voice_line(voice),
        "",
        f"{voice['loudness_lufs']:.1f} LUFS integrated (target "
        f"{voiceover['loudness_target_lufs']:g}), peak {voice['peak_dbfs']:.1f} dBFS, the voice "
        "alone: no music bed.",
        "",
        "#### Transcript",
        "",
    ]
    for segment in voiceover["segments"]:
        lines += [
            f"**{segment['start']:.1f}–{segment['end']:.1f} s**",
            "",
            code_block(segment["text"]),
            "",
        ]
    files = ", ".join(f"`{staged.path}/{path}`" for path in voiceover["audio"].values())
    lines += [f"Listen before deciding: {files}."]
    return "\n".join(lines)


def notice_lines(notice: str) -> list[str]:
    """Why the last answer was not applied, first thing in a description (nothing if none)."""
    return [f"> ⛔ **{notice}**", ""] if notice else []


def _media_header(description: dict[str, Any], kind: str, staged: StagedBundle) -> list[str]:
    """A video's or a voice-over's title, length, language, label, content hash and source."""
    source = description.get("source_url")
    return [
        f"**{description['title']}** · {kind}",
        "",
        f"{description['duration']:.1f} s · language **{description['language']}** · label "
        f"“{description['disclosure']}” · content `{staged.content_sha256[:12]}`"
        + (f" · source {source}" if source else ""),
        "",
    ]


def _compliance_section(report: ComplianceReport, may_waive: list[str]) -> list[str]:
    return [
        "#### Compliance",
        "",
        *quarantine_notice(report),
        compliance_table(report),
        "",
        *waiver_help(report, may_waive),
    ]


def _voice_line(voice: dict[str, Any]) -> str:
    """The voice, and a warning when it is the robotic offline one."""
    return f"{voice['provider']} · {voice['model']}" + (
        " · ⚠️ **low quality**: the offline voice for this language is robotic; configure "
        "ElevenLabs or OpenAI speech for publication quality."
        if voice.get("low_quality")
        else ""
    )
