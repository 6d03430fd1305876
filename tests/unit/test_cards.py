"""The branded social cards: sizes, determinism, glyph coverage, wrapping, French typography."""

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageFont

from pressroom.errors import ConfigError
from pressroom.media.cards import (
    BOLD_FONT_FILE,
    NARROW_NO_BREAK_SPACE,
    NO_BREAK_SPACE,
    REGULAR_FONT_FILE,
    CardColors,
    alt_text,
    fit_line,
    font_path,
    render_card,
    typeset,
    wrap_text,
)
from pressroom.models import CardImage
from pressroom.paths import ASSETS_DIR_ENV, assets_dir

CHANNEL_SIZES = {
    "linkedin": (1200, 627),
    "x": (1600, 900),
    "instagram": (1080, 1080),
    "facebook": (1200, 630),
    "tiktok": (1080, 1920),
}
NAVY = CardColors(background="#0f1e3c", foreground="#ffffff", accent="#f5a524")
LOGO = assets_dir() / "logo.png"
LONG_TITLE = " ".join(
    ["Une histoire incroyablement longue : pourquoi les rédactions « locales » résistent !"] * 6
)


def card(**overrides: Any) -> CardImage:
    arguments: dict[str, Any] = {
        "title": "Été à Noël : ça s'ouvre !",
        "subtitle": "Le Journal de Strasbourg",
        "brand_name": "Pressroom Daily",
        "width": 1200,
        "height": 627,
        "colors": NAVY,
        "language": "fr",
        "disclosure": "Contenu généré avec l'IA",
        "logo_path": LOGO,
    } | overrides
    return render_card(**arguments)


def open_png(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image


@pytest.fixture(scope="module")
def title_font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(BOLD_FONT_FILE)), 48)


@pytest.mark.parametrize(("width", "height"), CHANNEL_SIZES.values(), ids=CHANNEL_SIZES.keys())
def test_each_channel_size_renders_a_png_of_exactly_that_size(width: int, height: int) -> None:
    result = card(width=width, height=height)

    assert open_png(result.png).size == (width, height)
    assert (result.width, result.height) == (width, height)
    assert result.generation.provider == "offline"
    assert result.generation.model == "pillow-card"
    assert (result.generation.template_id, result.generation.template_version) == (
        "card/branded",
        "1",
    )
    assert result.generation.parameters == {"width": width, "height": height, "language": "fr"}


def test_same_inputs_give_byte_identical_pngs_without_metadata() -> None:
    first, second = card(), card()

    assert first.png == second.png
    for chunk in (b"tIME", b"tEXt", b"iTXt", b"zTXt"):
        assert chunk not in first.png


def test_different_titles_give_different_pngs() -> None:
    assert card(title="Un titre").png != card(title="Un autre titre").png


@pytest.mark.parametrize("font_file", [REGULAR_FONT_FILE, BOLD_FONT_FILE])
def test_french_and_german_text_renders_without_missing_glyphs(font_file: str) -> None:
    font = ImageFont.truetype(str(font_path(font_file)), 40)
    notdef = font.getmask("\uffff")
    text = typeset("Été à Noël : ça s'ouvre ! « Œuvre » … ÇÀÈÔ œ ß ä ö ü ÄÖÜ — “fin”", "fr")

    missing = [
        char
        for char in set(text) - {" "}
        if (mask := font.getmask(char)).size == notdef.size and bytes(mask) == bytes(notdef)
    ]

    assert NO_BREAK_SPACE in text and NARROW_NO_BREAK_SPACE in text and "’" in text
    assert missing == []


def test_a_very_long_title_stays_inside_the_margins() -> None:
    for width, height in CHANNEL_SIZES.values():
        result = card(
            title=LONG_TITLE,
            subtitle=LONG_TITLE,
            brand_name=LONG_TITLE,
            logo_path=None,
            width=width,
            height=height,
        )
        image = open_png(result.png).convert("RGB")
        edge = round(min(width, height) * 0.05)
        stripe = round(min(width, height) * 0.018)
        background = Image.new("RGB", image.size, NAVY.background)
        content = ImageChops.difference(image, background).crop((stripe, 0, width, height))
        bbox = content.getbbox()
        assert bbox is not None
        left, top, right, bottom = bbox

        assert left + stripe >= edge
        assert top >= edge
        assert right + stripe <= width - edge
        assert bottom <= height - edge


def test_subtitle_and_logo_are_optional() -> None:
    result = card(subtitle=None, logo_path=None, language="en", disclosure="AI-generated")

    assert open_png(result.png).size == (1200, 627)


def test_a_card_without_its_ai_disclosure_is_refused() -> None:
    with pytest.raises(ValueError, match="disclosure"):
        card(disclosure="  ")


def test_the_logo_is_pasted_when_given() -> None:
    assert card(logo_path=LOGO).png != card(logo_path=None).png


def test_an_unreadable_logo_is_a_config_error(tmp_path: Path) -> None:
    not_an_image = tmp_path / "logo.png"
    not_an_image.write_text("not a png")

    with pytest.raises(ConfigError, match="logo"):
        card(logo_path=not_an_image)


def test_wrapped_lines_never_exceed_the_width_and_keep_every_word(
    title_font: ImageFont.FreeTypeFont,
) -> None:
    for max_width in (450, 700, 1000):
        lines = wrap_text(LONG_TITLE, title_font, max_width)

        assert all(title_font.getlength(line) <= max_width for line in lines)
        assert " ".join(lines) == LONG_TITLE


def test_a_word_wider_than_the_line_is_cut_with_hyphens(
    title_font: ImageFont.FreeTypeFont,
) -> None:
    word = "Donaudampfschifffahrtsgesellschaftskapitän"

    lines = wrap_text(f"Der {word} kommt", title_font, 300)

    assert all(title_font.getlength(line) <= 300 for line in lines)
    assert lines[0] == "Der"
    assert sum(line.endswith("-") for line in lines) >= 2
    assert " ".join(lines).replace("- ", "") == f"Der {word} kommt"


def test_french_no_break_spaces_keep_punctuation_with_its_word(
    title_font: ImageFont.FreeTypeFont,
) -> None:
    text = typeset("Été à Noël : ça s'ouvre ! Les « marchés » reviennent", "fr")
    just_before_the_colon = title_font.getlength("Été à Noël") + 1

    lines = wrap_text(text, title_font, just_before_the_colon)

    assert lines[0] == "Été à"
    assert lines[1].startswith(f"Noël{NO_BREAK_SPACE}:")
    for line in lines:
        assert not line.startswith((":", "!", "»", NO_BREAK_SPACE, NARROW_NO_BREAK_SPACE))
        assert not line.endswith("«")


def test_french_typesetting_puts_no_break_spaces_where_french_wants_them() -> None:
    nbsp, narrow = NO_BREAK_SPACE, NARROW_NO_BREAK_SPACE

    assert typeset("Noël: ça s'ouvre!", "fr") == f"Noël{nbsp}: ça s’ouvre{narrow}!"
    assert typeset("Quoi ?! Vraiment ; oui", "fr") == f"Quoi{narrow}?! Vraiment{narrow}; oui"
    assert typeset("Les «marchés» et « foires »", "fr") == (
        f"Les «{nbsp}marchés{nbsp}» et «{nbsp}foires{nbsp}»"
    )
    assert typeset("Rendez-vous à 12:30", "fr") == "Rendez-vous à 12:30"
    assert typeset(typeset("Noël : ça !", "fr"), "fr") == typeset("Noël : ça !", "fr")
    assert typeset("Why now: it's time!", "en") == "Why now: it’s time!"


def test_fit_line_ellipsizes_what_does_not_fit(title_font: ImageFont.FreeTypeFont) -> None:
    assert fit_line("Court", title_font, 400) == "Court"

    fitted = fit_line("Une phrase bien trop longue pour tenir sur la ligne", title_font, 400)

    assert fitted.endswith("…")
    assert title_font.getlength(fitted) <= 400


def test_alt_text_is_in_the_card_language() -> None:
    assert card().alt_text == (
        "Carte visuelle : « Été à Noël : ça s'ouvre ! » — Pressroom Daily. "
        "Contenu généré avec l'IA."
    )
    assert (
        alt_text(
            title="Small teams ship faster",
            brand_name="Acme",
            disclosure="AI-generated",
            language="en",
        )
        == "Card: “Small teams ship faster” — Acme. AI-generated."
    )
    assert alt_text(
        title="Titel", brand_name="Acme", disclosure="Mit KI erstellt", language="de-DE"
    ).startswith("Grafik: „Titel“")
    assert alt_text(
        title="Título", brand_name="Acme", disclosure="Generado con IA", language="es"
    ).startswith("Card: “Título”")


def test_colours_must_be_hex_triplets() -> None:
    with pytest.raises(ConfigError, match="background"):
        CardColors(background="navy", foreground="#ffffff", accent="#f5a524")


def test_assets_dir_can_be_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert (assets_dir() / "fonts" / BOLD_FONT_FILE).is_file()

    monkeypatch.setenv(ASSETS_DIR_ENV, str(tmp_path))

    assert assets_dir() == tmp_path
