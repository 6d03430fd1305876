"""OpenAI illustrations for cards and video scenes, and what the OpenAI media providers share.

A card is an illustration generated from the article's title in the brand's style, a scene's
image one generated from the scene's visual idea (the prompts forbid any text in the picture);
either is cover-cropped to the channel's exact size, with the brand's
short AI disclosure drawn small in the bottom-right corner: AI-generated images must carry a
visible label (EU AI Act, Art. 50). The SDK is imported when a provider is built, so importing
`pressroom.providers` stays fast.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Self

from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError

from pressroom.errors import ConfigError
from pressroom.media.cards import (
    DISCLOSURE_SIZE,
    MARGIN,
    PILL_PADDING_X,
    PILL_PADDING_Y,
    PORTRAIT_SAFE_ZONE,
    REGULAR_FONT_FILE,
    base_language,
    brand_font,
    fit_line,
    hex_rgb,
    png_bytes,
    scene_name,
    typeset,
    with_disclosure,
)
from pressroom.models import CardImage, Generation
from pressroom.providers.resilience import Failure, ProviderError, call_with_retries
from pressroom.retry import retry_after_seconds
from pressroom.settings import BrandConfig, OpenAISettings

if TYPE_CHECKING:
    from openai import APIStatusError, OpenAI
    from openai.types import ImagesResponse

    from pressroom.providers import ProviderContext

TEMPLATE_ID = "image/card-illustration"
TEMPLATE_VERSION = "1"
SCENE_TEMPLATE_ID = "image/scene-illustration"
SCENE_TEMPLATE_VERSION = "1"

KEY_HINT = "OPENAI_API_KEY (or the Secret block named in providers.openai.api_key_block)"

#: Sizes every GPT image model accepts; the card is cut from the one closest in shape.
GENERATED_SIZES = ((1024, 1024), (1536, 1024), (1024, 1536))
#: GPT image models always answer in base64 and refuse `response_format`; others are asked.
BASE64_BY_DEFAULT_MODELS = ("gpt-image", "chatgpt-image")

STYLE_BY_TONE = {
    "friendly": "warm, approachable flat illustration with soft shapes",
    "formal": "sober, refined editorial illustration with clean geometric shapes",
}

_ALT_TEXT_TEMPLATES = {
    "en": "Illustration for the article “{title}”.",
    "fr": "Illustration de l’article « {title} ».",
    "de": "Illustration zum Artikel „{title}“.",
}
_SCENE_ALT_TEXT_TEMPLATES = {
    "en": "Illustration for {scene}: {visual}.",
    "fr": "Illustration pour {scene} : {visual}.",
    "de": "Illustration für {scene}: {visual}.",
}
NO_TEXT = (
    "The image must contain no text at all: no letters, words, numbers, captions, "
    "signs, logos or watermarks."
)

LABEL_INSET = MARGIN / 2  # of the card's short side, from the right and bottom edges
LABEL_MIN_FONT_PX = 12
LABEL_OPACITY = 0.85  # of the brand background behind the label text

RETRYABLE_STATUSES = (408, 409, 429)
STATUS_HINTS = {
    403: "the key's project may not have access to this model",
    404: "check the model name in providers.openai and providers.openai.base_url",
}


class OpenAIMediaProvider:
    """What the OpenAI image and speech providers share: settings, a client, an injectable sleep."""

    name = "openai"

    def __init__(
        self,
        settings: OpenAISettings,
        api_key: str | None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._client = openai_client(settings, api_key)
        self._sleep = sleep

    @classmethod
    def from_context(cls, context: ProviderContext) -> Self:
        return cls(context.settings.openai, context.api_keys.get("openai"))


class OpenAIImages(OpenAIMediaProvider):
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
        if not title.strip():
            raise ValueError("an illustration needs a title to illustrate")
        return self._illustrate(
            illustration_prompt(title=title, subtitle=subtitle, brand=brand),
            template=(TEMPLATE_ID, TEMPLATE_VERSION),
            alt_text=illustration_alt_text(title=title, disclosure=disclosure, language=language),
            brand=brand,
            size=(width, height),
            language=language,
            disclosure=disclosure,
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
        if not visual.strip():
            raise ValueError("a scene illustration needs the scene's visual idea")
        return self._illustrate(
            scene_prompt(visual=visual, caption=caption, brand=brand),
            template=(SCENE_TEMPLATE_ID, SCENE_TEMPLATE_VERSION),
            alt_text=scene_illustration_alt_text(
                visual=visual, number=number, disclosure=disclosure, language=language
            ),
            brand=brand,
            size=(width, height),
            language=language,
            disclosure=disclosure,
        )

    def _illustrate(
        self,
        prompt: str,
        *,
        template: tuple[str, str],
        alt_text: str,
        brand: BrandConfig,
        size: tuple[int, int],
        language: str,
        disclosure: str,
    ) -> CardImage:
        """Generate from `prompt`, cut to `size` and label it as AI-generated."""
        if not disclosure.strip():
            raise ValueError("an AI illustration needs its disclosure label")
        width, height = size
        generated_size = nearest_generated_size(width, height)
        started = time.perf_counter()
        response, attempts = call_with_retries(
            lambda: self._generate(prompt, generated_size),
            provider="openai images",
            max_attempts=self._settings.max_attempts,
            classify=lambda error: openai_failure(error, self._settings.timeout_seconds),
            sleep=self._sleep,
        )
        picture = fit_to_card(decode_image(response), width, height, brand.colors.background)
        lang = base_language(language)
        draw_disclosure_label(picture, typeset(disclosure, lang), brand)
        return CardImage(
            png=png_bytes(picture),
            width=width,
            height=height,
            alt_text=alt_text,
            generation=self._generation(
                response,
                template=template,
                prompt=prompt,
                size=generated_size,
                card_size=size,
                language=lang,
                attempts=attempts,
                seconds=time.perf_counter() - started,
            ),
        )

    def _generate(self, prompt: str, size: str) -> ImagesResponse:
        model = self._settings.image_model
        if model.startswith(BASE64_BY_DEFAULT_MODELS):
            return self._client.images.generate(model=model, prompt=prompt, size=size, n=1)
        return self._client.images.generate(
            model=model, prompt=prompt, size=size, n=1, response_format="b64_json"
        )

    def _generation(
        self,
        response: ImagesResponse,
        *,
        template: tuple[str, str],
        prompt: str,
        size: str,
        card_size: tuple[int, int],
        language: str,
        attempts: int,
        seconds: float,
    ) -> Generation:
        revised_prompt = getattr(_first_image(response), "revised_prompt", None)
        return Generation(
            provider="openai",
            model=self._settings.image_model,
            template_id=template[0],
            template_version=template[1],
            parameters={
                "prompt": prompt,
                "size": size,
                "width": card_size[0],
                "height": card_size[1],
                "language": language,
                **({"revised_prompt": revised_prompt} if isinstance(revised_prompt, str) else {}),
            },
            seconds=round(seconds, 6),
            input_tokens=_usage(response, "input_tokens"),
            output_tokens=_usage(response, "output_tokens"),
            units=1,
            attempts=attempts,
        )


def illustration_prompt(*, title: str, subtitle: str | None, brand: BrandConfig) -> str:
    """What to draw: the article's subject in the brand's style, and never any text."""
    context = f" — {' '.join(subtitle.split())}" if subtitle and subtitle.strip() else ""
    return (
        f"An editorial illustration for a social media post about the article "
        f"“{' '.join(title.split())}”{context}. {_brand_style(brand)} {NO_TEXT}"
    )


def scene_prompt(*, visual: str, caption: str | None, brand: BrandConfig) -> str:
    """What to draw for one video scene: its visual idea in the brand's style, and no text."""
    topic = f" about “{' '.join(caption.split())}”" if caption and caption.strip() else ""
    return (
        f"A still image for one scene of a short video{topic}, showing: "
        f"{' '.join(visual.split())}. {_brand_style(brand)} {NO_TEXT}"
    )


def _brand_style(brand: BrandConfig) -> str:
    colors = brand.colors
    return (
        f"Style: {STYLE_BY_TONE[brand.tone]}; a palette built on {colors.background} "
        f"with {colors.accent} accents and {colors.foreground} highlights."
    )


def nearest_generated_size(width: int, height: int) -> str:
    """The generated size closest in shape to the card, so cropping loses the least."""
    aspect = math.log(width / height)
    best = min(GENERATED_SIZES, key=lambda size: abs(math.log(size[0] / size[1]) - aspect))
    return f"{best[0]}x{best[1]}"


def decode_image(response: ImagesResponse) -> Image.Image:
    """The first generated image, decoded; a clear error when the answer holds none.

    The SDK does not validate answers, so a malformed one arrives as whatever it parsed to.
    """
    encoded = getattr(_first_image(response), "b64_json", None)
    if not isinstance(encoded, str) or not encoded:
        raise ProviderError("openai images: the answer holds no base64 image (data[0].b64_json)")
    try:
        with Image.open(io.BytesIO(base64.b64decode(encoded, validate=True))) as opened:
            opened.load()
            return opened.copy()
    except (binascii.Error, UnidentifiedImageError, OSError) as error:
        raise ProviderError(f"openai images: the returned image cannot be read: {error}") from error


def _first_image(response: ImagesResponse) -> object:
    data = getattr(response, "data", None)
    return data[0] if isinstance(data, list) and data else None


def _usage(response: ImagesResponse, tokens: str) -> int:
    count = getattr(getattr(response, "usage", None), tokens, 0)
    return count if isinstance(count, int) else 0


def fit_to_card(picture: Image.Image, width: int, height: int, background: str) -> Image.Image:
    """`picture` on the brand background (for transparent images), cropped to fill the card."""
    backdrop = Image.new("RGBA", picture.size, (*hex_rgb(background), 255))
    flat = Image.alpha_composite(backdrop, picture.convert("RGBA")).convert("RGB")
    return ImageOps.fit(flat, (width, height), Image.Resampling.LANCZOS)


def draw_disclosure_label(picture: Image.Image, label: str, brand: BrandConfig) -> None:
    """Write `label` small in the bottom-right corner, on a pill of the brand's background.

    Tall cards keep the label clear of the app overlays at the bottom of vertical feeds.
    """
    width, height = picture.size
    unit = min(width, height)

    def px(proportion: float) -> int:
        return max(1, round(unit * proportion))

    font = brand_font(REGULAR_FONT_FILE, max(LABEL_MIN_FONT_PX, px(DISCLOSURE_SIZE)))
    padding_x, padding_y = px(PILL_PADDING_X), px(PILL_PADDING_Y)
    text = fit_line(label, font, width // 2 - 2 * padding_x)
    ascent, descent = font.getmetrics()
    right = width - px(LABEL_INSET)
    bottom = height - px(LABEL_INSET) - round(max(0, height - width) * PORTRAIT_SAFE_ZONE)
    left = right - round(font.getlength(text)) - 2 * padding_x
    top = bottom - ascent - descent - 2 * padding_y
    draw = ImageDraw.Draw(picture, "RGBA")
    draw.rounded_rectangle(
        (left, top, right - 1, bottom - 1),
        radius=(bottom - top) // 2,
        fill=(*hex_rgb(brand.colors.background), round(255 * LABEL_OPACITY)),
    )
    draw.text(
        ((left + right) // 2, (top + bottom) // 2),
        text,
        font=font,
        fill=hex_rgb(brand.colors.foreground),
        anchor="mm",
    )


def illustration_alt_text(*, title: str, disclosure: str, language: str) -> str:
    """What a screen reader says about the illustration, in its language (English when unknown)."""
    template = _ALT_TEXT_TEMPLATES.get(base_language(language), _ALT_TEXT_TEMPLATES["en"])
    return with_disclosure(template.format(title=" ".join(title.split())), disclosure)


def scene_illustration_alt_text(
    *, visual: str, number: int | None, disclosure: str, language: str
) -> str:
    """What a screen reader says about a scene's illustration: the visual idea it was drawn from."""
    lang = base_language(language)
    template = _SCENE_ALT_TEXT_TEMPLATES.get(lang, _SCENE_ALT_TEXT_TEMPLATES["en"])
    description = template.format(scene=scene_name(number, lang), visual=" ".join(visual.split()))
    return with_disclosure(description, disclosure)


# ---------------------------------------------------------------- shared by the OpenAI media


def openai_client(settings: OpenAISettings, api_key: str | None) -> OpenAI:
    """An SDK client without its own retries: `call_with_retries` does them."""
    if not api_key:
        raise ConfigError(f"OpenAI is configured but no key was found: set {KEY_HINT}")
    from openai import OpenAI

    return OpenAI(
        api_key=api_key,
        base_url=settings.base_url,
        timeout=settings.timeout_seconds,
        max_retries=0,
    )


def openai_failure(error: Exception, timeout_seconds: float) -> Failure | None:
    """What an OpenAI SDK error means for a retry; None for errors that are not the SDK's."""
    import openai

    if isinstance(error, openai.APITimeoutError):
        return Failure(
            True,
            f"OpenAI did not answer within {timeout_seconds:g} s "
            "(providers.openai.timeout_seconds)",
        )
    if isinstance(error, openai.APIConnectionError):
        return Failure(True, f"cannot reach OpenAI: {error}")
    if isinstance(error, openai.RateLimitError) and error.code == "insufficient_quota":
        return Failure(False, "OpenAI quota exhausted (429): check the account's billing")
    if isinstance(error, openai.APIStatusError):
        return status_failure(
            "OpenAI",
            error.status_code,
            detail=_openai_detail(error),
            retry_after=error.response.headers.get("retry-after"),
            key_hint=KEY_HINT,
            hints=STATUS_HINTS,
        )
    if isinstance(error, json.JSONDecodeError):
        return Failure(False, f"OpenAI answered with a body that is not JSON: {error}")
    return None


def _openai_detail(error: APIStatusError) -> str:
    """The message of an error body such as ``{"error": {"message": ...}}``."""
    message = error.body.get("message") if isinstance(error.body, Mapping) else None
    return message if isinstance(message, str) and message else error.message


def status_failure(
    vendor: str,
    status: int,
    *,
    detail: str,
    retry_after: str | None,
    key_hint: str,
    hints: dict[int, str],
) -> Failure:
    """An HTTP error status as a `Failure`: 429, 5xx and friends pass, the rest will not."""
    if status == 401:
        return Failure(False, f"{vendor} rejected the key (401): check {key_hint}")
    if status in RETRYABLE_STATUSES or status >= 500:
        wait = retry_after_seconds(retry_after)
        return Failure(True, f"{vendor} answered {status}: {detail}", wait)
    hint = f"; {hints[status]}" if status in hints else ""
    return Failure(False, f"{vendor} refused the request ({status}): {detail}{hint}")
