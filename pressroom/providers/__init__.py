"""Provider registry: built-in and added providers register the same way.

    from pressroom.providers import register_text_provider
    register_text_provider("mine", MyWriter)      # a factory taking no argument

`configs/pipeline.yaml` names the provider per medium; the name is resolved here, once per step.
"""

from __future__ import annotations

from collections.abc import Callable

from pressroom.errors import ConfigError
from pressroom.providers.base import ImageProvider, TextProvider
from pressroom.providers.offline_image import OfflineCards
from pressroom.providers.offline_text import OfflineWriter

_TEXT: dict[str, Callable[[], TextProvider]] = {}
_IMAGE: dict[str, Callable[[], ImageProvider]] = {}


def register_text_provider(name: str, factory: Callable[[], TextProvider]) -> None:
    _TEXT[name] = factory


def register_image_provider(name: str, factory: Callable[[], ImageProvider]) -> None:
    _IMAGE[name] = factory


def _resolve(kind: str, registry: dict[str, Callable[[], object]], name: str) -> object:
    try:
        return registry[name]()
    except KeyError:
        known = ", ".join(sorted(registry))
        raise ConfigError(
            f"configs/pipeline.yaml: providers.{kind}: no provider named {name!r}; known: {known}"
        ) from None


def text_provider(name: str) -> TextProvider:
    return _resolve("text", _TEXT, name)  # type: ignore[arg-type,return-value]


def image_provider(name: str) -> ImageProvider:
    return _resolve("image", _IMAGE, name)  # type: ignore[arg-type,return-value]


register_text_provider("offline", OfflineWriter)
register_image_provider("offline", OfflineCards)

__all__ = [
    "ImageProvider",
    "TextProvider",
    "image_provider",
    "register_image_provider",
    "register_text_provider",
    "text_provider",
]
