"""Images for posts, through the configured image provider."""

from __future__ import annotations

from prefect import task

from pressroom.media.channel_cards import channel_cards
from pressroom.models import CardImage, Source
from pressroom.providers import image_provider
from pressroom.settings import BrandConfig, ChannelConfig


@task(persist_result=True)
def render_cards(
    source: Source, brand: BrandConfig, channels: dict[str, ChannelConfig], provider: str
) -> dict[str, CardImage]:
    """One card per channel at that channel's image size."""
    return channel_cards(image_provider(provider), source, brand, channels)
