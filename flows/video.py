"""Script → video: scene images, voice-over, captions, render (one per format), content
credentials, compliance, review, publish. The body only composes tasks: a suspended run re-runs
it from the top, and every paid or heavy step is cached on its inputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from prefect import flow
from pydantic import BaseModel

from flows.gates import Draft, review_and_publish
from pressroom.errors import ConfigError, ReviewError
from pressroom.media.render import RENDERERS
from pressroom.media.script import VideoScript
from pressroom.models import CardImage, Generation, Source
from pressroom.publishing.video_bundle import VOICEOVER, scene_image_path, video_path
from pressroom.review import video_review_description
from pressroom.settings import ChannelConfig, Settings, VideoFormat, load_settings
from tasks.compliance import check_video_compliance
from tasks.costs import report_costs
from tasks.media import Asset, sign_assets, signing_keys
from tasks.providers import choose_providers
from tasks.video import (
    RenderedVideo,
    draw_scenes,
    read_script,
    read_script_source,
    render_generation,
    render_video,
    speak_script,
    stage_video,
    voice_generation,
)

GATE = "video"


class VideoResult(BaseModel):
    status: str
    content_sha256: str
    reviewer: str
    bundle_uri: str | None = None
    videos: list[str] = []
    targets: list[str] = []


class VideoRejected(ReviewError):
    pass


@dataclass(frozen=True)
class VideoPlan:
    """What every video of a run shares: where it goes, how it is rendered, by whom."""

    settings: Settings
    channels: dict[str, ChannelConfig]
    formats: list[VideoFormat]
    renderer: str
    voice: str
    image: str
    destination: str
    publish_at: dict[str, datetime] = field(default_factory=dict)  # by channel; none: on approval


def video_plan(
    settings: Settings,
    chosen: dict[str, str],
    destination: str,
    channels: list[str] | None = None,
    formats: list[VideoFormat] | None = None,
    renderer: str | None = None,
) -> VideoPlan:
    video_settings = settings.pipeline.video
    chosen_renderer = renderer or video_settings.renderer
    if chosen_renderer not in RENDERERS:
        raise ConfigError(f"no renderer named {chosen_renderer!r}; known: {', '.join(RENDERERS)}")
    return VideoPlan(
        settings=settings,
        channels={
            name: settings.channel(name)
            for name in settings.select_channels(channels or video_settings.channels)
        },
        formats=formats or video_settings.formats,
        renderer=chosen_renderer,
        voice=chosen["voice"],
        image=chosen["image"],
        destination=destination,
    )


def make_video(
    plan: VideoPlan, video_script: VideoScript, source: Source | None, redraws: bool = False
) -> Draft:
    """Voice, scene images, one render per format, content credentials, the staged bundle and
    its compliance report: a draft for the video gate. Every step is cached on its inputs.
    `redraws`: the gate writes the script again on a request for changes (the chain)."""
    settings, video_settings = plan.settings, plan.settings.pipeline.video
    providers = settings.pipeline.providers
    limits = [cfg.max_video_seconds for cfg in plan.channels.values() if cfg.max_video_seconds]
    spoken = speak_script(
        video_script, plan.voice, providers, min(limits) if limits else None, video_settings.music
    )
    drawn = {
        fmt: draw_scenes(video_script, settings.brand, fmt, plan.image, providers)
        for fmt in plan.formats
    }
    videos = [
        render_video(
            drawn[fmt],
            spoken,
            fmt,
            plan.renderer,
            video_settings.fps,
            video_settings.preset,
            video_settings.render_concurrency,
        )
        for fmt in plan.formats
    ]
    images = drawn[plan.formats[0]]  # the bundle's scene images: the first format's
    voice = voice_generation(spoken)
    signed = sign_assets(
        _assets(images, voice, spoken.wav, videos, video_settings.fps, video_settings.preset),
        signing_keys(),
    )
    staged = stage_video(
        plan.destination,
        video_script,
        source,
        images,
        spoken,
        videos,
        signed,
        plan.channels,
        settings.brand,
        settings.licences,
        providers,
        video_settings.fps,
        video_settings.preset,
        video_settings.music,
        plan.publish_at,
    )
    report = check_video_compliance(staged, source, settings.brand, plan.channels, plan.destination)
    video = json.loads((Path(staged.path) / "video.json").read_bytes())
    scene_pngs = [signed[scene_image_path(i)] for i in range(len(images))]

    def describe(notice: str, round_: int, may_waive: list[str], where: str) -> str:
        return video_review_description(
            video=video,
            images=scene_pngs,
            report=report,
            staged=staged,
            destination=where,
            notice=notice,
            may_waive=may_waive,
            redraws=redraws,
        )

    paid = [image.generation for fmt in plan.formats for image in drawn[fmt]]
    return Draft(staged, report, describe, [*paid, *spoken.generations])


@flow(name="script-to-video", persist_result=True)
def script_to_video(
    script: str,
    brand: str = "default",
    channels: list[str] | None = None,
    formats: list[VideoFormat] | None = None,
    renderer: str | None = None,
    out_dir: str | None = None,
) -> VideoResult:
    """A narrated, captioned video from a script file, published once a named human approves."""
    settings = load_settings(brand)
    pipeline = settings.pipeline
    destination = out_dir or pipeline.output_dir
    chosen = choose_providers(pipeline.providers)
    plan = video_plan(settings, chosen, destination, channels, formats, renderer)
    video_script = read_script(script)
    source = (
        read_script_source(
            video_script.source, pipeline.source.min_words, pipeline.source.max_bytes
        )
        if video_script.source
        else None
    )
    video = make_video(plan, video_script, source)
    outcome = review_and_publish(
        gate=GATE,
        settings=settings,
        destination=destination,
        draft=lambda _revision: video,
        changes_redraft=False,  # the script is the user's: they edit it and run again
    )
    report_costs({"video": outcome.paid})
    if outcome.receipt is None:
        raise VideoRejected(
            outcome.summary()
            + (": edit the script and run it again." if outcome.status == "sent back" else ".")
        )
    return VideoResult(
        status="published",
        content_sha256=outcome.receipt.content_sha256,
        reviewer=outcome.reviewer,
        bundle_uri=outcome.receipt.uri,
        videos=[f.path for f in video.staged.files if f.path.startswith("video/")],
        targets=[r.uri for r in outcome.remote],
    )


def _assets(
    images: list[CardImage],
    voice: Generation,
    wav: bytes,
    videos: list[RenderedVideo],
    fps: int,
    preset: str,
) -> dict[str, Asset]:
    """Every generated file of the bundle, by its path, ready to be signed."""
    assets = {
        scene_image_path(i): Asset(
            data=image.png, media_type="image/png", generation=image.generation
        )
        for i, image in enumerate(images)
    }
    assets[VOICEOVER] = Asset(data=wav, media_type="audio/wav", generation=voice)
    for rendered in videos:
        assets[video_path(rendered.format)] = Asset(
            data=rendered.mp4,
            media_type="video/mp4",
            generation=render_generation(rendered, fps, preset),
        )
    return assets
