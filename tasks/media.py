"""Images for posts through the configured image provider, and content credentials for every
generated asset."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task
from pydantic import BaseModel

from pressroom.media.channel_cards import channel_cards
from pressroom.models import CardImage, Generation, Source, sha256_hex
from pressroom.provenance import describe_keys, ensure_keys, sign_asset
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


@task
def signing_keys() -> str:
    """Pressroom's signing keys, created on first use; returns the root's fingerprint, which
    the signing task's cache depends on (new keys: assets are signed again)."""
    keys, created = ensure_keys()
    info = describe_keys(keys)
    if created:
        get_run_logger().info(
            "Created content-credential signing keys in %s (root %s). Keep the folder; "
            "`pressroom keys show` describes it.",
            keys.directory,
            info.root_sha256[:16],
        )
    return info.root_sha256


class Asset(BaseModel):
    """A generated media file before its content credentials."""

    data: bytes
    media_type: str
    generation: Generation | None = None


def _signing_key(context: Any, inputs: dict[str, Any]) -> str:
    """What a signature depends on: each file's bytes and maker, and the signing root. (The
    whole inputs would not do: a generation read back from the result store is not the same
    Python value as the one first made — tuples come back as lists — and the cache would miss.)"""
    assets: dict[str, Asset] = inputs["assets"]
    parts = [inputs["root_sha256"]]
    for path, asset in sorted(assets.items()):
        maker = f"{asset.generation.provider}/{asset.generation.model}" if asset.generation else ""
        parts += [path, asset.media_type, sha256_hex(asset.data), maker]
    return sha256_hex("\n".join(parts))


@task(persist_result=True, cache_key_fn=_signing_key)
def sign_assets(assets: dict[str, Asset], root_sha256: str) -> dict[str, bytes]:
    """Each asset (by bundle path) with C2PA content credentials declaring it AI-made (rule
    R5), as the last change to its bytes before review. Persisted and cached on the bytes and
    the root's fingerprint: signing again would make new bytes."""
    keys, _ = ensure_keys()
    return {
        path: sign_asset(
            asset.data,
            asset.media_type,
            title=path.rsplit("/", 1)[-1],
            generation=asset.generation,
            keys=keys,
        )
        for path, asset in assets.items()
    }


def sign_cards(cards: dict[str, CardImage], root_sha256: str) -> dict[str, CardImage]:
    """The cards signed (see `sign_assets`), keyed by channel as given."""
    signed = sign_assets(
        {
            f"{channel}.png": Asset(
                data=card.png, media_type="image/png", generation=card.generation
            )
            for channel, card in cards.items()
        },
        root_sha256,
    )
    return {
        channel: card.model_copy(update={"png": signed[f"{channel}.png"]})
        for channel, card in cards.items()
    }
