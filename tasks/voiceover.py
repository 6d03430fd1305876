"""A voice-over's own steps: the MP3 it is published as, and its bundle. The voice itself is
`tasks.video.speak_script`, the signing `tasks.media.sign_assets`: shared with the video."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import task

from pressroom.licences import licence_for
from pressroom.media.audio import encode_mp3
from pressroom.media.script import VideoScript
from pressroom.models import Generation, LicenceRecord, Source, StagedBundle
from pressroom.publishing.bundle import slugify, stage_files
from pressroom.publishing.voiceover_bundle import voiceover_description, voiceover_payload
from pressroom.settings import BrandConfig, LicenceCatalogue, ProviderSettings
from tasks.editorial import PAID_STEP
from tasks.video import SpokenScript, caption_files, log_generation, voice_generation, voice_record


@task(persist_result=True, cache_policy=PAID_STEP)
def encode_voiceover(wav: bytes) -> bytes:
    """The mixed WAV as the MP3 to publish (before it is signed: encoding would strip the
    credentials)."""
    return encode_mp3(wav)


@task(persist_result=True)
def stage_voiceover(
    out_dir: str,
    script: VideoScript,
    source: Source | None,
    spoken: SpokenScript,
    media: dict[str, bytes],
    brand: BrandConfig,
    licences: LicenceCatalogue,
    providers: ProviderSettings,
    publish_at: datetime | None = None,
) -> StagedBundle:
    """The voice-over bundle under review, going out at `publish_at`. `script` is the script
    as spoken (its first scene the spoken disclosure); `media` holds the signed audio by bundle
    path: what is staged is what was signed."""
    voice = voice_generation(spoken)
    licence = licence_for(voice, "voice", licences, providers)
    audio: dict[str, tuple[Generation, LicenceRecord | None]] = {
        path: (voice, licence) for path in media
    }
    voiceover = voiceover_description(
        script=script,
        disclosure=brand.disclosure_for(script.language).short,
        timings=spoken.scenes,
        duration=spoken.duration,
        voice=voice_record(spoken),
        audio=audio,
        source=source,
        publish_at=publish_at,
    )
    payload = voiceover_payload(
        voiceover, audio=media, captions=caption_files(spoken.cues), source=source
    )
    assets: dict[str, tuple[Generation, str | None]] = {path: (voice, None) for path in media}
    staged = stage_files(
        Path(out_dir) / ".staging",
        f"voiceover-{slugify(voiceover['title'])}",
        payload,
        assets=assets,
        licences={path: licence for path in media if licence},
    )
    log_generation(out_dir, staged, script, source, assets)
    return staged
