"""Licence records (C3): where each asset came from, and whether its terms allow the channel."""

from __future__ import annotations

import pytest

from pressroom.compliance.licences import check_licences
from pressroom.licences import licence_for
from pressroom.models import BundleFile, Generation, LicenceRecord
from pressroom.settings import ElevenLabsSettings, ProviderSettings, Settings


def generation(provider: str, model: str = "m") -> Generation:
    return Generation(provider=provider, model=model, template_id="t", template_version="1")


def media(path: str, licence: LicenceRecord | None, media_type: str = "audio/mpeg") -> BundleFile:
    return BundleFile(path=path, sha256="0" * 64, size=1, media_type=media_type, licence=licence)


@pytest.mark.parametrize(("plan", "allowed"), [(None, True), ("free", False), ("creator", True)])
def test_an_elevenlabs_voice_is_licensed_by_the_plan(
    settings: Settings, plan: str | None, allowed: bool
) -> None:
    providers = ProviderSettings(elevenlabs=ElevenLabsSettings(plan=plan))
    record = licence_for(
        generation("elevenlabs", "eleven_v3"), "voice", settings.licences, providers
    )
    assert record is not None
    assert (record.provider, record.model, record.plan) == ("elevenlabs", "eleven_v3", plan)
    assert record.commercial_use is allowed and "ElevenLabs" in record.terms


def test_a_provider_without_terms_has_no_record(settings: Settings) -> None:
    assert licence_for(generation("acme"), "image", settings.licences, ProviderSettings()) is None


def test_c3_forbidden_use_blocks_unclear_terms_warn_missing_record_blocks(
    settings: Settings,
) -> None:
    providers = ProviderSettings(elevenlabs=ElevenLabsSettings(plan="free"))
    free = licence_for(generation("elevenlabs"), "voice", settings.licences, providers)
    unclear = licence_for(generation("offline"), "voice", settings.licences, providers)
    files = [
        media("audio/voice.mp3", free),
        media("audio/voice-en.wav", unclear, "audio/wav"),
        media("images/x.png", None, "image/png"),
        media("posts.json", None, "application/json"),  # not an asset: no record needed
    ]
    findings = check_licences(files, settings.channels)
    assert [(f.severity, f.location) for f in findings] == [
        ("blocker", "audio/voice.mp3"),
        ("warning", "audio/voice-en.wav"),
        ("blocker", "images/x.png"),
    ]
    assert "forbid commercial use" in findings[0].message and "free plan" in findings[0].evidence
    assert findings[2].evidence == "images/x.png: no licence record"


def test_c3_a_non_commercial_channel_may_use_non_commercial_assets(settings: Settings) -> None:
    personal = {
        "x": settings.channels["x"].model_copy(update={"use": "non-commercial"}),
    }
    providers = ProviderSettings(elevenlabs=ElevenLabsSettings(plan="free"))
    free = licence_for(generation("elevenlabs"), "voice", settings.licences, providers)
    assert check_licences([media("audio/voice.mp3", free)], personal) == []


def test_every_built_in_media_provider_has_terms_in_the_shipped_catalogue(
    settings: Settings,
) -> None:
    from pressroom.providers import provider_names

    for medium, names in (("image", provider_names("image")), ("voice", provider_names("voice"))):
        for name in names:
            record = licence_for(generation(name), medium, settings.licences, ProviderSettings())
            assert record is not None, f"{medium} provider {name!r} has no terms"
