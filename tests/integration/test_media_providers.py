"""The OpenAI image and speech providers and the ElevenLabs voice, through the real `openai` and
`elevenlabs` SDKs, against loopback fakes of the vendors' endpoints (no network, no sleeping)."""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image, ImageChops

from pressroom.errors import ConfigError
from pressroom.media.scene_images import scene_images
from pressroom.media.script import Scene, VideoScript
from pressroom.models import CardImage, Generation
from pressroom.providers import (
    ImageProvider,
    ProviderContext,
    image_provider,
    resolve_name,
    voice_provider,
)
from pressroom.providers.elevenlabs_voice import ElevenLabsVoice
from pressroom.providers.openai_image import OpenAIImages
from pressroom.providers.openai_speech import OpenAISpeech
from pressroom.providers.resilience import ProviderError
from pressroom.retry import BACKOFF_BASE_SECONDS
from pressroom.settings import (
    BrandConfig,
    ElevenLabsSettings,
    OpenAISettings,
    ProviderSettings,
    load_settings,
)
from tests.fakes.media_servers import (
    ELEVENLABS_KEY,
    GENERATED_COLOR,
    OPENAI_KEY,
    OPENAI_SPEECH_RATE,
    ElevenLabsServer,
    FakeServer,
    OpenAIMediaServer,
    Reply,
    silent_mp3,
    wav_bytes,
)

pytestmark = pytest.mark.integration

TITLE = "Port Alder ferries will sail every 20 minutes from June"
SPOKEN = "From 2 June, ferries between Port Alder and Kelby Island leave every 20 minutes."
DISCLOSURES = {"en": "AI-generated content", "fr": "Contenu généré par IA"}

Sleep = Callable[[float], None]


@pytest.fixture(scope="module")
def brand() -> BrandConfig:
    return load_settings().brand


@pytest.fixture
def openai_server() -> Iterator[OpenAIMediaServer]:
    with OpenAIMediaServer() as server:
        yield server


@pytest.fixture
def elevenlabs_server() -> Iterator[ElevenLabsServer]:
    with ElevenLabsServer() as server:
        yield server


@pytest.fixture
def waits() -> list[float]:
    """The waits between attempts, recorded instead of slept."""
    return []


def openai_images(
    server: OpenAIMediaServer, key: str = OPENAI_KEY, **settings: Any
) -> OpenAIImages:
    return OpenAIImages(OpenAISettings(base_url=server.base_url, **settings), key)


def draw_card(
    images: ImageProvider,
    brand: BrandConfig,
    width: int = 1200,
    height: int = 627,
    lang: str = "en",
) -> CardImage:
    return images.card(
        title=TITLE,
        subtitle="Port Alder Gazette",
        brand=brand,
        width=width,
        height=height,
        language=lang,
        disclosure=DISCLOSURES[lang],
    )


# ---------------------------------------------------------------- OpenAI images


@pytest.mark.parametrize(
    ("width", "height", "generated_size"),
    [(1200, 627, "1536x1024"), (1080, 1080, "1024x1024"), (1080, 1920, "1024x1536")],
)
def test_a_card_is_the_illustration_cut_to_the_channel_size_with_a_corner_label(
    openai_server: OpenAIMediaServer,
    brand: BrandConfig,
    width: int,
    height: int,
    generated_size: str,
) -> None:
    card = draw_card(openai_images(openai_server), brand, width, height)

    picture = Image.open(io.BytesIO(card.png))
    assert picture.format == "PNG"
    assert picture.size == (card.width, card.height) == (width, height)
    illustration = Image.new("RGB", (width, height), GENERATED_COLOR)
    changed = ImageChops.difference(picture.convert("RGB"), illustration).getbbox()
    assert changed is not None, "no disclosure label was drawn"
    left, top, right, bottom = changed
    assert left > width / 2 and top > height / 2, "the label belongs small in the bottom right"
    sent = openai_server.requests[0].json()
    expected = (generated_size, 1, OpenAISettings().image_model)
    assert (sent["size"], sent["n"], sent["model"]) == expected
    assert "response_format" not in sent  # GPT image models answer in base64 and refuse it
    assert TITLE in sent["prompt"] and "no text" in sent["prompt"]


@pytest.mark.parametrize(
    ("lang", "description"),
    [
        ("en", f"Illustration for the article “{TITLE}”. AI-generated content."),
        ("fr", f"Illustration de l’article « {TITLE} ». Contenu généré par IA."),
    ],
)
def test_the_alt_text_describes_the_illustration_in_the_card_language(
    openai_server: OpenAIMediaServer, brand: BrandConfig, lang: str, description: str
) -> None:
    card = draw_card(openai_images(openai_server), brand, lang=lang)

    assert card.alt_text == description


def test_the_generation_record_says_how_the_card_was_made(
    openai_server: OpenAIMediaServer, brand: BrandConfig
) -> None:
    openai_server.revised_prompt = "A ferry crossing a calm bay at dawn"

    generation = draw_card(
        openai_images(openai_server, image_model="gpt-image-2"), brand
    ).generation

    assert (generation.provider, generation.model) == ("openai", "gpt-image-2")
    assert (generation.template_id, generation.template_version) == ("image/card-illustration", "1")
    assert (generation.units, generation.attempts) == (1, 1)
    assert (generation.input_tokens, generation.output_tokens) == (57, 1056)
    assert generation.seconds > 0
    assert generation.parameters["prompt"] == openai_server.requests[0].json()["prompt"]
    assert generation.parameters["revised_prompt"] == "A ferry crossing a calm bay at dawn"
    assert generation.parameters["size"] == "1536x1024"


def test_the_same_generated_image_gives_the_same_png(
    openai_server: OpenAIMediaServer, brand: BrandConfig
) -> None:
    images = openai_images(openai_server)

    assert draw_card(images, brand).png == draw_card(images, brand).png


def test_models_that_may_answer_with_a_link_are_asked_for_base64(
    openai_server: OpenAIMediaServer, brand: BrandConfig
) -> None:
    draw_card(openai_images(openai_server, image_model="dall-e-3"), brand)

    assert openai_server.requests[0].json()["response_format"] == "b64_json"


@pytest.mark.parametrize(
    "body",
    [
        b"<html>upstream error</html>",
        b'{"created": 1767225600}',
        b'{"created": 1767225600, "data": [{"b64_json": "not base64!"}]}',
        b'{"created": 1767225600, "data": [{"b64_json": "bm90IGFuIGltYWdl"}]}',
    ],
    ids=["not-json", "no-image", "bad-base64", "not-an-image"],
)
def test_a_malformed_answer_fails_clearly_without_paying_for_another_image(
    openai_server: OpenAIMediaServer, brand: BrandConfig, body: bytes
) -> None:
    openai_server.script = [Reply(200, body=body)]

    with pytest.raises(ProviderError, match="openai images: .*(not JSON|no base64|cannot be read)"):
        draw_card(openai_images(openai_server), brand)
    assert len(openai_server.requests) == 1


# ---------------------------------------------------------------- OpenAI scene images

VISUAL = "A ferry leaving Port Alder at dawn, gulls over the wake"
SCRIPT_TITLE = "Port Alder ferries every 20 minutes"


def draw_scene(
    images: ImageProvider,
    brand: BrandConfig,
    width: int = 1080,
    height: int = 1920,
    lang: str = "en",
) -> CardImage:
    return images.scene(
        visual=VISUAL,
        caption=SCRIPT_TITLE,
        brand=brand,
        width=width,
        height=height,
        language=lang,
        disclosure=DISCLOSURES[lang],
        number=2,
    )


@pytest.mark.parametrize(
    ("width", "height", "generated_size"),
    [(1080, 1920, "1024x1536"), (1080, 1080, "1024x1024"), (1920, 1080, "1536x1024")],
    ids=["9:16", "1:1", "16:9"],
)
def test_a_scene_image_is_generated_from_its_visual_and_fitted_to_the_video_size(
    openai_server: OpenAIMediaServer,
    brand: BrandConfig,
    width: int,
    height: int,
    generated_size: str,
) -> None:
    image = draw_scene(openai_images(openai_server), brand, width, height)

    picture = Image.open(io.BytesIO(image.png))
    assert picture.format == "PNG"
    assert picture.size == (image.width, image.height) == (width, height)
    illustration = Image.new("RGB", (width, height), GENERATED_COLOR)
    changed = ImageChops.difference(picture.convert("RGB"), illustration).getbbox()
    assert changed is not None, "no disclosure label was drawn"
    assert changed[0] > width / 2 and changed[1] > height / 2
    sent = openai_server.requests[0].json()
    assert (sent["size"], sent["n"]) == (generated_size, 1)
    assert VISUAL in sent["prompt"] and f"“{SCRIPT_TITLE}”" in sent["prompt"]
    assert "no text" in sent["prompt"]
    generation = image.generation
    template = (generation.template_id, generation.template_version)
    assert template == ("image/scene-illustration", "1")
    assert generation.parameters["prompt"] == sent["prompt"]
    assert (generation.parameters["width"], generation.parameters["height"]) == (width, height)


@pytest.mark.parametrize(
    ("lang", "description"),
    [
        ("en", f"Illustration for scene 2: {VISUAL}. AI-generated content."),
        ("fr", f"Illustration pour la scène 2 : {VISUAL}. Contenu généré par IA."),
    ],
)
def test_the_alt_text_describes_the_scene_in_the_script_language(
    openai_server: OpenAIMediaServer, brand: BrandConfig, lang: str, description: str
) -> None:
    assert draw_scene(openai_images(openai_server), brand, lang=lang).alt_text == description


def test_each_scene_of_a_script_is_generated_from_its_own_visual(
    openai_server: OpenAIMediaServer, brand: BrandConfig
) -> None:
    visuals = ["A ferry at dawn", "A timetable board", "Passengers boarding"]
    script = VideoScript(
        language="en",
        title=SCRIPT_TITLE,
        scenes=[Scene(narration="Words.", visual=visual, duration_hint=None) for visual in visuals],
    )

    images = scene_images(openai_images(openai_server), script, brand, 540, 960, "AI-generated")

    assert [image.width for image in images] == [540] * 3
    prompts = [request.json()["prompt"] for request in openai_server.requests]
    assert [visual in prompt for visual, prompt in zip(visuals, prompts, strict=True)] == [True] * 3


def test_a_failing_scene_is_named_and_no_later_scene_is_paid_for(
    openai_server: OpenAIMediaServer, brand: BrandConfig
) -> None:
    openai_server.script = [Reply(), Reply(400)]
    script = VideoScript(
        language="en",
        scenes=[Scene(narration="Words.", visual=f"Scene {n}", duration_hint=None) for n in "123"],
    )

    with pytest.raises(ProviderError) as caught:
        scene_images(openai_images(openai_server), script, brand, 540, 960, "AI-generated")

    assert str(caught.value) == (
        "scene 2: image provider failed: openai images: "
        "OpenAI refused the request (400): scripted 400"
    )
    assert len(openai_server.requests) == 2


# ---------------------------------------------------------------- OpenAI speech


def test_openai_speech_returns_the_wav_and_its_sample_rate(
    openai_server: OpenAIMediaServer,
) -> None:
    voice = OpenAISpeech(OpenAISettings(base_url=openai_server.base_url), OPENAI_KEY)

    speech = voice.speak(SPOKEN, language="en", voice="coral")

    assert speech.audio == wav_bytes(OPENAI_SPEECH_RATE)
    assert (speech.sample_rate, speech.media_type) == (OPENAI_SPEECH_RATE, "audio/wav")
    sent = openai_server.requests[0]
    assert sent.path == "/v1/audio/speech"
    assert sent.json() == {
        "model": "gpt-4o-mini-tts",
        "voice": "coral",
        "input": SPOKEN,
        "response_format": "wav",
    }
    assert (speech.generation.provider, speech.generation.units) == ("openai", len(SPOKEN))


def test_openai_speech_answering_something_else_than_wav_fails_clearly(
    openai_server: OpenAIMediaServer,
) -> None:
    openai_server.script = [Reply(200, headers={"Content-Type": "audio/mpeg"}, body=b"ID3")]
    voice = OpenAISpeech(OpenAISettings(base_url=openai_server.base_url), OPENAI_KEY)

    with pytest.raises(ProviderError, match="openai speech: the returned audio is not WAV"):
        voice.speak(SPOKEN, language="en")


def test_openai_speech_uses_the_configured_voice_by_default(
    openai_server: OpenAIMediaServer,
) -> None:
    settings = OpenAISettings(base_url=openai_server.base_url, speech_voice="nova")

    OpenAISpeech(settings, OPENAI_KEY).speak(SPOKEN, language="en")

    assert openai_server.requests[0].json()["voice"] == "nova"


def test_openai_speech_refuses_text_past_the_endpoint_limit_before_calling(
    openai_server: OpenAIMediaServer,
) -> None:
    voice = OpenAISpeech(OpenAISettings(base_url=openai_server.base_url), OPENAI_KEY)

    with pytest.raises(ProviderError, match="4097 characters; OpenAI speaks at most 4096"):
        voice.speak("a" * 4097, language="en")
    assert openai_server.requests == []


# ---------------------------------------------------------------- ElevenLabs


def test_elevenlabs_streams_the_audio_for_the_configured_voice_with_the_key(
    elevenlabs_server: ElevenLabsServer,
) -> None:
    voice = ElevenLabsVoice(ElevenLabsSettings(base_url=elevenlabs_server.url), ELEVENLABS_KEY)

    speech = voice.speak(SPOKEN, language="en")

    sent = elevenlabs_server.requests[0]
    assert sent.headers["xi-api-key"] == ELEVENLABS_KEY
    assert sent.path == "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb"
    assert sent.query == {"output_format": "mp3_44100_128"}
    assert sent.json() == {"text": SPOKEN, "model_id": "eleven_multilingual_v2"}
    assert speech.audio == silent_mp3(44_100, 128)
    assert (speech.sample_rate, speech.media_type) == (44_100, "audio/mpeg")
    generation = speech.generation
    assert (generation.provider, generation.model) == ("elevenlabs", "eleven_multilingual_v2")
    assert (generation.units, generation.attempts) == (len(SPOKEN), 1)


def test_elevenlabs_sample_rate_follows_the_output_format(
    elevenlabs_server: ElevenLabsServer,
) -> None:
    settings = ElevenLabsSettings(base_url=elevenlabs_server.url, output_format="wav_22050")

    speech = ElevenLabsVoice(settings, ELEVENLABS_KEY).speak(SPOKEN, language="fr", voice="v-fr")

    assert elevenlabs_server.requests[0].path == "/v1/text-to-speech/v-fr"
    assert (speech.sample_rate, speech.media_type) == (22_050, "audio/wav")
    with wave.open(io.BytesIO(speech.audio)) as wav:
        assert wav.getframerate() == speech.sample_rate


def test_elevenlabs_answering_no_audio_fails_clearly(elevenlabs_server: ElevenLabsServer) -> None:
    elevenlabs_server.script = [Reply(200, headers={"Content-Type": "audio/mpeg"}, body=b"")]
    voice = ElevenLabsVoice(ElevenLabsSettings(base_url=elevenlabs_server.url), ELEVENLABS_KEY)

    with pytest.raises(ProviderError, match="elevenlabs: the answer holds no audio"):
        voice.speak(SPOKEN, language="en")


def test_an_unknown_elevenlabs_output_format_is_a_config_error() -> None:
    settings = ElevenLabsSettings(output_format="flac44k")

    with pytest.raises(ConfigError, match="providers.elevenlabs.output_format: 'flac44k'"):
        ElevenLabsVoice(settings, ELEVENLABS_KEY)


# ---------------------------------------------------------------- the registry


def test_the_registry_builds_each_provider_from_its_settings_and_key(
    openai_server: OpenAIMediaServer, elevenlabs_server: ElevenLabsServer, brand: BrandConfig
) -> None:
    context = ProviderContext(
        settings=ProviderSettings(
            openai=OpenAISettings(base_url=openai_server.base_url),
            elevenlabs=ElevenLabsSettings(base_url=elevenlabs_server.url),
        ),
        api_keys={"openai": OPENAI_KEY, "elevenlabs": ELEVENLABS_KEY},
    )

    draw_card(image_provider("openai", context), brand)
    voice_provider("openai", context).speak(SPOKEN, language="en")
    voice_provider("elevenlabs", context).speak(SPOKEN, language="en")

    assert [r.path for r in openai_server.requests] == [
        "/v1/images/generations",
        "/v1/audio/speech",
    ]
    assert len(elevenlabs_server.requests) == 1


@pytest.mark.parametrize(
    ("keys", "voice"),
    [({"openai": "k", "elevenlabs": "k"}, "elevenlabs"), ({"openai": "k"}, "openai")],
)
def test_auto_prefers_elevenlabs_for_voice_when_its_key_is_set(
    keys: dict[str, str], voice: str
) -> None:
    context = ProviderContext(ProviderSettings(image="auto", voice="auto"), keys)

    assert (resolve_name("image", context), resolve_name("voice", context)) == ("openai", voice)


# ---------------------------------------------------------------- failures, for every vendor


@dataclass(frozen=True)
class Vendor:
    """How to call one provider against its fake; `use` returns the generation record."""

    server: type[FakeServer]
    key: str  # the one the fake accepts
    key_variable: str
    use: Callable[..., Generation]  # (server, key, sleep, **settings)


def use_openai_images(server: Any, key: str, sleep: Sleep, **settings: Any) -> Generation:
    images = OpenAIImages(OpenAISettings(base_url=server.base_url, **settings), key, sleep=sleep)
    return draw_card(images, load_settings().brand).generation


def use_openai_speech(server: Any, key: str, sleep: Sleep, **settings: Any) -> Generation:
    voice = OpenAISpeech(OpenAISettings(base_url=server.base_url, **settings), key, sleep=sleep)
    return voice.speak(SPOKEN, language="en").generation


def use_elevenlabs(server: Any, key: str, sleep: Sleep, **settings: Any) -> Generation:
    voice = ElevenLabsVoice(ElevenLabsSettings(base_url=server.url, **settings), key, sleep=sleep)
    return voice.speak(SPOKEN, language="en").generation


OPENAI_IMAGES = Vendor(OpenAIMediaServer, OPENAI_KEY, "OPENAI_API_KEY", use_openai_images)
OPENAI_SPEECH = Vendor(OpenAIMediaServer, OPENAI_KEY, "OPENAI_API_KEY", use_openai_speech)
ELEVENLABS = Vendor(ElevenLabsServer, ELEVENLABS_KEY, "ELEVENLABS_API_KEY", use_elevenlabs)


@pytest.fixture(
    params=[OPENAI_IMAGES, OPENAI_SPEECH, ELEVENLABS],
    ids=["openai-images", "openai-speech", "elevenlabs"],
)
def vendor(request: pytest.FixtureRequest) -> Vendor:
    return request.param


@pytest.fixture
def server(vendor: Vendor) -> Iterator[FakeServer]:
    with vendor.server() as fake:
        yield fake


def test_a_rate_limit_is_waited_out_as_retry_after_says(
    vendor: Vendor, server: FakeServer, waits: list[float]
) -> None:
    server.script = [Reply(429, headers={"Retry-After": "7"})]

    generation = vendor.use(server, vendor.key, waits.append)

    # attempts == 2 also shows the SDK did not retry on its own
    assert (generation.attempts, len(server.requests), waits) == (2, 2, [7.0])


def test_a_server_error_is_retried_after_a_backoff(
    vendor: Vendor, server: FakeServer, waits: list[float]
) -> None:
    server.script = [Reply(500)]

    generation = vendor.use(server, vendor.key, waits.append)

    assert (generation.attempts, len(server.requests)) == (2, 2)
    assert len(waits) == 1 and BACKOFF_BASE_SECONDS / 2 <= waits[0] <= BACKOFF_BASE_SECONDS


def test_a_rejected_key_fails_at_once_naming_the_variable_to_check(
    vendor: Vendor, server: FakeServer, waits: list[float]
) -> None:
    with pytest.raises(
        ProviderError, match=rf"rejected the key \(401\): check {vendor.key_variable}"
    ):
        vendor.use(server, "wrong-key", waits.append)
    assert (len(server.requests), waits) == (1, [])


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_a_refused_request_fails_at_once_with_the_vendor_message(
    vendor: Vendor, server: FakeServer, waits: list[float], status: int
) -> None:
    server.script = [Reply(status)]

    with pytest.raises(
        ProviderError, match=rf"refused the request \({status}\): .*scripted {status}"
    ):
        vendor.use(server, vendor.key, waits.append)
    assert (len(server.requests), waits) == (1, [])


@pytest.mark.parametrize("vendor", [OPENAI_IMAGES, OPENAI_SPEECH], ids=["images", "speech"])
def test_an_exhausted_openai_quota_fails_at_once(
    vendor: Vendor, server: FakeServer, waits: list[float]
) -> None:
    error = {"message": "You exceeded your current quota.", "code": "insufficient_quota"}
    server.script = [Reply(429, body=json.dumps({"error": error}).encode())]

    with pytest.raises(ProviderError, match=r"OpenAI quota exhausted \(429\): check the account"):
        vendor.use(server, vendor.key, waits.append)
    assert (len(server.requests), waits) == (1, [])


def test_a_timeout_is_retried_then_fails_clearly(
    vendor: Vendor, server: FakeServer, waits: list[float]
) -> None:
    server.script = [Reply(delay=5), Reply(delay=5)]

    with pytest.raises(ProviderError, match=r"did not answer within 0.2 s.*\(after 2 attempts\)"):
        vendor.use(server, vendor.key, waits.append, timeout_seconds=0.2, max_attempts=2)
    assert (len(server.requests), len(waits)) == (2, 1)


def test_a_missing_key_is_a_config_error_naming_the_variable(
    vendor: Vendor, server: FakeServer, waits: list[float]
) -> None:
    with pytest.raises(ConfigError, match=f"no key was found: set {vendor.key_variable}"):
        vendor.use(server, "", waits.append)
    assert server.requests == []
