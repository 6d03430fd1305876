"""A video from a script: scene images, voice-over, captions, render — each a cached task.

Paid steps (images, voice) and the render are cached on their inputs with results persisted, so
a resumed or repeated run makes no provider call and renders nothing twice. Media travel as
bytes in the results: nothing depends on a scratch folder surviving between runs.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import task
from prefect.concurrency.sync import concurrency
from pydantic import BaseModel

from pressroom.licences import combined_licence, licence_for
from pressroom.media.captions import Cue, write_srt, write_vtt
from pressroom.media.music import LICENCE as MUSIC_LICENCE
from pressroom.media.music import default_music_bed
from pressroom.media.render import (
    FORMATS,
    RENDER_VERSION,
    RENDERERS,
    RenderJob,
    RenderScene,
    check_inputs,
)
from pressroom.media.scene_images import scene_images
from pressroom.media.script import VideoScript, load_script
from pressroom.media.voiceover import SceneTiming, build_voiceover
from pressroom.models import CardImage, Generation, Source, StagedBundle
from pressroom.providers import image_provider, voice_provider
from pressroom.publishing.bundle import slugify, stage_files
from pressroom.publishing.video_bundle import (
    VOICEOVER,
    scene_image_path,
    video_description,
    video_path,
    video_payload,
)
from pressroom.settings import (
    BrandConfig,
    ChannelConfig,
    LicenceCatalogue,
    ProviderSettings,
    VideoFormat,
)
from pressroom.sources import read_article
from tasks.costs import priced
from tasks.editorial import PAID_STEP
from tasks.providers import ensure_limit, provider_context, provider_slot
from tasks.publish import audit_log, current_run

RENDER_LIMIT = "pressroom-render"


class SpokenScript(BaseModel):
    """The voice-over as produced: the mixed WAV and the timings taken from it."""

    wav: bytes
    duration: float
    scenes: list[SceneTiming]
    cues: list[Cue]
    generations: list[Generation]
    low_quality: bool
    loudness_lufs: float
    peak_dbfs: float


class RenderedVideo(BaseModel):
    format: VideoFormat
    mp4: bytes
    renderer: str
    duration: float
    width: int
    height: int


@task(persist_result=True)
def read_script(path: str) -> VideoScript:
    return load_script(path)


@task(persist_result=True)
def read_script_source(reference: str, min_words: int, max_bytes: int) -> Source:
    """The article a script is grounded in: a local file or a URL (fetched safely)."""
    return read_article(reference, min_words=min_words, max_bytes=max_bytes)


@task(persist_result=True, cache_policy=PAID_STEP)
def draw_scenes(
    script: VideoScript,
    brand: BrandConfig,
    video_format: VideoFormat,
    provider: str,
    providers: ProviderSettings,
) -> list[CardImage]:
    """One image per scene at the format's size, carrying the AI label."""
    width, height = FORMATS[video_format]
    images = image_provider(provider, provider_context(providers))
    with provider_slot(provider):
        drawn = scene_images(
            images, script, brand, width, height, brand.disclosure_for(script.language).short
        )
    return [image.model_copy(update={"generation": priced(image.generation)}) for image in drawn]


@task(persist_result=True, cache_policy=PAID_STEP)
def speak_script(
    script: VideoScript,
    provider: str,
    providers: ProviderSettings,
    max_seconds: float | None,
    music: bool,
) -> SpokenScript:
    """The narration spoken sentence by sentence, mixed over the music bed, -16 LUFS."""
    voice = voice_provider(provider, provider_context(providers))
    with tempfile.TemporaryDirectory() as scratch, provider_slot(provider):
        spoken = build_voiceover(
            script.scenes,
            voice,
            script.language,
            out=Path(scratch) / "voiceover.wav",
            music=default_music_bed() if music else None,
            max_seconds=max_seconds,
        )
        wav = spoken.audio_path.read_bytes()
    return SpokenScript(
        wav=wav,
        duration=spoken.duration,
        scenes=spoken.scenes,
        cues=spoken.cues,
        generations=[priced(g) for g in spoken.generations],
        low_quality=spoken.low_quality,
        loudness_lufs=spoken.loudness_lufs,
        peak_dbfs=spoken.peak_dbfs,
    )


def write_captions(cues: list[Cue], folder: Path) -> tuple[Path, Path]:
    srt, vtt = folder / "captions.srt", folder / "captions.vtt"
    write_srt(cues, srt)
    write_vtt(cues, vtt)
    return srt, vtt


def caption_files(cues: list[Cue]) -> tuple[bytes, bytes]:
    """The captions as SRT and WebVTT bytes."""
    with tempfile.TemporaryDirectory() as scratch:
        srt, vtt = write_captions(cues, Path(scratch))
        return srt.read_bytes(), vtt.read_bytes()


@task(persist_result=True, cache_policy=PAID_STEP)
def render_video(
    images: list[CardImage],
    spoken: SpokenScript,
    video_format: VideoFormat,
    renderer: str,
    fps: int,
    preset: str,
    render_concurrency: int,
) -> RenderedVideo:
    """The video, rendered under a machine-wide limit (memory) and checked before it is
    returned: duration against the audio, streams, codecs, size."""
    width, height = FORMATS[video_format]
    ensure_limit(RENDER_LIMIT, render_concurrency)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        audio = folder / "voiceover.wav"
        audio.write_bytes(spoken.wav)
        scenes = []
        for timing, image in zip(spoken.scenes, images, strict=True):
            path = folder / f"scene-{timing.index + 1}.png"
            path.write_bytes(image.png)
            scenes.append(RenderScene(image=path, start=timing.start, end=timing.end))
        srt, _ = write_captions(spoken.cues, folder)
        job = RenderJob(
            scenes=tuple(scenes),
            audio=audio,
            captions=srt,
            width=width,
            height=height,
            fps=fps,
            preset=preset,
        )
        check_inputs(job)
        out = folder / "video.mp4"
        with concurrency(RENDER_LIMIT):
            RENDERERS[renderer](job, out)
        mp4 = out.read_bytes()
    return RenderedVideo(
        format=video_format,
        mp4=mp4,
        renderer=renderer,
        duration=spoken.duration,
        width=width,
        height=height,
    )


def voice_generation(spoken: SpokenScript) -> Generation:
    """One record for the whole voice-over: the first sentence's, with every sentence's
    units, tokens, seconds and cost added up."""
    first, rest = spoken.generations[0], spoken.generations[1:]
    return first.model_copy(
        update={
            "units": sum(g.units for g in spoken.generations),
            "cost_usd": round(sum(g.cost_usd for g in spoken.generations), 6),
            "seconds": round(sum(g.seconds for g in spoken.generations), 6),
            "attempts": max(g.attempts for g in spoken.generations),
            "parameters": {**first.parameters, "sentences": 1 + len(rest)},
        }
    )


def voice_record(spoken: SpokenScript) -> dict[str, Any]:
    """Who spoke and how it measures, as video.json and voiceover.json record it."""
    voice = voice_generation(spoken)
    return {
        "provider": voice.provider,
        "model": voice.model,
        "low_quality": spoken.low_quality,
        "loudness_lufs": spoken.loudness_lufs,
        "peak_dbfs": spoken.peak_dbfs,
    }


def render_generation(video: RenderedVideo, fps: int, preset: str) -> Generation:
    return Generation(
        provider="pressroom",
        model=f"{video.renderer}-render",
        template_id="video/render",
        template_version=RENDER_VERSION,
        parameters={"format": video.format, "fps": fps, "preset": preset},
    )


@task(persist_result=True)
def stage_video(
    out_dir: str,
    script: VideoScript,
    source: Source | None,
    images: list[CardImage],
    spoken: SpokenScript,
    videos: list[RenderedVideo],
    media: dict[str, bytes],
    channels: dict[str, ChannelConfig],
    brand: BrandConfig,
    licences: LicenceCatalogue,
    providers: ProviderSettings,
    fps: int,
    preset: str,
    music: bool,
    publish_at: dict[str, datetime] | None = None,
) -> StagedBundle:
    """The video bundle under review. `media` holds the signed bytes by bundle path (images,
    voice-over, videos): what is staged is what was signed. `publish_at`: when it goes out on
    each channel."""
    voice = voice_generation(spoken)
    video = video_description(
        title=script.title or script.scenes[0].narration[:80],
        language=script.language,
        disclosure=brand.disclosure_for(script.language).short,
        scenes=[(scene.narration, scene.visual) for scene in script.scenes],
        timings=spoken.scenes,
        duration=spoken.duration,
        formats=[v.format for v in videos],
        channels={name: cfg.ai_flag for name, cfg in channels.items()},
        voice=voice_record(spoken),
        music=MUSIC_LICENCE if music else None,
        source=source,
        publish_at=publish_at,
    )
    payload = video_payload(
        video,
        cues=spoken.cues,
        videos={v.format: media[video_path(v.format)] for v in videos},
        voiceover=media[VOICEOVER],
        captions=caption_files(spoken.cues),
        images=[media[scene_image_path(i)] for i in range(len(images))],
        source=source,
    )
    image_licences = [licence_for(i.generation, "image", licences, providers) for i in images]
    voice_licence = licence_for(voice, "voice", licences, providers)
    assets: dict[str, tuple[Generation, str | None]] = {
        scene_image_path(i): (image.generation, image.alt_text) for i, image in enumerate(images)
    }
    assets[VOICEOVER] = (voice, None)
    records = {scene_image_path(i): lic for i, lic in enumerate(image_licences) if lic}
    if voice_licence:
        records[VOICEOVER] = voice_licence
    for rendered in videos:
        generation = render_generation(rendered, fps, preset)
        assets[video_path(rendered.format)] = (generation, video["title"])
        combined = combined_licence(
            [*image_licences, voice_licence], provider="pressroom", model=generation.model
        )
        if combined:
            records[video_path(rendered.format)] = combined
    staged = stage_files(
        Path(out_dir) / ".staging",
        slugify(video["title"]),
        payload,
        assets=assets,
        licences=records,
    )
    log_generation(out_dir, staged, script, source, assets)
    return staged


def log_generation(
    out_dir: str,
    staged: StagedBundle,
    script: VideoScript,
    source: Source | None,
    assets: dict[str, tuple[Generation, str | None]],
) -> None:
    """The staged bundle's making, into the audit trail: the script, the source, each asset's
    generation record."""
    run = current_run()
    audit_log(out_dir).append(
        "generation",
        {
            "run_name": run["run_name"],
            "script": script.content_key(),
            "source": {"url": source.url, "sha256": source.sha256} if source else None,
            "assets": {path: g.model_dump(mode="json") for path, (g, _) in assets.items()},
        },
        run_id=run["run_id"],
        content_sha256=staged.content_sha256,
    )
