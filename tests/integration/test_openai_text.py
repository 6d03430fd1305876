"""The OpenAI text provider with the real `openai` client against a fake server on loopback."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator

import pytest

from pressroom.channels import post_length
from pressroom.errors import ConfigError
from pressroom.models import AudienceProfile, ChannelPost, EditorialPlan, Revision, Source
from pressroom.prompts import load_template
from pressroom.providers import ProviderContext, resolve_name, text_provider
from pressroom.providers.openai_text import Coherence, OpenAIWriter, PostOut, PostsOut
from pressroom.providers.resilience import ProviderError
from pressroom.settings import (
    ChannelConfig,
    OpenAISettings,
    ProviderSettings,
    Settings,
    load_settings,
)
from pressroom.text import HASHTAG, URL
from tests.fakes.openai_server import CHARS_PER_TOKEN, FakeOpenAI, Reply
from tests.unit.conftest import EN_TEXT, EN_TITLE, FR_TEXT, FR_TITLE, make_source

pytestmark = pytest.mark.integration

KEY = "sk-test"
EMAIL, PHONE = "anna.martin@example.org", "+33 6 12 34 56 78"
ARTICLE_URL = "https://www.portalder-gazette.co.uk/news/2025/ferries"
SOURCES = {
    "en": make_source(EN_TEXT, title=EN_TITLE, language="en", url=ARTICLE_URL),
    "fr": make_source(FR_TEXT, title=FR_TITLE, language="fr"),
}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY) as server:
        yield server


@pytest.fixture
def waits() -> list[float]:
    return []


def social_channels(settings: Settings) -> dict[str, ChannelConfig]:
    """The channels posts are written for by default (YouTube takes videos)."""
    return {name: settings.channel(name) for name in settings.pipeline.default_channels}


def writer_for(
    fake: FakeOpenAI,
    waits: list[float],
    *,
    key: str = KEY,
    timeout: float = 5,
    max_attempts: int = 3,
) -> OpenAIWriter:
    settings = OpenAISettings(
        base_url=fake.base_url + "/v1", timeout_seconds=timeout, max_attempts=max_attempts
    )
    return OpenAIWriter(settings, key, sleep=waits.append)


@pytest.fixture
def writer(fake: FakeOpenAI, waits: list[float]) -> OpenAIWriter:
    return writer_for(fake, waits)


def all_steps(
    writer: OpenAIWriter, source: Source, settings: Settings, revision: Revision | None = None
) -> tuple[AudienceProfile, EditorialPlan, list[ChannelPost]]:
    audience = writer.analyse_audience(source)
    plan = writer.plan_posts(source, audience, settings.brand, social_channels(settings))
    posts = writer.write_posts(
        source, plan, settings.brand, social_channels(settings), revision or Revision()
    )
    return audience, plan, posts


def posts_answer(settings: Settings, body: str, hashtags: list[str]) -> str:
    """A posts answer, the same for every channel, as a model could send it."""
    check = Coherence(within_limits=True, tone_respected=True, supported_by_source=True, notes="")
    posts = [
        PostOut(
            channel=name,
            hook="Ferries!",
            body=body,
            hashtags=hashtags,
            source_quotes=[],
            coherence=check,
        )
        for name in social_channels(settings)
    ]
    return PostsOut(posts=posts).model_dump_json()


# ---------------------------------------------------------------- valid answers


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_step_parses_into_our_models(
    language: str, writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    source = SOURCES[language]

    audience, plan, posts = all_steps(writer, source, settings)

    assert audience.language == language and audience.interests
    assert [s.channel for s in plan.channels] == list(social_channels(settings))
    assert plan.key_messages and plan.angle
    assert [post.channel for post in posts] == list(social_channels(settings))
    for generation in [audience.generation, plan.generation, *(p.generation for p in posts)]:
        assert generation is not None
        assert generation.provider == "openai"
        assert generation.model == "gpt-4o-mini-2024-07-18"  # as the server named it
        assert generation.input_tokens > 0 and generation.output_tokens > 0
        assert generation.attempts == 1 and generation.cost_usd == 0
        assert generation.parameters["quotes_not_in_source"] is None
    assert len(fake.requests) == 3  # all channels' posts in one call


def test_posts_share_the_call_tokens_so_that_they_add_up(
    writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    *_, posts = all_steps(writer, SOURCES["en"], settings)

    sent = fake.requests[-1].messages
    prompt_tokens = sum(len(m["content"]) for m in sent) // CHARS_PER_TOKEN + 1
    assert sum(post.generation.input_tokens for post in posts) == prompt_tokens
    assert len({post.generation.input_tokens for post in posts}) <= 2  # shares differ by 1 at most


def test_posts_keep_every_channel_limit_disclosure_and_link_policy(
    writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    source = SOURCES["en"]
    audience = writer.analyse_audience(source)
    plan = writer.plan_posts(source, audience, settings.brand, social_channels(settings))
    sentence = "Ferries between Port Alder and Kelby Island will leave every 20 minutes. "
    body = sentence * 200 + "Book at https://tickets.example.com/now today."
    fake.script(Reply(content=posts_answer(settings, body, [f"#Tag{i}" for i in range(20)])))

    posts = writer.write_posts(source, plan, settings.brand, social_channels(settings), Revision())

    for post in posts:
        cfg = social_channels(settings)[post.channel]
        disclosure = getattr(settings.brand.disclosure_for("en"), cfg.disclosure)
        assert post_length(post.text, cfg) <= cfg.max_chars, post.channel
        assert len(HASHTAG.findall(post.text)) <= cfg.max_hashtags, post.channel
        assert post.text.endswith(disclosure) and post.disclosure == disclosure
        assert "tickets.example.com" not in post.text  # links are ours, never the model's
        urls = URL.findall(post.text)
        if cfg.link_policy == "inline":
            assert urls == [source.url] and post.link == source.url
        else:
            assert urls == [] and post.link is None
        if cfg.link_policy == "bio":
            assert settings.brand.localized(settings.brand.link_in_bio, "en") in post.text
        assert sentence.strip() in post.text  # cut at the limit, not emptied


def test_the_request_carries_the_four_parts_and_every_rounds_comments(
    writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    revision = Revision(round=2, comments=["plus court", "x: sans emoji\nlinkedin: plus formel"])

    all_steps(writer, SOURCES["fr"], settings, revision)

    request = fake.requests[-1].json
    system, user = (m["content"] for m in request["messages"])
    template = load_template("social_posts", "fr")
    assert system.startswith(template.role.splitlines()[0])
    for part in (template.request, template.verify, template.coherence):
        assert part.splitlines()[0] in user
    assert "Tour 1 : plus court" in user
    assert "Tour 2 : x: sans emoji / linkedin: plus formel" in user
    assert "- [x] X :" in user and "révolutionnaire" in system  # limits and banned terms
    schema = request["response_format"]["json_schema"]
    assert schema["name"] == "PostsOut" and schema["strict"] is True
    assert request["model"] == "gpt-4o-mini"
    assert fake.requests[-1].header("Authorization") == f"Bearer {KEY}"


def test_personal_data_never_reaches_the_server(
    writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    text = f"Readers can write to {EMAIL} or call {PHONE} to join the ferry panel.\n\n{EN_TEXT}"
    source = make_source(text, title=EN_TITLE, language="en")
    revision = Revision(round=1, comments=[f"Mention that {EMAIL} answers questions."])

    audience, plan, posts = all_steps(writer, source, settings, revision)

    for recorded in fake.requests:
        sent = recorded.text()
        assert EMAIL not in sent and PHONE not in sent and "612345678" not in sent
        assert b"anna.martin" not in recorded.raw
    assert audience.generation is not None and plan.generation is not None
    assert audience.generation.redacted == {"email": 1, "phone": 1}
    # every occurrence sent: source 1, key message 1, channel goals 5, comment 1 (e-mail only)
    assert posts[0].generation.redacted == {"email": 8, "phone": 7}
    assert EMAIL in posts[0].text and PHONE in posts[0].text  # restored from the placeholders
    assert "[EMAIL_1]" in fake.requests[-1].text()


# ---------------------------------------------------------------- failures


def test_rate_limited_then_answers_after_retry_after(
    writer: OpenAIWriter, fake: FakeOpenAI, waits: list[float]
) -> None:
    fake.script(Reply.failure(429, "Rate limit reached", retry_after="0"))

    audience = writer.analyse_audience(SOURCES["en"])

    assert audience.generation is not None and audience.generation.attempts == 2
    assert waits == [0.0]
    assert len(fake.requests) == 2


def test_server_error_then_answers(
    writer: OpenAIWriter, fake: FakeOpenAI, waits: list[float]
) -> None:
    fake.script(Reply.failure(500, "The server had an error"))

    audience = writer.analyse_audience(SOURCES["en"])

    assert audience.generation is not None and audience.generation.attempts == 2
    assert len(waits) == 1 and waits[0] > 0  # backoff, no Retry-After
    assert len(fake.requests) == 2


def test_a_wrong_key_fails_at_once_with_a_clear_message(
    fake: FakeOpenAI, waits: list[float]
) -> None:
    writer = writer_for(fake, waits, key="sk-wrong")

    with pytest.raises(ProviderError) as raised:
        writer.analyse_audience(SOURCES["en"])

    message = str(raised.value)
    assert "OpenAI rejected the key (401): check OPENAI_API_KEY" in message
    assert "sk-wrong" not in message and "Traceback" not in message
    assert len(fake.requests) == 1 and waits == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply.failure(403, "Country not supported"), "refused access (403)"),
        (Reply.failure(404, "The model does not exist"), "no model 'gpt-4o-mini' at http://"),
        (Reply.failure(400, "Invalid schema for response_format"), "refused the request (400)"),
        (Reply.failure(429, "You exceeded your quota", code="insufficient_quota"), "quota"),
    ],
)
def test_requests_that_cannot_succeed_are_not_retried(
    reply: Reply, expected: str, writer: OpenAIWriter, fake: FakeOpenAI
) -> None:
    fake.script(reply)

    with pytest.raises(ProviderError, match=re.escape(expected)) as raised:
        writer.analyse_audience(SOURCES["en"])

    assert reply.error in str(raised.value)  # the server's own words, without the JSON around
    assert len(fake.requests) == 1


def test_a_timeout_is_retried_then_fails_clearly(fake: FakeOpenAI, waits: list[float]) -> None:
    writer = writer_for(fake, waits, timeout=0.3, max_attempts=2)
    fake.script(Reply.slow(2), Reply.slow(2))

    with pytest.raises(ProviderError) as raised:
        writer.analyse_audience(SOURCES["en"])

    assert str(raised.value) == (
        f"openai: no answer from {fake.base_url}/v1 within 0.3 s (timeout) (after 2 attempts)"
    )
    assert len(fake.requests) == 2 and len(waits) == 1


def test_a_malformed_answer_is_asked_again_with_the_problem(
    writer: OpenAIWriter, fake: FakeOpenAI
) -> None:
    fake.script(Reply.malformed('{"summary": "Ferry users"'))

    audience = writer.analyse_audience(SOURCES["en"])

    assert audience.generation is not None and audience.generation.attempts == 2
    retry = fake.requests[1].messages
    assert retry[-2] == {"role": "assistant", "content": '{"summary": "Ferry users"'}
    assert retry[-1]["role"] == "user" and "Invalid JSON" in retry[-1]["content"]
    assert retry[-1]["content"].startswith("Your previous answer could not be used")


def test_a_malformed_answer_twice_fails(writer: OpenAIWriter, fake: FakeOpenAI) -> None:
    fake.script(Reply.malformed(), Reply.malformed('{"posts": []}'))

    with pytest.raises(ProviderError, match="an audience profile that does not fit the expected"):
        writer.analyse_audience(SOURCES["en"])

    assert len(fake.requests) == 2


def test_posts_missing_a_channel_are_asked_again_then_fail(
    writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    source = SOURCES["en"]
    audience = writer.analyse_audience(source)
    plan = writer.plan_posts(source, audience, settings.brand, social_channels(settings))
    only_x = json.loads(posts_answer(settings, "Ferries every 20 minutes.", []))
    only_x["posts"] = only_x["posts"][1:2]
    fake.script(Reply(content=json.dumps(only_x)), Reply(content=json.dumps(only_x)))

    with pytest.raises(ProviderError) as raised:
        writer.write_posts(source, plan, settings.brand, social_channels(settings), Revision())

    assert str(raised.value) == (
        "openai: OpenAI returned posts that do not fit the expected form twice: "
        "no entry for channel(s) linkedin, instagram, facebook, tiktok"
    )
    assert "no entry for channel(s) linkedin" in fake.requests[-1].messages[-1]["content"]


def test_a_refusal_is_asked_again_once_then_fails(writer: OpenAIWriter, fake: FakeOpenAI) -> None:
    fake.script(Reply.refused("I can't help with that."), Reply.refused("Still no."))

    with pytest.raises(ProviderError, match="twice: the model refused: Still no.") as raised:
        writer.analyse_audience(SOURCES["en"])

    assert "Traceback" not in str(raised.value)
    assert fake.requests[1].messages[-2] == {
        "role": "assistant",
        "content": "I can't help with that.",
    }
    assert len(fake.requests) == 2


# ---------------------------------------------------------------- the registry


def test_the_registry_builds_it_and_auto_prefers_it_when_a_key_is_set(fake: FakeOpenAI) -> None:
    openai_settings = OpenAISettings(base_url=fake.base_url + "/v1")
    context = ProviderContext(
        settings=ProviderSettings(text="auto", openai=openai_settings), api_keys={"openai": KEY}
    )

    assert resolve_name("text", context) == "openai"
    assert isinstance(text_provider("openai", context), OpenAIWriter)


def test_no_key_is_a_config_error_naming_where_to_put_one() -> None:
    with pytest.raises(ConfigError, match="set OPENAI_API_KEY.*api_key_block"):
        text_provider("openai", ProviderContext(settings=ProviderSettings(text="openai")))


def test_without_a_base_url_setting_openai_base_url_is_used(
    fake: FakeOpenAI, waits: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url + "/v1")
    writer = OpenAIWriter(OpenAISettings(), KEY, sleep=waits.append)

    writer.analyse_audience(SOURCES["en"])

    assert len(fake.requests) == 1


def test_an_unreachable_server_is_retried_then_fails_clearly(waits: list[float]) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = OpenAISettings(base_url=f"http://127.0.0.1:{port}/v1", max_attempts=2)
    writer = OpenAIWriter(settings, KEY, sleep=waits.append)

    with pytest.raises(ProviderError) as raised:
        writer.analyse_audience(SOURCES["en"])

    assert str(raised.value) == (
        f"openai: could not reach http://127.0.0.1:{port}/v1 (connection error) (after 2 attempts)"
    )
    assert len(waits) == 1
