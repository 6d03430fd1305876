"""Branded social cards, drawn offline with Pillow: the embedded image provider.

A card is the brand's background with an accent stripe, an optional subtitle at the top, the
title set large (shrunk until it fits, cut with an ellipsis past that), and a footer with the
logo, the brand name and a visible AI disclosure. Every size is derived from the card's short
side, so one layout serves landscape, square and vertical channels. The same inputs always give
the same PNG bytes.

A scene card is the same brand in a softer layout, for one scene of a video: a vertical wash of
the background towards the accent, the brand row at the top, then the scene number, an optional
caption and the scene's visual idea, all kept clear of the bottom of the frame where the renderer
burns in the captions, and inside wider margins that the renderer's slow zoom may crop.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from pressroom.errors import ConfigError
from pressroom.models import CardImage, Generation
from pressroom.paths import assets_dir

REGULAR_FONT_FILE = "Inter-Regular.otf"
BOLD_FONT_FILE = "Inter-Bold.otf"

TEMPLATE_ID = "card/branded"
TEMPLATE_VERSION = "1"
SCENE_TEMPLATE_ID = "card/scene"
SCENE_TEMPLATE_VERSION = "1"

NO_BREAK_SPACE = "\u00a0"
NARROW_NO_BREAK_SPACE = "\u202f"
ELLIPSIS = "…"
HYPHEN = "-"

# Where a line may break: any run of whitespace except the no-break spaces.
_BREAKABLE_SPACE = re.compile(r"[^\S\u00a0\u202f\u2007]+")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

# French typography: a narrow no-break space before ; ! ? and a no-break space before a colon
# and inside guillemets. Existing spaces there are replaced, so applying it twice changes nothing.
_FRENCH_SPACING_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[^\s;:!?])\s*([;!?])"), NARROW_NO_BREAK_SPACE + r"\1"),
    (re.compile(r"(?<=[^\s;:!?])\s*:(?=\s|$)"), NO_BREAK_SPACE + ":"),
    (re.compile(r"«\s*"), "«" + NO_BREAK_SPACE),
    (re.compile(r"\s*»"), NO_BREAK_SPACE + "»"),
)

_ALT_TEXT_TEMPLATES = {
    "en": "Card: “{title}” — {brand}.",
    "fr": "Carte visuelle : « {title} » — {brand}.",
    "de": "Grafik: „{title}“ — {brand}.",
}
_SCENE_ALT_TEXT_TEMPLATES = {
    "en": "Card for {scene}: “{visual}” — {brand}.",
    "fr": "Carte pour {scene} : « {visual} » — {brand}.",
    "de": "Karte für {scene}: „{visual}“ — {brand}.",
}
#: How a scene is named in alt texts, with its number and without.
_SCENE_NAMES = {
    "en": ("scene {number}", "a video scene"),
    "fr": ("la scène {number}", "une scène vidéo"),
    "de": ("Szene {number}", "eine Videoszene"),
}

# Proportions of the card's short side.
MARGIN = 0.075
PORTRAIT_SAFE_ZONE = 0.1  # of the height a tall card has beyond its width, added top and bottom
STRIPE_WIDTH = 0.018
SUBTITLE_SIZE = 0.036
TITLE_MAX_SIZE = 0.1
TITLE_MIN_SIZE = 0.05
TITLE_LINE_HEIGHT = 1.14  # of the title's font size
TITLE_BASELINE = 0.9  # of the title's font size, from the top of its line
RULE_WIDTH = 0.09
RULE_HEIGHT = 0.012
BLOCK_GAP = 0.045
RULE_TO_TITLE_GAP = 0.04
LOGO_SIZE = 0.085
BRAND_SIZE = 0.04
DISCLOSURE_SIZE = 0.027
PILL_PADDING_X = 0.018
PILL_PADDING_Y = 0.01
INLINE_GAP = 0.025

# Scene cards, in proportions of the short side unless said otherwise.
SCENE_MARGIN = 0.09  # wider than a post card's: the renderer's slow zoom crops the edges
# The bottom of a scene card, in proportions of its height, holds no text: the renderer burns
# two lines of captions in there (above the bottom fifth of tall frames), and its zoom of up to
# 1.08 around the centre pushes the card's text towards them.
CAPTION_ZONE = 0.3
TALL_CAPTION_ZONE = 0.4
SCENE_GLOW = 0.12  # how much accent the background washes towards at the bottom
SCENE_NUMBER_SIZE = 0.15
SCENE_VISUAL_MAX_SIZE = 0.085
SCENE_VISUAL_MIN_SIZE = 0.045

MUTED = 0.72  # how much foreground is in the muted text colour, the rest being background

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class CardColors:
    """Brand colours as "#rrggbb"; the foreground must read well on the background."""

    background: str
    foreground: str
    accent: str

    def __post_init__(self) -> None:
        for name in ("background", "foreground", "accent"):
            value = getattr(self, name)
            if not _HEX_COLOR.fullmatch(value):
                raise ConfigError(f"card colour {name}={value!r} is not of the form '#rrggbb'")


@dataclass(frozen=True)
class _Grid:
    """The card's size and the lengths derived from its short side."""

    width: int
    height: int
    margin: float = MARGIN
    stripe: float = STRIPE_WIDTH  # the accent stripe on the left, which the content clears

    @property
    def unit(self) -> int:
        return min(self.width, self.height)

    def px(self, proportion: float) -> int:
        return max(1, round(self.unit * proportion))

    @property
    def left(self) -> int:
        return (self.px(self.stripe) if self.stripe else 0) + self.px(self.margin)

    @property
    def right(self) -> int:
        return self.width - self.px(self.margin)

    @property
    def vertical_margin(self) -> int:
        """Tall cards keep clear of the app overlays at the top and bottom of vertical feeds."""
        return self.px(self.margin) + round(max(0, self.height - self.width) * PORTRAIT_SAFE_ZONE)

    @property
    def top(self) -> int:
        return self.vertical_margin

    @property
    def bottom(self) -> int:
        return self.height - self.vertical_margin

    @property
    def content_width(self) -> int:
        return self.right - self.left


@dataclass(frozen=True)
class _TitleSetting:
    font: ImageFont.FreeTypeFont
    lines: list[str]
    line_height: int

    @property
    def height(self) -> int:
        return len(self.lines) * self.line_height


def render_card(
    *,
    title: str,
    subtitle: str | None,
    brand_name: str,
    width: int,
    height: int,
    colors: CardColors,
    language: str,
    disclosure: str,
    logo_path: Path | None = None,
) -> CardImage:
    """Draw a branded card of exactly `width`×`height` pixels and describe it for screen readers."""
    _check_card_request(width, height, disclosure)
    if not title.strip():
        raise ValueError("a card needs a title")
    lang = base_language(language)
    grid = _Grid(width, height)
    image = Image.new("RGB", (width, height), colors.background)
    draw = ImageDraw.Draw(image)
    muted = _mix(hex_rgb(colors.foreground), hex_rgb(colors.background), MUTED)

    _draw_stripe(draw, grid, hex_rgb(colors.accent))
    footer_top = _draw_footer(
        image,
        grid,
        brand=typeset(brand_name, lang),
        disclosure=typeset(disclosure, lang),
        logo_path=logo_path,
        brand_color=hex_rgb(colors.foreground),
        muted=muted,
    )
    subtitle = typeset(subtitle or "", lang)
    header_bottom = _draw_subtitle(draw, grid, subtitle, muted) if subtitle else None
    _draw_title_block(
        draw,
        grid,
        typeset(title, lang),
        top=header_bottom + grid.px(BLOCK_GAP) if header_bottom else grid.top,
        bottom=footer_top - grid.px(BLOCK_GAP),
        title_color=hex_rgb(colors.foreground),
        accent=hex_rgb(colors.accent),
    )
    return CardImage(
        png=png_bytes(image),
        width=width,
        height=height,
        alt_text=alt_text(title=title, brand_name=brand_name, disclosure=disclosure, language=lang),
        generation=Generation(
            provider="offline",
            model="pillow-card",
            template_id=TEMPLATE_ID,
            template_version=TEMPLATE_VERSION,
            parameters={"width": width, "height": height, "language": lang},
        ),
    )


def render_scene_card(
    *,
    visual: str,
    caption: str | None,
    number: int | None,
    brand_name: str,
    width: int,
    height: int,
    colors: CardColors,
    language: str,
    disclosure: str,
    logo_path: Path | None = None,
) -> CardImage:
    """Draw the card for one video scene, `width`×`height` pixels, and describe it."""
    _check_card_request(width, height, disclosure)
    if not visual.strip():
        raise ValueError("a scene card needs the scene's visual idea")
    lang = base_language(language)
    grid = _Grid(width, height, margin=SCENE_MARGIN, stripe=0)
    background, foreground = hex_rgb(colors.background), hex_rgb(colors.foreground)
    glow = _mix(hex_rgb(colors.accent), background, SCENE_GLOW)
    image = _washed_background(grid, background, glow)
    row_height = grid.px(LOGO_SIZE)
    _draw_brand_row(
        image,
        grid,
        middle=grid.top + row_height // 2,
        brand=typeset(brand_name, lang),
        disclosure=typeset(disclosure, lang),
        logo_path=logo_path,
        brand_color=foreground,
        muted=_mix(foreground, background, MUTED),
    )
    _draw_scene_block(
        ImageDraw.Draw(image),
        grid,
        label=f"{number:02d}" if number is not None else "",
        caption=typeset(caption or "", lang),
        visual=typeset(visual, lang),
        top=grid.top + row_height + grid.px(BLOCK_GAP),
        bottom=round(height * (1 - caption_zone(width, height))),
        colors=colors,
    )
    return CardImage(
        png=png_bytes(image),
        width=width,
        height=height,
        alt_text=scene_alt_text(
            visual=visual,
            number=number,
            brand_name=brand_name,
            disclosure=disclosure,
            language=lang,
        ),
        generation=Generation(
            provider="offline",
            model="pillow-scene-card",
            template_id=SCENE_TEMPLATE_ID,
            template_version=SCENE_TEMPLATE_VERSION,
            parameters={"width": width, "height": height, "language": lang, "scene": number},
        ),
    )


def caption_zone(width: int, height: int) -> float:
    """The share of a scene card's height, at the bottom, kept free of text for captions."""
    return TALL_CAPTION_ZONE if height > width else CAPTION_ZONE


def _check_card_request(width: int, height: int, disclosure: str) -> None:
    if width <= 0 or height <= 0:
        raise ValueError(f"card size must be positive, got {width}×{height}")
    if not disclosure.strip():
        raise ValueError("a card needs its AI disclosure")


def base_language(language: str) -> str:
    """The base language of a language tag: "fr" for "fr-CA" or "fr_FR"."""
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower()


def typeset(text: str, language: str) -> str:
    """The text as it should be set: typographic apostrophes, and French no-break spaces."""
    text = _APOSTROPHE.sub("’", " ".join(_BREAKABLE_SPACE.split(text.strip())))
    if language != "fr":
        return text
    for pattern, replacement in _FRENCH_SPACING_RULES:
        text = pattern.sub(replacement, text)
    return text


def alt_text(*, title: str, brand_name: str, disclosure: str, language: str) -> str:
    """What a screen reader says about the card, in its language (English when unknown)."""
    template = _ALT_TEXT_TEMPLATES.get(base_language(language), _ALT_TEXT_TEMPLATES["en"])
    description = template.format(title=" ".join(title.split()), brand=" ".join(brand_name.split()))
    return with_disclosure(description, disclosure)


def scene_alt_text(
    *, visual: str, number: int | None, brand_name: str, disclosure: str, language: str
) -> str:
    """What a screen reader says about a scene card, in its language (English when unknown)."""
    lang = base_language(language)
    template = _SCENE_ALT_TEXT_TEMPLATES.get(lang, _SCENE_ALT_TEXT_TEMPLATES["en"])
    description = template.format(
        scene=scene_name(number, lang),
        visual=" ".join(visual.split()),
        brand=" ".join(brand_name.split()),
    )
    return with_disclosure(description, disclosure)


def scene_name(number: int | None, language: str) -> str:
    """How an alt text names a scene: "scene 2", "la scène 2"; "a video scene" without a number."""
    numbered, unnumbered = _SCENE_NAMES.get(base_language(language), _SCENE_NAMES["en"])
    return numbered.format(number=number) if number is not None else unnumbered


def with_disclosure(description: str, disclosure: str) -> str:
    """An alt text ending with the AI disclosure as its own sentence (when there is one)."""
    disclosure = " ".join(disclosure.split())
    if not disclosure:
        return description
    return f"{description} {disclosure}" + ("" if disclosure.endswith((".", "!", "?")) else ".")


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break `text` into lines no wider than `max_width` when set in `font`.

    Lines break only at breakable spaces (never at a no-break space); a word wider than a
    whole line is cut and hyphenated.
    """
    lines: list[str] = []
    current = ""
    for word in _BREAKABLE_SPACE.split(text.strip()):
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        *full_pieces, current = _cut_word(word, font, max_width)
        lines.extend(full_pieces)
    if current:
        lines.append(current)
    return lines


def fit_line(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> str:
    """`text` if it fits on one line, else as many of its words as fit followed by an ellipsis."""
    if font.getlength(text) <= max_width:
        return text
    first, *others = _BREAKABLE_SPACE.split(text)
    kept = first
    while kept and font.getlength(_with_ellipsis(kept)) > max_width:
        kept = kept[:-1]
    for word in others:
        candidate = f"{kept} {word}"
        if font.getlength(_with_ellipsis(candidate)) > max_width:
            break
        kept = candidate
    return _with_ellipsis(kept)


def _with_ellipsis(text: str) -> str:
    return text.rstrip(" ,;:.!?-–—" + NO_BREAK_SPACE + NARROW_NO_BREAK_SPACE) + ELLIPSIS


def _cut_word(word: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Cut a word into hyphenated pieces that each fit `max_width`; the last piece has no hyphen."""
    pieces: list[str] = []
    rest = word
    while font.getlength(rest) > max_width:
        cut = 1
        while cut < len(rest) - 1 and font.getlength(rest[: cut + 1] + HYPHEN) <= max_width:
            cut += 1
        pieces.append(rest[:cut] + HYPHEN)
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def _draw_stripe(draw: ImageDraw.ImageDraw, grid: _Grid, accent: RGB) -> None:
    draw.rectangle((0, 0, grid.px(STRIPE_WIDTH) - 1, grid.height - 1), fill=accent)


def _draw_subtitle(draw: ImageDraw.ImageDraw, grid: _Grid, subtitle: str, color: RGB) -> int:
    """Draw the subtitle at the top left; return where it ends."""
    font = brand_font(REGULAR_FONT_FILE, grid.px(SUBTITLE_SIZE))
    ascent, descent = font.getmetrics()
    draw.text(
        (grid.left, grid.top),
        fit_line(subtitle, font, grid.content_width),
        font=font,
        fill=color,
        anchor="la",
    )
    return grid.top + ascent + descent


def _draw_footer(
    image: Image.Image,
    grid: _Grid,
    *,
    brand: str,
    disclosure: str,
    logo_path: Path | None,
    brand_color: RGB,
    muted: RGB,
) -> int:
    """Draw logo and brand name at the bottom left, the disclosure at the bottom right.

    Returns the top of the footer row.
    """
    row_height = grid.px(LOGO_SIZE)
    _draw_brand_row(
        image,
        grid,
        middle=grid.bottom - row_height // 2,
        brand=brand,
        disclosure=disclosure,
        logo_path=logo_path,
        brand_color=brand_color,
        muted=muted,
    )
    return grid.bottom - row_height


def _draw_brand_row(
    image: Image.Image,
    grid: _Grid,
    *,
    middle: int,
    brand: str,
    disclosure: str,
    logo_path: Path | None,
    brand_color: RGB,
    muted: RGB,
) -> None:
    """Draw logo and brand name on the left, the disclosure pill on the right, around `middle`."""
    draw = ImageDraw.Draw(image)
    row_height = grid.px(LOGO_SIZE)
    pill_left = _draw_disclosure_pill(draw, grid, disclosure, middle, muted)
    brand_left = grid.left
    if logo_path is not None:
        logo = _load_logo(logo_path, row_height)
        image.paste(logo, (grid.left, middle - logo.height // 2), logo)
        brand_left += logo.width + grid.px(INLINE_GAP)
    font = brand_font(BOLD_FONT_FILE, grid.px(BRAND_SIZE))
    room = pill_left - grid.px(INLINE_GAP) - brand_left
    draw.text(
        (brand_left, middle), fit_line(brand, font, room), font=font, fill=brand_color, anchor="lm"
    )


def _draw_disclosure_pill(
    draw: ImageDraw.ImageDraw, grid: _Grid, disclosure: str, middle: int, color: RGB
) -> int:
    """Draw the disclosure in an outlined pill at the bottom right; return the pill's left edge."""
    font = brand_font(REGULAR_FONT_FILE, grid.px(DISCLOSURE_SIZE))
    padding_x, padding_y = grid.px(PILL_PADDING_X), grid.px(PILL_PADDING_Y)
    text = fit_line(disclosure, font, grid.content_width // 2 - 2 * padding_x)
    ascent, descent = font.getmetrics()
    half_height = (ascent + descent) // 2 + padding_y
    left = grid.right - round(font.getlength(text)) - 2 * padding_x
    draw.rounded_rectangle(
        (left, middle - half_height, grid.right - 1, middle + half_height),
        radius=half_height,
        outline=color,
        width=max(1, grid.unit // 400),
    )
    draw.text(((left + grid.right) // 2, middle), text, font=font, fill=color, anchor="mm")
    return left


def _draw_title_block(
    draw: ImageDraw.ImageDraw,
    grid: _Grid,
    title: str,
    *,
    top: int,
    bottom: int,
    title_color: RGB,
    accent: RGB,
) -> None:
    """Draw the accent rule and the title below it, centred vertically between top and bottom."""
    rule_height, gap = grid.px(RULE_HEIGHT), grid.px(RULE_TO_TITLE_GAP)
    setting = _set_title(
        title,
        max_width=grid.content_width,
        max_height=bottom - top - rule_height - gap,
        max_lines=_max_title_lines(grid),
        min_size=grid.px(TITLE_MIN_SIZE),
        max_size=grid.px(TITLE_MAX_SIZE),
    )
    block_top = top + (bottom - top - (rule_height + gap + setting.height)) // 2
    draw.rectangle(
        (grid.left, block_top, grid.left + grid.px(RULE_WIDTH) - 1, block_top + rule_height - 1),
        fill=accent,
    )
    lines_top = block_top + rule_height + gap
    _draw_title_lines(draw, setting, left=grid.left, top=lines_top, color=title_color)


def _draw_title_lines(
    draw: ImageDraw.ImageDraw, setting: _TitleSetting, *, left: int, top: int, color: RGB
) -> None:
    baseline_offset = round(setting.font.size * TITLE_BASELINE)
    for index, line in enumerate(setting.lines):
        baseline = top + index * setting.line_height + baseline_offset
        draw.text((left, baseline), line, font=setting.font, fill=color, anchor="ls")


def _washed_background(grid: _Grid, top: RGB, bottom: RGB) -> Image.Image:
    """A vertical wash from `top` to `bottom`: every row is one colour."""
    size = (grid.width, grid.height)
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)


def _draw_scene_block(
    draw: ImageDraw.ImageDraw,
    grid: _Grid,
    *,
    label: str,
    caption: str,
    visual: str,
    top: int,
    bottom: int,
    colors: CardColors,
) -> None:
    """Draw the scene number, the caption and the visual idea, centred between top and bottom."""
    gap = grid.px(RULE_TO_TITLE_GAP)
    number_font = brand_font(BOLD_FONT_FILE, grid.px(SCENE_NUMBER_SIZE))
    caption_font = brand_font(REGULAR_FONT_FILE, grid.px(SUBTITLE_SIZE))
    number_height = round(-number_font.getbbox(label, anchor="ls")[1]) + gap if label else 0
    caption_height = sum(caption_font.getmetrics()) + gap if caption else 0
    setting = _set_title(
        visual,
        max_width=grid.content_width,
        max_height=bottom - top - number_height - caption_height,
        max_lines=_max_title_lines(grid),
        min_size=grid.px(SCENE_VISUAL_MIN_SIZE),
        max_size=grid.px(SCENE_VISUAL_MAX_SIZE),
        font_file=REGULAR_FONT_FILE,
    )
    free = bottom - top - number_height - caption_height - setting.height
    y = top + max(0, free // 2)
    foreground, background = hex_rgb(colors.foreground), hex_rgb(colors.background)
    if label:
        draw.text(
            (grid.left, y + number_height - gap),
            label,
            font=number_font,
            fill=hex_rgb(colors.accent),
            anchor="ls",
        )
        y += number_height
    if caption:
        draw.text(
            (grid.left, y),
            fit_line(caption, caption_font, grid.content_width),
            font=caption_font,
            fill=_mix(foreground, background, MUTED),
            anchor="la",
        )
        y += caption_height
    _draw_title_lines(draw, setting, left=grid.left, top=y, color=foreground)


def _set_title(
    title: str,
    *,
    max_width: int,
    max_height: int,
    max_lines: int,
    min_size: int,
    max_size: int,
    font_file: str = BOLD_FONT_FILE,
) -> _TitleSetting:
    """The largest size at which the title fits; at the smallest, the lines that fit, ellipsized."""
    best: _TitleSetting | None = None
    low, high = min_size, max_size
    while low <= high:  # smaller type never needs more lines, so the sizes that fit are a range
        size = (low + high) // 2
        setting = _title_setting(title, size, max_width, font_file)
        if len(setting.lines) <= max_lines and setting.height <= max_height:
            best, low = setting, size + 1
        else:
            high = size - 1
    if best is not None:
        return best
    smallest = _title_setting(title, min_size, max_width, font_file)
    return _ellipsized_title(smallest, max_width, max_height, max_lines)


def _ellipsized_title(
    setting: _TitleSetting, max_width: int, max_height: int, max_lines: int
) -> _TitleSetting:
    lines_that_fit = max(1, min(max_lines, max_height // setting.line_height))
    kept = setting.lines[: lines_that_fit - 1]
    overflow = " ".join(setting.lines[lines_that_fit - 1 :])
    kept.append(fit_line(overflow, setting.font, max_width))
    return _TitleSetting(setting.font, kept, setting.line_height)


def _title_setting(
    title: str, size: int, max_width: int, font_file: str = BOLD_FONT_FILE
) -> _TitleSetting:
    font = brand_font(font_file, size)
    return _TitleSetting(font, wrap_text(title, font, max_width), round(size * TITLE_LINE_HEIGHT))


def _max_title_lines(grid: _Grid) -> int:
    aspect = grid.height / grid.width
    if aspect < 0.8:
        return 4
    if aspect < 1.3:
        return 5
    return 8


def _load_logo(path: Path, size: int) -> Image.Image:
    """The logo scaled to fit a `size`-pixel square, keeping its proportions and transparency."""
    try:
        with Image.open(path) as opened:
            logo = opened.convert("RGBA")
    except (OSError, UnidentifiedImageError) as error:
        raise ConfigError(f"cannot read the card logo {path}: {error}") from error
    scale = size / max(logo.size)
    target = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
    return logo.resize(target, Image.Resampling.LANCZOS)


def font_path(file_name: str) -> Path:
    return assets_dir() / "fonts" / file_name


def brand_font(file_name: str, size: int) -> ImageFont.FreeTypeFont:
    return _load_font(str(font_path(file_name)), size)


@lru_cache(maxsize=256)
def _load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError as error:
        raise ConfigError(
            f"cannot load the card font {path}: {error}; "
            "set PRESSROOM_ASSETS_DIR to the folder holding fonts/"
        ) from error


def png_bytes(image: Image.Image) -> bytes:
    """PNG without metadata or timestamps, so the same pixels always give the same bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def hex_rgb(color: str) -> RGB:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _mix(first: RGB, second: RGB, share_of_first: float) -> RGB:
    red, green, blue = (
        round(one * share_of_first + other * (1 - share_of_first))
        for one, other in zip(first, second, strict=True)
    )
    return red, green, blue
