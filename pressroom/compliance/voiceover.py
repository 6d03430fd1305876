"""Compliance of a voice-over bundle (a podcast voice-over): its narration through the text,
grounding and copying rules against the brief's sources, and its AI disclosure three ways —
said aloud by the narration, recorded in voiceover.json, shown in the transcript. The media
files' own checks (R5 credentials, C3 licences) are shared with every bundle.

* R1 ai-disclosure   the narration does not say the spoken disclosure; voiceover.json or   blocker
                     the transcript does not carry the brand's label

The spoken disclosure (EU AI Act Art. 50: people hearing synthetic audio are told it is
AI-generated, at the latest when they first hear it) is one sentence per language, said first.
It frames the narration: the grounding rules leave it out, as they leave out a post's label.
"""

from __future__ import annotations

import json
from pathlib import Path

from pressroom.compliance.narration import check_narration, label_findings
from pressroom.compliance.suite import unposted
from pressroom.models import ComplianceReport, Finding, Source, StagedBundle
from pressroom.settings import BrandConfig, ChannelConfig

VOICEOVER_MANIFEST = "voiceover.json"
TRANSCRIPT = "transcript.md"

#: Where a voice-over goes: a brand's podcast, a commercial use (C3 checks the voice's terms).
PODCAST: dict[str, ChannelConfig] = {"podcast": unposted("Podcast")}

SPOKEN_DISCLOSURE = {
    "en": "This audio was written with the help of artificial intelligence and is read by a "
    "synthetic voice.",
    "fr": "Ce contenu audio a été écrit avec l'aide d'une intelligence artificielle et il est "
    "lu par une voix de synthèse.",
    "de": "Dieser Audiobeitrag wurde mit Hilfe künstlicher Intelligenz geschrieben und wird von "
    "einer synthetischen Stimme gelesen.",
}


def spoken_disclosure(language: str) -> str:
    """The sentence a voice-over says first, in its language (English when we have none)."""
    return SPOKEN_DISCLOSURE.get(language.split("-")[0].lower(), SPOKEN_DISCLOSURE["en"])


def check_voiceover(
    staged: StagedBundle, source: Source | None, brand: BrandConfig, extra: list[Finding]
) -> ComplianceReport:
    """The report on a staged voice-over bundle; `extra` holds the source's and the assets'
    findings."""
    folder = Path(staged.path)
    voiceover = json.loads((folder / VOICEOVER_MANIFEST).read_bytes())
    transcript = (folder / TRANSCRIPT).read_text(encoding="utf-8")
    return check_narration(
        staged,
        narration="\n\n".join(segment["text"] for segment in voiceover["segments"]),
        description=voiceover,
        digest=transcript,
        source=source,
        brand=brand,
        channels=PODCAST,
        extra=[*extra, *label_findings(voiceover, brand, shown_in=transcript)],
        said_disclosure=spoken_disclosure(voiceover["language"]),
    )
