"""Images for posts, through the configured image provider."""

from __future__ import annotations

from prefect import task

from pressroom.models import CardImage, Source
from pressroom.providers import image_provider
from pressroom.settings import BrandConfig, ChannelConfig


@task(persist_result=True)
def render_cards(
    source: Source, brand: BrandConfig, channels: dict[str, ChannelConfig], provider: str
) -> dict[str, CardImage]:
    """One card per channel at that channel's image size."""
    images = image_provider(provider)
    disclosure = brand.disclosure_for(source.language).short
    return {
        name: images.card(
            title=source.title,
            subtitle=source.site_name,
            brand=brand,
            width=cfg.image.width,
            height=cfg.image.height,
            language=source.language,
            disclosure=disclosure,
        )
        for name, cfg in channels.items()
    }
