"""C2PA on real media: an MP4 and an MP3 made by the real ffmpeg are signed and validate on
read-back; a byte changed after signing fails validation, and in a bundle it blocks publishing."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.compliance import check_bundle
from pressroom.compliance.provenance import check_provenance, generated_media
from pressroom.errors import PublishRefused
from pressroom.models import Approval, CardImage, Generation
from pressroom.provenance import KeyPaths, create_keys, sign_asset, verify_asset
from pressroom.publishing import publish_local, read_bundle_content, stage_bundle
from tests.integration.bundles import SampleArticle, sample_article
from tests.provenance_media import ffmpeg_media, flip_media_byte

VOICE = Generation(provider="piper", model="joe-us", template_id="voice", template_version="1")
VIDEO = Generation(provider="pressroom", model="moviepy", template_id="reel", template_version="1")


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPaths:
    return create_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def signed_mp4(keys: KeyPaths) -> bytes:
    return sign_asset(
        ffmpeg_media(".mp4", 1), "video/mp4", title="reel.mp4", generation=VIDEO, keys=keys
    )


def test_a_signed_mp4_validates_and_declares_ai(keys: KeyPaths, signed_mp4: bytes) -> None:
    check = verify_asset(signed_mp4, "video/mp4", keys=keys)
    assert check.valid and check.declares_ai, check.problems
    assert check_provenance([("reel.mp4", signed_mp4, "video/mp4")], keys=keys) == []


def test_a_frame_byte_changed_after_signing_invalidates_the_mp4(
    keys: KeyPaths, signed_mp4: bytes
) -> None:
    tampered = flip_media_byte(signed_mp4, "video/mp4")
    check = verify_asset(tampered, "video/mp4", keys=keys)
    assert not check.valid
    assert check.codes == ["assertion.bmffHash.mismatch"]
    (finding,) = check_provenance([("reel.mp4", tampered, "video/mp4")], keys=keys)
    assert (finding.rule_id, finding.severity, finding.location) == ("R5", "blocker", "reel.mp4")
    assert "bmffHash.mismatch" in finding.evidence


def test_an_unsigned_mp4_is_an_r5_blocker(keys: KeyPaths) -> None:
    (finding,) = check_provenance([("reel.mp4", ffmpeg_media(".mp4", 1), "video/mp4")], keys=keys)
    assert finding.severity == "blocker" and "no content credentials" in finding.message


def test_a_signed_mp3_validates(keys: KeyPaths) -> None:
    signed = sign_asset(
        ffmpeg_media(".mp3", 1), "audio/mpeg", title="voice.mp3", generation=VOICE, keys=keys
    )
    check = verify_asset(signed, "audio/mpeg", keys=keys)
    assert check.valid and check.declares_ai, check.problems


# ---------------------------------------------------------------- in a bundle


@pytest.fixture(scope="module")
def article() -> SampleArticle:
    return sample_article()


def signed_cards(article: SampleArticle, keys: KeyPaths) -> dict[str, CardImage]:
    return {
        channel: card.model_copy(
            update={
                "png": sign_asset(
                    card.png,
                    "image/png",
                    title=f"{channel}.png",
                    generation=card.generation,
                    keys=keys,
                )
            }
        )
        for channel, card in article.cards.items()
    }


def stage_check_and_publish(
    article: SampleArticle, cards: dict[str, CardImage], keys: KeyPaths, folder: Path
) -> str:
    """Stage, run the suite with R5 on the staged bytes, approve, publish: the bundle URI."""
    staged = stage_bundle(
        folder / "staging", article.source, article.posts, cards, article.channels
    )
    content = read_bundle_content(staged, article.source.text)
    r5 = check_provenance(generated_media(staged), keys=keys)
    report = check_bundle(content, article.settings.brand, article.channels, extra=r5)
    approval = Approval(
        content_sha256=staged.content_sha256,
        reviewer="Claire Vasseur",
        decision="approve",
        gate="social-round-0",
    )
    return publish_local(staged, report, approval, folder / "out").uri


def test_a_bundle_of_signed_cards_publishes(
    article: SampleArticle, keys: KeyPaths, tmp_path: Path
) -> None:
    assert stage_check_and_publish(article, signed_cards(article, keys), keys, tmp_path)


def test_a_card_changed_after_signing_blocks_publishing(
    article: SampleArticle, keys: KeyPaths, tmp_path: Path
) -> None:
    cards = signed_cards(article, keys)
    channel = next(iter(cards))
    cards[channel] = cards[channel].model_copy(
        update={"png": flip_media_byte(cards[channel].png, "image/png")}
    )
    with pytest.raises(PublishRefused, match=rf"R5 \(images/{channel}.png\)"):
        stage_check_and_publish(article, cards, keys, tmp_path)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
