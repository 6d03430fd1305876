"""Scene images drawn offline: sizes, French glyphs, layout kept clear of captions, alt text."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageFont

from pressroom.media.cards import (
    BOLD_FONT_FILE,
    NARROW_NO_BREAK_SPACE,
    NO_BREAK_SPACE,
    REGULAR_FONT_FILE,
    SCENE_MARGIN,
    caption_zone,
    font_path,
    typeset,
)
from pressroom.media.scene_images import scene_images
from pressroom.media.script import load_script
from pressroom.models import CardImage
from pressroom.paths import assets_dir
from pressroom.providers.offline_image import OfflineCards
from pressroom.settings import BrandConfig, load_settings

VIDEO_SIZES = {"9:16": (1080, 1920), "1:1": (1080, 1080), "16:9": (1920, 1080)}
FRENCH = "« Élévation » : l’œuvre — déjà ! ÇÀ"
LONG_VISUAL = " ".join(["Un capteur « citoyen » fixé au balcon : l’air du quartier, mesuré !"] * 4)
DISCLOSURES = {"fr": "Contenu généré par IA", "en": "AI-generated content"}


@pytest.fixture(scope="module")
def brand() -> BrandConfig:
    return load_settings().brand


def scene(brand: BrandConfig, **overrides: Any) -> CardImage:
    arguments: dict[str, Any] = {
        "visual": FRENCH,
        "caption": "Qualité de l’air à Montreval",
        "brand": brand,
        "width": 1080,
        "height": 1920,
        "language": "fr",
        "disclosure": DISCLOSURES["fr"],
        "number": 2,
    } | overrides
    return OfflineCards().scene(**arguments)


def pixels(card: CardImage) -> Image.Image:
    image = Image.open(io.BytesIO(card.png))
    assert image.format == "PNG"
    return image.convert("RGB")


def missing_glyphs(font_file: str, text: str) -> list[str]:
    """Characters of `text` the font does not map: from its cmap with fontTools when installed,
    else those Pillow draws as the .notdef box."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        font = ImageFont.truetype(str(font_path(font_file)), 40)
        notdef = font.getmask("\uffff")
        return [
            char
            for char in sorted(set(text))
            if (mask := font.getmask(char)).getbbox() == notdef.getbbox()
            and bytes(mask) == bytes(notdef)
        ]
    cmap = TTFont(str(font_path(font_file))).getBestCmap()
    return [char for char in sorted(set(text)) if ord(char) not in cmap]


@pytest.mark.parametrize(("width", "height"), VIDEO_SIZES.values(), ids=VIDEO_SIZES.keys())
def test_each_video_size_gives_a_png_of_exactly_that_size(
    brand: BrandConfig, width: int, height: int
) -> None:
    card = scene(brand, width=width, height=height)

    assert pixels(card).size == (card.width, card.height) == (width, height)
    generation = card.generation
    assert (generation.provider, generation.model) == ("offline", "pillow-scene-card")
    assert (generation.template_id, generation.template_version) == ("card/scene", "1")
    assert generation.parameters == {
        "width": width,
        "height": height,
        "language": "fr",
        "scene": 2,
    }


@pytest.mark.parametrize("font_file", [REGULAR_FONT_FILE, BOLD_FONT_FILE])
def test_french_text_on_a_scene_card_has_every_glyph_in_the_fonts(font_file: str) -> None:
    text = typeset(FRENCH, "fr")

    assert NO_BREAK_SPACE in text and NARROW_NO_BREAK_SPACE in text
    assert missing_glyphs(font_file, text) == []


def test_the_glyph_check_does_see_a_missing_glyph() -> None:
    assert missing_glyphs(REGULAR_FONT_FILE, "a\U0001f9ff") == ["\U0001f9ff"]  # nazar amulet


@pytest.mark.parametrize(("width", "height"), VIDEO_SIZES.values(), ids=VIDEO_SIZES.keys())
def test_text_stays_inside_the_zoom_margins_and_out_of_the_caption_zone(
    brand: BrandConfig, width: int, height: int
) -> None:
    card = scene(brand, visual=LONG_VISUAL, caption=LONG_VISUAL, width=width, height=height)
    image = pixels(card)
    # The background is a vertical wash: every row is the colour of its first pixel.
    background = image.crop((0, 0, 1, height)).resize((width, height))

    drawn = ImageChops.difference(image, background).getbbox()

    assert drawn is not None
    left, top, right, bottom = drawn
    margin = round(min(width, height) * SCENE_MARGIN)
    assert left >= margin and right <= width - margin and top >= margin
    assert bottom <= height * (1 - caption_zone(width, height))


def test_a_scene_card_is_the_same_bytes_for_the_same_scene(brand: BrandConfig) -> None:
    assert scene(brand).png == scene(brand).png


def test_the_number_and_caption_show_on_the_card(brand: BrandConfig) -> None:
    reference = scene(brand).png

    assert scene(brand, number=3).png != reference
    assert scene(brand, caption=None).png != reference
    assert scene(brand, number=None, caption=None).png != reference


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Carte pour la scène 2 : « {visual} » — Pressroom Demo. Contenu généré par IA."),
        ("en", "Card for scene 2: “{visual}” — Pressroom Demo. AI-generated content."),
    ],
)
def test_the_alt_text_describes_the_scene_in_its_language(
    brand: BrandConfig, language: str, expected: str
) -> None:
    visual = "Un capteur fixé au balcon" if language == "fr" else "A sensor on a balcony"

    card = scene(brand, visual=visual, language=language, disclosure=DISCLOSURES[language])

    assert card.alt_text == expected.format(visual=visual)


def test_an_unnumbered_scene_is_still_described(brand: BrandConfig) -> None:
    card = scene(brand, visual="A diver", language="en", disclosure="AI", number=None)

    assert card.alt_text == "Card for a video scene: “A diver” — Pressroom Demo. AI."


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_script_gets_one_image_per_scene_in_order(brand: BrandConfig, language: str) -> None:
    script = load_script(assets_dir() / "sample" / f"script-{language}.yaml")
    scene_word = {"fr": "la scène", "en": "scene"}[language]

    images = scene_images(OfflineCards(), script, brand, 540, 960, DISCLOSURES[language])

    assert len(images) == len(script.scenes) == 3
    for number, (image, script_scene) in enumerate(zip(images, script.scenes, strict=True), 1):
        assert pixels(image).size == (540, 960)
        assert f"{scene_word} {number}" in image.alt_text
        assert script_scene.visual in image.alt_text
        assert image.alt_text.endswith(f"{DISCLOSURES[language]}.")
    assert len({image.png for image in images}) == 3
