"""post_length: plain code points, or X's weighting (URL = 23, heavy characters = 2)."""

from __future__ import annotations

import pytest

from pressroom.channels import TWITTER_URL_LENGTH, post_length
from pressroom.settings import ChannelConfig, ImageSize


def channel(counting: str) -> ChannelConfig:
    return ChannelConfig(
        label=counting,
        max_chars=280,
        target_chars=280,
        max_hashtags=2,
        link_policy="inline",
        counting=counting,  # type: ignore[arg-type]
        image=ImageSize(width=1600, height=900),
    )


CODEPOINTS = channel("codepoints")
TWITTER = channel("twitter")
LONG_URL = "https://www.example.org/" + "a-very-long-path-segment/" * 8 + "?utm_source=x"
SHORT_URL = "https://t.co/a"


def test_twitter_url_length_is_23() -> None:
    assert TWITTER_URL_LENGTH == 23


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("Bonjour", 7),
        ("Qualité de l’air à Montreval", 28),
        ("📰 Hello", 7),
        (f"Lire : {LONG_URL}", 7 + len(LONG_URL)),
    ],
)
def test_codepoints_count_every_character_once(text: str, expected: int) -> None:
    assert post_length(text, CODEPOINTS) == expected


@pytest.mark.parametrize("url", [SHORT_URL, "http://example.com", LONG_URL])
def test_twitter_counts_any_url_as_23(url: str) -> None:
    assert post_length(url, TWITTER) == 23
    assert post_length(f"Read: {url} now", TWITTER) == len("Read: ") + 23 + len(" now")


def test_twitter_counts_each_url_separately() -> None:
    text = f"{SHORT_URL} and {LONG_URL}"
    assert post_length(text, TWITTER) == 23 + len(" and ") + 23


@pytest.mark.parametrize("emoji", ["📰", "👉", "🌍", "😀"])
def test_twitter_counts_an_emoji_as_2(emoji: str) -> None:
    assert post_length(emoji, TWITTER) == 2
    assert post_length(f"News {emoji}", TWITTER) == 5 + 2
    assert post_length(emoji, CODEPOINTS) == 1


@pytest.mark.parametrize("text", ["é", "à", "ç", "ß", "Œ", "ñ", "Ä", "ø"])
def test_twitter_counts_accented_latin_as_1(text: str) -> None:
    assert post_length(text, TWITTER) == 1


def test_twitter_counts_french_text_like_code_points() -> None:
    text = "« Nous voulons que chacun puisse vérifier ce qu’il respire », explique-t-elle — déjà."
    assert post_length(text, TWITTER) == len(text)


def test_twitter_counts_cjk_as_2() -> None:
    assert post_length("空気", TWITTER) == 4
    assert post_length("空気", CODEPOINTS) == 2


def test_twitter_ellipsis_is_heavy() -> None:
    # U+2026 is outside twitter-text's light ranges: X counts "…" as 2.
    assert post_length("…", TWITTER) == 2


def test_twitter_errs_on_the_safe_side_for_emoji_sequences() -> None:
    # woman + zero-width joiner + laptop: X counts 2; we may count more, never less.
    assert post_length("👩\u200d💻", TWITTER) >= 2


def test_twitter_mixed_post() -> None:
    text = f"📰 Été à Montreval\n\n👉 Lire : {LONG_URL}"
    expected = 2 + len(" Été à Montreval\n\n") + 2 + len(" Lire : ") + 23
    assert post_length(text, TWITTER) == expected
