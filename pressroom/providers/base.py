"""One interface per medium. Editorial tasks call these, never a vendor SDK."""

from __future__ import annotations

from typing import Protocol

from pressroom.editorial.models import Article, Newsletter, ScriptPiece, Strategy, WrittenScript
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

    def analyse_audience(self, source: Source, hint: str = "") -> AudienceProfile:
        """Who `source` speaks to: summary, interests, reading level, needs, objections and
        vocabulary. `hint` is the user's own description of the audience (a brief's
        "audience"): it refines the profile, never contradicts the source."""
        ...

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

    def plan_strategy(
        self,
        source: Source,
        audience: AudienceProfile,
        brand: BrandConfig,
        channels: dict[str, ChannelConfig],
        goal: str | None,
    ) -> Strategy:
        """Angle, key messages, tone per channel and format, SEO plan (main keyword first)."""
        ...

    def write_article(
        self, source: Source, strategy: Strategy, brand: BrandConfig, revision: Revision
    ) -> Article: ...

    def write_newsletter(
        self, source: Source, strategy: Strategy, brand: BrandConfig, revision: Revision
    ) -> Newsletter: ...

    def write_video_script(
        self,
        source: Source,
        strategy: Strategy,
        brand: BrandConfig,
        target_seconds: int,
        revision: Revision,
        piece: ScriptPiece = "video",
    ) -> WrittenScript:
        """Scenes of narration and a visual idea, the narration aimed at `target_seconds` at
        150 words a minute, for `piece` (its tone, the comments addressed to it); `source` is
        left None (the chain grounds the script itself)."""
        ...


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
