"""Images for posts, through the configured image provider."""

from __future__ import annotations

from prefect import task

from pressroom.media.channel_cards import channel_cards
from pressroom.models import CardImage, Source
from pressroom.providers import image_provider
from pressroom.settings import BrandConfig, ChannelConfig, ProviderSettings
from tasks.costs import priced
from tasks.editorial import PAID_STEP
from tasks.providers import provider_context, provider_slot


@task(persist_result=True, cache_policy=PAID_STEP)
def render_cards(
    source: Source,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    provider: str,
    providers: ProviderSettings,
) -> dict[str, CardImage]:
    """One card per channel at that channel's image size."""
    images = image_provider(provider, provider_context(providers))
    with provider_slot(provider):
        cards = channel_cards(images, source, brand, channels)
    return {
        channel: card.model_copy(update={"generation": priced(card.generation)})
        for channel, card in cards.items()
    }
