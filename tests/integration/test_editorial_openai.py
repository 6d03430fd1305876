"""The OpenAI writer's strategy, article, newsletter and video script, with the real `openai`
client against the fake server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pressroom.editorial.models import Article, Newsletter, Strategy, WrittenScript
from pressroom.models import AudienceProfile, Generation, Revision, Source
from pressroom.prompts import load_template
from pressroom.providers.openai_text import Coherence, OpenAIWriter, ScriptOut, StrategyOut
from pressroom.providers.resilience import ProviderError
from pressroom.settings import ChannelConfig, OpenAISettings, Settings, load_settings
from pressroom.text import URL
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.unit.conftest import EN_TEXT, EN_TITLE, FR_TEXT, FR_TITLE, make_source

pytestmark = pytest.mark.integration

KEY = "sk-test"
EMAIL, PHONE = "anna.martin@example.org", "+33 6 12 34 56 78"
SOURCES = {
    "en": make_source(EN_TEXT, title=EN_TITLE, language="en"),
    "fr": make_source(FR_TEXT, title=FR_TITLE, language="fr"),
}
STEPS = ["strategy", "article", "newsletter", "video_script"]
TARGET_SECONDS = 30


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY) as server:
        yield server


@pytest.fixture
def writer(fake: FakeOpenAI) -> OpenAIWriter:
    settings = OpenAISettings(base_url=fake.base_url + "/v1", timeout_seconds=5, max_attempts=2)
    return OpenAIWriter(settings, KEY, sleep=lambda _seconds: None)


def channels_of(settings: Settings) -> dict[str, ChannelConfig]:
    return {name: settings.channel(name) for name in settings.pipeline.default_channels}


def audience_of(source: Source) -> AudienceProfile:
    return AudienceProfile(
        summary="Local readers", interests=["transport"], language=source.language
    )


def long_form(
    writer: OpenAIWriter, source: Source, settings: Settings, revision: Revision | None = None
) -> tuple[Strategy, Article, Newsletter, WrittenScript]:
    brand, revision = settings.brand, revision or Revision()
    strategy = writer.plan_strategy(
        source, audience_of(source), brand, channels_of(settings), "Explain the change"
    )
    article = writer.write_article(source, strategy, brand, revision)
    newsletter = writer.write_newsletter(source, strategy, brand, revision)
    script = writer.write_video_script(source, strategy, brand, TARGET_SECONDS, revision)
    return strategy, article, newsletter, script


def schema_name(request: dict[str, Any]) -> str:
    return str(request["response_format"]["json_schema"]["name"])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_step_parses_into_our_models_with_its_record(
    language: str, writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    source = SOURCES[language]

    strategy, article, newsletter, script = long_form(writer, source, settings)

    requests = [recorded.json for recorded in fake.requests]
    assert [schema_name(r) for r in requests] == [
        "StrategyOut",
        "ArticleOut",
        "NewsletterOut",
        "ScriptOut",
    ]
    assert all(r["response_format"]["json_schema"]["strict"] is True for r in requests)
    # strategy: one tone per channel and per format, the SEO plan from the answer
    assert set(strategy.tone) == {
        *channels_of(settings),
        "article",
        "newsletter",
        "video",
        "voiceover",
    }
    assert strategy.seo.keywords and strategy.seo.search_intent == "informational"
    assert len(strategy.seo.meta_description) <= 155
    # article: the model's sections, then our link to the source, and our label
    assert len(article.sections) >= 3 and article.language == language
    assert source.url in article.sections[-1].paragraphs[0]
    assert article.disclosure == settings.brand.disclosure_for(language).long
    assert article.markdown().rstrip().endswith(f"*{article.disclosure}*")
    # newsletter: our call to action last
    assert newsletter.subject and newsletter.preheader
    assert newsletter.body.endswith(source.url)
    # script: a valid video script, not grounded by the writer, with its timing recorded
    assert script.scenes and script.source is None and script.language == language
    assert script.generation.parameters["target_seconds"] == TARGET_SECONDS
    assert isinstance(script.generation.parameters["estimated_seconds"], float)
    records: list[Generation | None] = [
        strategy.generation,
        article.generation,
        newsletter.generation,
        script.generation,
    ]
    for step, generation in zip(STEPS, records, strict=True):
        template = load_template(step, language)
        assert generation is not None
        assert (generation.template_id, generation.template_version) == (step, template.version)
        assert generation.provider == "openai" and generation.model == "gpt-4o-mini-2024-07-18"
        assert generation.input_tokens > 0 and generation.output_tokens > 0
        assert generation.parameters["prompt_language"] == language


def test_the_strategy_and_comments_reach_the_prompts(
    writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    revision = Revision(round=1, comments=["video: shorter\narticle: another angle"])

    strategy, *_ = long_form(writer, SOURCES["en"], settings, revision)

    strategy_prompt = fake.requests[0].messages[1]["content"]
    assert "- [article] Web article" in strategy_prompt
    assert "- [linkedin]" in strategy_prompt and "Explain the change" in strategy_prompt
    for recorded in fake.requests[1:]:
        prompt = recorded.messages[1]["content"]
        assert strategy.angle in prompt
        assert "Round 1: video: shorter / article: another angle" in prompt
    script_prompt = fake.requests[3].messages[1]["content"]
    assert f"lasts {TARGET_SECONDS} seconds: about 75" in script_prompt


def test_personal_data_of_the_source_never_reaches_the_server(
    writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    text = f"Readers can write to {EMAIL} or call {PHONE} to join the ferry panel.\n\n{EN_TEXT}"
    source = make_source(text, title=EN_TITLE, language="en")
    revision = Revision(round=1, comments=[f"Say that {EMAIL} answers questions."])

    _, article, newsletter, script = long_form(writer, source, settings, revision)

    assert len(fake.requests) == 4
    for recorded in fake.requests:
        sent = recorded.text()
        assert EMAIL not in sent and PHONE not in sent and "612345678" not in sent
        assert "[EMAIL_1]" in sent and "[PHONE_1]" in sent
    for generation in (article.generation, newsletter.generation, script.generation):
        assert generation.redacted.get("email", 0) >= 2  # the source's and the comment's


def test_urls_the_model_writes_are_removed_and_ours_kept(
    writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    source = SOURCES["en"]
    strategy, *_ = long_form(writer, source, settings)
    check = Coherence(within_limits=True, tone_respected=True, supported_by_source=True, notes="")
    answer = {
        "subject": "Ferries every 20 minutes",
        "preheader": "See https://spam.example/offer now",
        "body": "- More sailings: https://spam.example/a\n- Two electric ferries",
        "source_quotes": [],
        "coherence": check.model_dump(),
    }
    fake.script(Reply.structured(answer))

    newsletter = writer.write_newsletter(source, strategy, settings.brand, Revision())

    assert URL.findall(newsletter.markdown()) == [source.url]
    assert newsletter.body.startswith("- More sailings:\n- Two electric ferries")


def test_an_answer_missing_a_tone_or_a_scene_is_asked_for_again(
    writer: OpenAIWriter, fake: FakeOpenAI, settings: Settings
) -> None:
    source = SOURCES["en"]
    check = Coherence(within_limits=True, tone_respected=True, supported_by_source=True, notes="")
    partial = StrategyOut(
        angle="Ferries every 20 minutes",
        key_messages=["More sailings"],
        tones=[],
        keywords=["ferries"],
        search_intent="informational",
        seo_title="Ferries",
        meta_description="More ferries.",
        source_quotes=[],
        coherence=check,
    )
    fake.script(Reply.structured(json.loads(partial.model_dump_json())))

    strategy = writer.plan_strategy(
        source, audience_of(source), settings.brand, channels_of(settings), None
    )

    assert len(fake.requests) == 2 and strategy.generation is not None
    assert strategy.generation.attempts == 2
    assert "no entry for channel(s) linkedin" in fake.requests[1].messages[-1]["content"]

    no_scenes = ScriptOut(title="Ferries", scenes=[], source_quotes=[], coherence=check)
    fake.script(*[Reply.structured(json.loads(no_scenes.model_dump_json()))] * 2)
    with pytest.raises(ProviderError, match="a video script that does not fit .*: no scenes"):
        writer.write_video_script(source, strategy, settings.brand, 30, Revision())
