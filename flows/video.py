"""Script → video: scene images, voice-over, captions, render (one per format), content
credentials, compliance, review, publish. The body only composes tasks: a suspended run re-runs
it from the top, and every paid or heavy step is cached on its inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

from prefect import flow
from pydantic import BaseModel

from flows.publishing import describe_targets, publish_remotely
from pressroom.errors import ConfigError, ReviewError
from pressroom.models import CardImage, Generation
from pressroom.publishing.video_bundle import VOICEOVER, scene_image_path, video_path
from pressroom.review import video_review_description
from pressroom.reviewers import check_approval
from pressroom.settings import VideoFormat, load_settings
from tasks.compliance import check_video_compliance
from tasks.costs import report_costs
from tasks.media import Asset, sign_assets, signing_keys
from tasks.providers import choose_providers
from tasks.publish import publish_bundle, record_decision
from tasks.review import request_review
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
    pipeline, video_settings = settings.pipeline, settings.pipeline.video
    selected = {
        name: settings.channel(name)
        for name in settings.select_channels(channels or video_settings.channels)
    }
    chosen_formats = formats or video_settings.formats
    chosen_renderer = renderer or video_settings.renderer
    if chosen_renderer not in ("ffmpeg", "moviepy"):
        raise ConfigError(f"no renderer named {chosen_renderer!r}; known: ffmpeg, moviepy")
    destination = out_dir or pipeline.output_dir
    providers = pipeline.providers
    limits = [cfg.max_video_seconds for cfg in selected.values() if cfg.max_video_seconds]

    chosen = choose_providers(providers)
    video_script = read_script(script)
    source = (
        read_script_source(
            video_script.source, pipeline.source.min_words, pipeline.source.max_bytes
        )
        if video_script.source
        else None
    )
    spoken = speak_script(
        video_script,
        chosen["voice"],
        providers,
        min(limits) if limits else None,
        video_settings.music,
    )
    drawn = {
        fmt: draw_scenes(video_script, settings.brand, fmt, chosen["image"], providers)
        for fmt in chosen_formats
    }
    videos = [
        render_video(
            drawn[fmt],
            spoken,
            fmt,
            chosen_renderer,
            video_settings.fps,
            video_settings.preset,
            video_settings.render_concurrency,
        )
        for fmt in chosen_formats
    ]
    images = drawn[chosen_formats[0]]  # the bundle's scene images: the first format's
    voice = voice_generation(spoken)
    signed = sign_assets(
        _assets(images, voice, spoken.wav, videos, video_settings.fps, video_settings.preset),
        signing_keys(),
    )
    staged = stage_video(
        destination,
        video_script,
        source,
        images,
        spoken,
        videos,
        signed,
        selected,
        settings.brand,
        settings.licences,
        providers,
        video_settings.fps,
        video_settings.preset,
        video_settings.music,
    )
    report = check_video_compliance(staged, source, settings.brand, selected, destination)
    generations: dict[str, list[Generation]] = {
        "images": [image.generation for fmt in chosen_formats for image in drawn[fmt]],
        "voice": spoken.generations,
    }
    video = json.loads((Path(staged.path) / "video.json").read_bytes())
    notice = ""
    for round_ in range(pipeline.review.max_revision_rounds + 1):
        decision = request_review(
            gate=GATE,
            round_=round_,
            description=video_review_description(
                video=video,
                images=[signed[scene_image_path(i)] for i in range(len(images))],
                report=report,
                staged=staged,
                destination=describe_targets(pipeline.publish.targets, destination),
                notice=notice,
                may_waive=settings.reviewers.who_may_waive([f.rule_id for f in report.blockers]),
            ),
            channels=[],
            timeout_seconds=pipeline.review.timeout_seconds,
            poll_interval_seconds=pipeline.review.poll_interval_seconds,
            blockers=bool(report.blockers),
            quarantined=report.quarantined,
        )
        approving = decision.decision == "approve"
        check = check_approval(decision, report, settings.reviewers) if approving else None
        recorded = record_decision(decision, staged, destination, check)
        if check is not None and not check.stands:
            notice = (
                f"The approval by {decision.reviewer} in round {round_} was not applied: "
                + "; ".join(check.problems)
                + ". Nothing was published."
            )
            continue
        report_costs(generations)
        if not approving:
            verb = "rejected" if decision.decision == "reject" else "sent back"
            raise VideoRejected(
                f"{verb} by {decision.reviewer}"
                + (f": {decision.comments}" if decision.comments else "")
                + ". Nothing was published"
                + (": edit the script and run it again." if verb == "sent back" else ".")
            )
        receipt = publish_bundle(
            staged, report, recorded, destination, upstream={"voice-over": voice}
        )
        remote = publish_remotely(pipeline.publish.targets, receipt, destination)
        return VideoResult(
            status="published",
            content_sha256=receipt.content_sha256,
            reviewer=decision.reviewer,
            bundle_uri=receipt.uri,
            videos=[video_path(v.format) for v in videos],
            targets=[r.uri for r in remote],
        )
    report_costs(generations)
    raise ReviewError(
        f"not approved after {pipeline.review.max_revision_rounds + 1} review round(s); "
        "nothing was published"
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
