"""The embedded writer's strategy, article, newsletter and video script, in French and English."""

from __future__ import annotations

import pytest

from pressroom.compliance.base import PostContent, RuleContext
from pressroom.compliance.copyright import check_copying
from pressroom.editorial.models import (
    WORDS_PER_MINUTE,
    Article,
    Newsletter,
    Strategy,
    WrittenScript,
)
from pressroom.editorial.offline import search_intent, seo_title
from pressroom.editorial.quality import META_MAX_CHARS, seo_checks
from pressroom.media.script import VideoScript
from pressroom.models import Finding, Revision, Source
from pressroom.providers.offline_text import OfflineWriter
from pressroom.settings import Settings
from pressroom.text import count_words

WRITER = OfflineWriter()
TARGET_SECONDS = 20

_strategies: dict[str, Strategy] = {}


def strategy_for(source: Source, settings: Settings) -> Strategy:
    if source.language not in _strategies:
        channels = {name: settings.channel(name) for name in settings.pipeline.default_channels}
        audience = WRITER.analyse_audience(source)
        _strategies[source.language] = WRITER.plan_strategy(
            source, audience, settings.brand, channels, None
        )
    return _strategies[source.language]


def article_for(source: Source, settings: Settings, *comments: str) -> Article:
    revision = Revision(round=len(comments), comments=list(comments))
    return WRITER.write_article(source, strategy_for(source, settings), settings.brand, revision)


def newsletter_for(source: Source, settings: Settings, *comments: str) -> Newsletter:
    revision = Revision(round=len(comments), comments=list(comments))
    strategy = strategy_for(source, settings)
    return WRITER.write_newsletter(source, strategy, settings.brand, revision)


def script_for(
    source: Source, settings: Settings, *comments: str, seconds: int = TARGET_SECONDS
) -> WrittenScript:
    revision = Revision(round=len(comments), comments=list(comments))
    strategy = strategy_for(source, settings)
    return WRITER.write_video_script(source, strategy, settings.brand, seconds, revision)


def copying(text: str, source: Source, settings: Settings, disclosure: str = "") -> list[Finding]:
    """C1's findings on `text`, as compliance checks a long text."""
    context = RuleContext(settings.brand, {}, source.text, source.language, source.url)
    post = PostContent("long-form", text, disclosure, None)
    return list(check_copying(post, settings.channel("linkedin"), context))


def narration(script: VideoScript) -> str:
    return "\n\n".join(scene.narration for scene in script.scenes)  # as compliance joins it


# ---------------------------------------------------------------- strategy


def test_strategy_has_an_angle_messages_tone_and_seo_plan(
    source: Source, settings: Settings
) -> None:
    strategy = strategy_for(source, settings)

    assert strategy.angle and 1 <= len(strategy.key_messages) <= 3
    assert set(settings.pipeline.default_channels) | {"article", "newsletter", "video"} <= set(
        strategy.tone
    )
    seo = strategy.seo
    assert seo.keywords and seo.search_intent == "informational"
    main = seo.keywords[0].casefold()
    assert main in seo.title.casefold() and len(seo.title) <= 60
    assert 70 <= len(seo.meta_description) <= META_MAX_CHARS
    assert main in source.text.casefold()  # a keyword of the source, not an invented one
    assert strategy.generation is not None
    assert strategy.generation.template_id == "strategy/offline-keywords"


def test_strategy_messages_copy_nothing_c1_would_flag(source: Source, settings: Settings) -> None:
    strategy = strategy_for(source, settings)

    for text in [strategy.angle, *strategy.key_messages, strategy.seo.meta_description]:
        assert copying(text, source, settings) == []


@pytest.mark.parametrize(
    ("goal", "intent"),
    [
        (None, "informational"),
        ("Explain the new timetable", "informational"),
        ("Get readers to book a crossing", "transactional"),
        ("Faire comparer les meilleurs prix", "commercial"),
    ],
)
def test_search_intent_follows_the_goal(goal: str | None, intent: str) -> None:
    assert search_intent(goal) == intent


def test_seo_title_keeps_the_part_of_a_long_title_that_holds_the_keyword() -> None:
    title = "Qualité de l’air : Montreval confie 200 capteurs à ses habitants"  # 64 characters

    assert seo_title(title, "Montreval", "fr") == "Montreval confie 200 capteurs à ses habitants"
    assert seo_title("Ferries sail every 20 minutes", "Port Alder", "en") == (
        "Port Alder: Ferries sail every 20 minutes"
    )


# ---------------------------------------------------------------- article


def test_article_is_in_the_source_language_with_sections_and_a_short_meta(
    source: Source, settings: Settings
) -> None:
    article = article_for(source, settings)

    assert article.language == source.language
    assert len(article.sections) >= 2
    assert all(section.heading and section.paragraphs for section in article.sections)
    assert len(article.meta_description) <= META_MAX_CHARS
    assert article.disclosure == settings.brand.disclosure_for(source.language).long
    assert article.generation.template_id == "article/offline-extractive"
    assert source.url in article.sections[-1].paragraphs[0]


def test_article_markdown_has_h1_h2_and_the_label_last(source: Source, settings: Settings) -> None:
    article = article_for(source, settings)

    markdown = article.markdown()

    assert markdown.startswith(f"# {article.title}\n")
    assert markdown.count("\n## ") == len(article.sections)
    assert markdown.rstrip().endswith(f"*{article.disclosure}*")


def test_article_copies_nothing_c1_would_flag(source: Source, settings: Settings) -> None:
    article = article_for(source, settings)

    assert copying(article.markdown(), source, settings, article.disclosure) == []


def test_article_passes_its_strategy_seo_checks(source: Source, settings: Settings) -> None:
    article = article_for(source, settings)

    failed = [c for c in seo_checks(article, strategy_for(source, settings)) if not c.passed]

    assert failed == []


def test_article_honours_shorter_and_another_angle(source: Source, settings: Settings) -> None:
    first = article_for(source, settings)
    shorter = article_for(source, settings, "Plus court." if source.language == "fr" else "Shorter")
    moved = article_for(source, settings, "another angle")

    def words(article: Article) -> int:
        return sum(count_words(p) for s in article.sections for p in s.paragraphs)

    assert words(shorter) < words(first)
    assert moved.sections[0].paragraphs != first.sections[0].paragraphs
    assert moved.generation.parameters["angle_shift"] == 1


def test_comments_for_another_output_or_not_understood_are_reported_not_applied(
    source: Source, settings: Settings
) -> None:
    first = article_for(source, settings)

    other = article_for(source, settings, "video: shorter\nlinkedin: no emoji\nadd a joke")

    assert other.sections == first.sections
    assert other.generation.parameters["not_understood"] == ["add a joke"]


# ---------------------------------------------------------------- newsletter


def test_newsletter_has_subject_preheader_body_and_label(
    source: Source, settings: Settings
) -> None:
    newsletter = newsletter_for(source, settings)

    assert newsletter.language == source.language
    assert newsletter.subject and newsletter.preheader and newsletter.body
    assert newsletter.subject != newsletter.preheader
    assert source.url in newsletter.body
    assert newsletter.body.count("\n- ") >= 2
    assert newsletter.markdown().rstrip().endswith(f"*{newsletter.disclosure}*")


def test_newsletter_copies_nothing_c1_would_flag(source: Source, settings: Settings) -> None:
    newsletter = newsletter_for(source, settings)

    assert copying(newsletter.markdown(), source, settings, newsletter.disclosure) == []


def test_newsletter_drops_the_point_a_reviewer_named(source: Source, settings: Settings) -> None:
    first = newsletter_for(source, settings)
    second_point = first.body.split("\n- ")[2].splitlines()[0]

    revised = newsletter_for(source, settings, "newsletter: drop sentence 2")

    assert second_point in first.body and second_point not in revised.body


# ---------------------------------------------------------------- video script


def test_script_narration_fits_the_target_duration(source: Source, settings: Settings) -> None:
    script = script_for(source, settings)

    words = count_words(narration(script))
    seconds = words * 60 / WORDS_PER_MINUTE
    assert 0.75 * TARGET_SECONDS <= seconds <= 1.25 * TARGET_SECONDS
    assert script.generation.parameters["narration_words"] == words
    assert script.generation.parameters["target_seconds"] == TARGET_SECONDS


def test_script_is_a_video_script_in_the_source_language(
    source: Source, settings: Settings
) -> None:
    script = script_for(source, settings)

    assert isinstance(script, VideoScript)
    assert script.language == source.language and script.source is None
    assert len(script.scenes) >= 2
    assert all(scene.narration and scene.visual for scene in script.scenes)
    assert VideoScript.model_validate(script.model_dump(exclude={"generation"})) is not None


def test_script_narration_copies_nothing_c1_would_flag(source: Source, settings: Settings) -> None:
    script = script_for(source, settings)

    assert copying(narration(script), source, settings) == []


def test_script_stays_within_a_short_target_and_shortens_when_asked(
    source: Source, settings: Settings
) -> None:
    long = script_for(source, settings, seconds=30)
    short = script_for(source, settings, "video: shorter", seconds=30)

    assert count_words(narration(long)) <= 30 * WORDS_PER_MINUTE / 60
    assert count_words(narration(short)) < count_words(narration(long))


def test_a_voiceover_script_takes_the_comments_addressed_to_it_not_the_videos(
    source: Source, settings: Settings
) -> None:
    strategy = strategy_for(source, settings)

    def voiceover(*comments: str) -> WrittenScript:
        revision = Revision(round=len(comments), comments=list(comments))
        return WRITER.write_video_script(
            source, strategy, settings.brand, 30, revision, "voiceover"
        )

    first = voiceover()
    assert "voiceover" in strategy.tone  # the strategy gives the voice-over its own tone
    assert narration(voiceover("video: shorter")) == narration(first)
    assert count_words(narration(voiceover("voiceover: shorter"))) < count_words(narration(first))
