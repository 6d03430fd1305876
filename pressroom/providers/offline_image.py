"""The embedded image provider: branded cards and scene cards drawn with Pillow."""

from __future__ import annotations

from pathlib import Path

from pressroom.media.cards import CardColors, render_card, render_scene_card
from pressroom.models import CardImage
from pressroom.paths import assets_dir
from pressroom.settings import BrandConfig


class OfflineCards:
    name = "offline"

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
    ) -> CardImage:
        return render_card(
            title=title,
            subtitle=subtitle,
            brand_name=brand.name,
            width=width,
            height=height,
            colors=_card_colors(brand),
            language=language,
            disclosure=disclosure,
            logo_path=_logo_path(brand),
        )

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
        return render_scene_card(
            visual=visual,
            caption=caption,
            number=number,
            brand_name=brand.name,
            width=width,
            height=height,
            colors=_card_colors(brand),
            language=language,
            disclosure=disclosure,
            logo_path=_logo_path(brand),
        )


def _card_colors(brand: BrandConfig) -> CardColors:
    return CardColors(
        background=brand.colors.background,
        foreground=brand.colors.foreground,
        accent=brand.colors.accent,
    )


def _logo_path(brand: BrandConfig) -> Path | None:
    return assets_dir() / brand.logo if brand.logo else None
