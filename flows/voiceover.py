"""A brief's voice-over (a podcast voice-over): its script spoken, published as an MP3 with the
WAV master, captions and a transcript, once a named human approves it at its own gate.

The choices, and why:

* **Its own script.** The voice-over's script is written for it (`VOICEOVER_SECONDS` in the
  chain, twice the video's), not taken from the video: one narration would force one length on
  a 45 s clip and a podcast segment, and a change asked for one would redo the other. Both are
  written by the same writer; each is reviewed and redrawn at its own gate.
* **The voice alone.** No music bed, whatever `video.music` says: a voice-over goes into a
  podcast whose producer lays their own music under it, and a bed mixed in cannot be taken out.
  The mix is still at -16 LUFS integrated with no peak over -1 dBFS: the podcast norm, ready to
  publish as is.
* **The disclosure said first.** The voice opens with a sentence saying the audio was written
  with AI and is read by a synthetic voice (EU AI Act Art. 50: people are told, at the latest
  when they first hear it). The transcript and voiceover.json carry the brand's label too.
* **MP3 and WAV.** The MP3 (128 kbit/s, which ffmpeg makes with LAME and C2PA can sign) is
  what podcast hosts take; the WAV is the master it was encoded from. Both are signed after the
  encoding, as their last change (encoding would strip the credentials).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from flows.gates import Draft
from pressroom.compliance.voiceover import VOICEOVER_MANIFEST
from pressroom.media.script import VideoScript
from pressroom.models import Source
from pressroom.publishing.video_bundle import VOICEOVER
from pressroom.publishing.voiceover_bundle import VOICEOVER_MP3, spoken_script
from pressroom.review import voiceover_review_description
from pressroom.settings import Settings
from tasks.compliance import check_voiceover_compliance
from tasks.media import Asset, sign_assets, signing_keys
from tasks.video import speak_script, voice_generation
from tasks.voiceover import encode_voiceover, stage_voiceover


def make_voiceover(
    settings: Settings,
    voice: str,
    destination: str,
    script: VideoScript,
    source: Source,
    publish_at: datetime | None = None,
) -> Draft:
    """The script spoken by `voice` (a provider name), encoded, signed, staged and checked: a
    draft for the voice-over gate, going out at `publish_at`. Every step is cached on its
    inputs."""
    brand, providers = settings.brand, settings.pipeline.providers
    said = spoken_script(script, brand.disclosure_for(script.language).short)
    spoken = speak_script(said, voice, providers, None, False)  # no length limit, no music
    mp3 = encode_voiceover(spoken.wav)
    generation = voice_generation(spoken)
    signed = sign_assets(
        {
            VOICEOVER_MP3: Asset(data=mp3, media_type="audio/mpeg", generation=generation),
            VOICEOVER: Asset(data=spoken.wav, media_type="audio/wav", generation=generation),
        },
        signing_keys(),
    )
    staged = stage_voiceover(
        destination, said, source, spoken, signed, brand, settings.licences, providers, publish_at
    )
    report = check_voiceover_compliance(staged, source, brand, destination)
    voiceover = json.loads((Path(staged.path) / VOICEOVER_MANIFEST).read_bytes())

    def describe(notice: str, round_: int, may_waive: list[str], where: str) -> str:
        return voiceover_review_description(
            voiceover=voiceover,
            report=report,
            staged=staged,
            destination=where,
            notice=notice,
            may_waive=may_waive,
        )

    return Draft(staged, report, describe, spoken.generations)
