"""One image per scene of a video script, from any image provider."""

from __future__ import annotations

from pressroom.media.script import VideoScript
from pressroom.models import CardImage
from pressroom.providers.base import ImageProvider
from pressroom.providers.resilience import ProviderError
from pressroom.settings import BrandConfig


def scene_images(
    provider: ImageProvider,
    script: VideoScript,
    brand: BrandConfig,
    width: int,
    height: int,
    disclosure: str,
) -> list[CardImage]:
    """The scenes' images in script order, each `width`×`height`, captioned with the title.

    A provider failure names the scene (counted from 1): "scene 2: image provider failed: …".
    """
    images = []
    for number, scene in enumerate(script.scenes, start=1):
        try:
            image = provider.scene(
                visual=scene.visual,
                caption=script.title,
                brand=brand,
                width=width,
                height=height,
                language=script.language,
                disclosure=disclosure,
                number=number,
            )
        except ProviderError as error:
            raise ProviderError(f"scene {number}: image provider failed: {error}") from error
        images.append(image)
    return images
