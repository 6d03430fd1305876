"""Provider registry: built-in and added providers register the same way.

    from pressroom.providers import register_text_provider
    register_text_provider("mine", lambda context: MyWriter(context.settings))

A factory receives the `ProviderContext` (provider settings and API keys, resolved by the caller
from the environment or Prefect Secret blocks). `configs/pipeline.yaml` names the provider per
medium, or `auto`: the real provider when its key is present, else the embedded one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from pressroom.errors import ConfigError
from pressroom.providers.base import ImageProvider, TextProvider, VoiceProvider
from pressroom.providers.elevenlabs_voice import ElevenLabsVoice
from pressroom.providers.espeak_voice import EspeakVoice
from pressroom.providers.offline_image import OfflineCards
from pressroom.providers.offline_text import OfflineWriter
from pressroom.providers.offline_voice import OfflineVoice
from pressroom.providers.openai_image import OpenAIImages
from pressroom.providers.openai_speech import OpenAISpeech
from pressroom.providers.openai_text import OpenAIWriter
from pressroom.settings import ProviderSettings

Medium = Literal["text", "image", "voice"]


@dataclass(frozen=True)
class ProviderContext:
    settings: ProviderSettings = field(default_factory=ProviderSettings)
    api_keys: Mapping[str, str] = field(default_factory=dict)  # "openai", "elevenlabs"


_REGISTRIES: dict[Medium, dict[str, Callable[[ProviderContext], object]]] = {
    "text": {},
    "image": {},
    "voice": {},
}
#: For `auto`: the real providers of each medium, preferred first, by the key they need.
_AUTO: dict[Medium, list[tuple[str, str]]] = {
    "text": [("openai", "openai")],
    "image": [("openai", "openai")],
    "voice": [("elevenlabs", "elevenlabs"), ("openai", "openai")],
}


def register_text_provider(name: str, factory: Callable[[ProviderContext], TextProvider]) -> None:
    _REGISTRIES["text"][name] = factory


def register_image_provider(name: str, factory: Callable[[ProviderContext], ImageProvider]) -> None:
    _REGISTRIES["image"][name] = factory


def register_voice_provider(name: str, factory: Callable[[ProviderContext], VoiceProvider]) -> None:
    _REGISTRIES["voice"][name] = factory


def provider_names(medium: Medium) -> list[str]:
    """The providers registered for a medium, built in or added."""
    return sorted(_REGISTRIES[medium])


def resolve_name(medium: Medium, context: ProviderContext) -> str:
    """The provider configured for `medium`, with `auto` decided by which keys are present."""
    name = str(getattr(context.settings, medium))
    if name != "auto":
        return name
    for provider, key in _AUTO[medium]:
        if context.api_keys.get(key) and provider in _REGISTRIES[medium]:
            return provider
    return "offline"


def _build(medium: Medium, name: str, context: ProviderContext) -> object:
    registry = _REGISTRIES[medium]
    if name not in registry:
        known = ", ".join(sorted([*registry, "auto"]))
        raise ConfigError(
            f"configs/pipeline.yaml: providers.{medium}: no provider named {name!r}; known: {known}"
        )
    return registry[name](context)


def text_provider(name: str, context: ProviderContext | None = None) -> TextProvider:
    return _build("text", name, context or ProviderContext())  # type: ignore[return-value]


def image_provider(name: str, context: ProviderContext | None = None) -> ImageProvider:
    return _build("image", name, context or ProviderContext())  # type: ignore[return-value]


def voice_provider(name: str, context: ProviderContext | None = None) -> VoiceProvider:
    return _build("voice", name, context or ProviderContext())  # type: ignore[return-value]


register_text_provider("offline", lambda _context: OfflineWriter())
register_text_provider("openai", OpenAIWriter.from_context)
register_image_provider("offline", lambda _context: OfflineCards())
register_voice_provider(
    "offline", lambda context: OfflineVoice(model_path=context.settings.piper_voice)
)
register_voice_provider("espeak", lambda _context: EspeakVoice())
register_image_provider("openai", OpenAIImages.from_context)
register_voice_provider("openai", OpenAISpeech.from_context)
register_voice_provider("elevenlabs", ElevenLabsVoice.from_context)

__all__ = [
    "ImageProvider",
    "ProviderContext",
    "TextProvider",
    "VoiceProvider",
    "image_provider",
    "provider_names",
    "register_image_provider",
    "register_text_provider",
    "register_voice_provider",
    "resolve_name",
    "text_provider",
    "voice_provider",
]
