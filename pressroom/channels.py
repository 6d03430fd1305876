"""How each network counts a post's length."""

from __future__ import annotations

from pressroom.settings import ChannelConfig
from pressroom.text import URL

TWITTER_URL_LENGTH = 23
# twitter-text v3: these code point ranges weigh 1, everything else (emoji, CJK...) weighs 2.
_TWITTER_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _twitter_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(lo <= code <= hi for lo, hi in _TWITTER_LIGHT_RANGES) else 2


def post_length(text: str, channel: ChannelConfig) -> int:
    """Length as the network counts it (over-counts emoji sequences on X: the safe side)."""
    if channel.counting == "codepoints":
        return len(text)
    urls = URL.findall(text)
    without_urls = URL.sub("", text)
    return len(urls) * TWITTER_URL_LENGTH + sum(_twitter_weight(c) for c in without_urls)
