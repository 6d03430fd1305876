"""One interface per medium. Editorial tasks call these, never a vendor SDK."""

from __future__ import annotations

from typing import Protocol

from pressroom.models import (
    AudienceProfile,
    CardImage,
    ChannelPost,
    EditorialPlan,
    Revision,
    Source,
    SpeechAudio,
)
from pressroom.settings import BrandConfig, ChannelConfig


class TextProvider(Protocol):
    """Structured text generation for the editorial steps."""

    name: str

    def analyse_audience(self, source: Source) -> AudienceProfile: ...

    def plan_posts(
        self,
        source: Source,
        audience: AudienceProfile,
        brand: BrandConfig,
        channels: dict[str, ChannelConfig],
    ) -> EditorialPlan: ...

    def write_posts(
        self,
        source: Source,
        plan: EditorialPlan,
        brand: BrandConfig,
        channels: dict[str, ChannelConfig],
        revision: Revision,
    ) -> list[ChannelPost]: ...


class ImageProvider(Protocol):
    """Images for posts (one card per channel at that channel's size) and for video scenes."""

    name: str

    def card(
        self,
        *,
        title: str,
        subtitle: str | None,
        brand: BrandConfig,
        width: int,
        height: int,
        language: str,
        disclosure: str,
    ) -> CardImage: ...

    def scene(
        self,
        *,
        visual: str,
        caption: str | None,
        brand: BrandConfig,
        width: int,
        height: int,
        language: str,
        disclosure: str,
        number: int | None = None,
    ) -> CardImage:
        """The image of one video scene: `visual` is what it shows, `caption` a short line of
        context (the script's title), `number` the scene's place in the script, from 1."""
        ...


class VoiceProvider(Protocol):
    """Speech for voice-overs: text in a language, a voice, out audio bytes."""

    name: str

    def speak(self, text: str, *, language: str, voice: str | None = None) -> SpeechAudio: ...
