"""The embedded image provider: branded cards drawn with Pillow."""

from __future__ import annotations

from pressroom.media.cards import CardColors, render_card
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
            colors=CardColors(
                background=brand.colors.background,
                foreground=brand.colors.foreground,
                accent=brand.colors.accent,
            ),
            language=language,
            disclosure=disclosure,
            logo_path=assets_dir() / brand.logo if brand.logo else None,
        )
