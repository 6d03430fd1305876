"""One card per channel, at that channel's image size, from any image provider."""

from __future__ import annotations

import time

from pressroom.models import CardImage, Source
from pressroom.providers.base import ImageProvider
from pressroom.settings import BrandConfig, ChannelConfig


def channel_cards(
    images: ImageProvider, source: Source, brand: BrandConfig, channels: dict[str, ChannelConfig]
) -> dict[str, CardImage]:
    disclosure = brand.disclosure_for(source.language).short
    cards = {}
    for name, cfg in channels.items():
        started = time.perf_counter()
        card = images.card(
            title=source.title,
            subtitle=source.site_name,
            brand=brand,
            width=cfg.image.width,
            height=cfg.image.height,
            language=source.language,
            disclosure=disclosure,
        )
        elapsed = round(time.perf_counter() - started, 6)
        generation = card.generation.model_copy(update={"seconds": elapsed})
        cards[name] = card.model_copy(update={"generation": generation})
    return cards
