"""The embedded writer's strategy, article, newsletter and video script: extractive, like its posts.

Everything the reader learns is a key point (`key_point`: a source sentence's main clause,
shortened below C1's warning length); only the frame is the writer's own: headings (the
strategy's keywords), a lead line, the call to action and the AI label. Every piece is checked
with C1's own measure as points are added, so that copied words never run on from one point to
the next. Reviewer comments are read by the posts' instruction parser; a line addressed to
another output (``video: shorter``, ``linkedin: …``) is left to it.

`OfflineWriter` exposes these as its methods; they live here to keep the posts writer short.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from pressroom.compliance.base import PostContent, RuleContext
from pressroom.compliance.copyright import check_copying
from pressroom.compliance.suite import unposted
from pressroom.editorial.models import (
    WORDS_PER_MINUTE,
    Article,
    ArticleSection,
    Newsletter,
    ScriptPiece,
    SearchIntent,
    SeoPlan,
    Strategy,
    WrittenScript,
    narration_parameters,
)
from pressroom.editorial.quality import META_MAX_CHARS, META_MIN_CHARS, TITLE_MAX_CHARS
from pressroom.media.script import Scene
from pressroom.models import AudienceProfile, Generation, Revision, Source
from pressroom.providers.offline_audience import sentences_addressing
from pressroom.providers.offline_text import (
    _LEXICONS,
    MODEL,
    Instructions,
    Point,
    _candidate_points,
    _usable_sentences,
    key_point,
    parse_instructions,
    rank_sentences,
)
from pressroom.settings import BrandConfig, ChannelConfig
from pressroom.text import count_words, normalize_space, salient_keywords, truncate_words

TEMPLATE_VERSION = "1"
#: The outputs besides the social channels: a comment line "video: shorter" is for the script.
FORMATS = ("article", "newsletter", "video", "voiceover")
SEO_KEYWORDS = 6
ARTICLE_POINTS = 8
NEWSLETTER_POINTS = 4
POINTS_PER_GROUP = 2  # in a paragraph, or a scene
PREHEADER_CHARS = 90
VISUAL_CHARS = 48

_CHANNEL_TONE = {
    "linkedin": "professional and informative",
    "x": "short and striking",
    "instagram": "visual and warm",
    "facebook": "friendly and shareable",
    "tiktok": "lively and direct",
    "youtube": "lively and direct",
    "article": "informative, one idea per paragraph",
    "newsletter": "personal and concise",
    "video": "spoken, short sentences",
    "voiceover": "spoken, calm, one idea per sentence",
}
_INTENTS: list[tuple[SearchIntent, tuple[str, ...]]] = [
    (
        "transactional",
        (
            "buy",
            "order",
            "book",
            "sign up",
            "subscribe",
            "acheter",
            "commander",
            "réserver",
            "inscri",
            "abonne",
        ),
    ),
    ("commercial", ("compare", "best", "price", "review", "comparer", "meilleur", "prix", "avis")),
    ("navigational", ("visit our", "find our", "site", "page")),
]
_WORDING = {
    "fr": {
        "what_to_know": "{keyword} : ce qu'il faut retenir.",
        "in_brief": "En bref",
        "further": "Pour aller plus loin",
        "opening": "Plan d'ouverture : {keyword}, le titre à l'écran",
        "visual": "Image illustrant : {subject}",
        "separator": " : ",
    },
    "en": {
        "what_to_know": "{keyword}: what to know.",
        "in_brief": "In brief",
        "further": "Further reading",
        "opening": "Opening shot: {keyword}, the title on screen",
        "visual": "An image showing: {subject}",
        "separator": ": ",
    },
}

_TITLE_PARTS = re.compile(r"\s*[:–—|]\s+")
#: C1 takes a channel's settings but does not read them: any will do for long-form text.
_LONG_FORM = unposted("Long form")


def _wording(language: str, key: str, **values: str) -> str:
    return _WORDING.get(language, _WORDING["en"])[key].format(**values)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- material


@dataclass(frozen=True)
class _Material:
    """What every step of one source works from: key points best first, C1's context."""

    source: Source
    points: list[Point]
    reading_order: dict[str, int]
    rules: RuleContext

    def ordered(self, points: list[Point]) -> list[Point]:
        """`points` in the order of the sentences they come from."""
        return sorted(points, key=lambda p: self.reading_order.get(p.sentence, -1))

    def copies(self, text: str, disclosure: str = "") -> int:
        """How many C1 findings `text` would get against the source."""
        post = PostContent("long-form", text, disclosure, None)
        return sum(1 for _ in check_copying(post, _LONG_FORM, self.rules))


def _material(source: Source, keywords: list[str], brand: BrandConfig) -> _Material:
    usable = _usable_sentences(source)
    points = [
        point
        for sentence in rank_sentences(usable, keywords)
        if (point := key_point(sentence, source.language)) is not None
    ]
    return _Material(
        source=source,
        points=points,
        reading_order={s: i for i, s in enumerate(usable)},
        rules=RuleContext(brand, {}, source.text, source.language, source.url),
    )


def _pick(
    candidates: list[Point],
    limit: int,
    render: Callable[[list[Point]], str],
    copies: Callable[[str], int],
    fits: Callable[[str], bool] = lambda _text: True,
) -> list[Point]:
    """Points in candidate order, up to `limit`, kept while the rendered text still `fits` and
    copies no more of the source than it did without them.

    A point refused alone is tried again with the next one: two points from different sentences
    in one paragraph copy a smaller share of their words than either does alone."""
    chosen: list[Point] = []
    allowed = copies(render([]))
    waiting: list[Point] = []
    for point in candidates:
        trial = [*chosen, *waiting, point]
        if len(trial) > limit:
            break
        text = render(trial)
        if fits(text) and copies(text) <= allowed:
            chosen, waiting = trial, []
        else:
            waiting = [] if waiting else [point]
    return chosen


def _limit(most: int, candidates: list[Point], asked: Instructions) -> int:
    """How many points to show: "shorter" and "longer" scale what the source gives."""
    return max(1, round(min(most, len(candidates)) * asked.length_factor))


def _instructions(
    revision: Revision,
    output: str,
    scopes: Collection[str],
    shown: Callable[[Instructions], list[str]],
) -> Instructions:
    """Each round's comments applied to the draft that round was shown."""
    asked = Instructions()
    for comments in revision.comments:
        asked = parse_instructions(comments, output, list(scopes), shown(asked), asked)
    return asked


def _record(template_id: str, source: Source, started: float, **parameters: Any) -> Generation:
    return Generation(
        provider="offline",
        model=MODEL,
        template_id=template_id,
        template_version=TEMPLATE_VERSION,
        parameters={"language": source.language, **parameters},
        seconds=round(time.perf_counter() - started, 6),
    )


def _revision_parameters(revision: Revision, asked: Instructions) -> dict[str, Any]:
    return {
        "revision_round": revision.round,
        "length_factor": round(asked.length_factor, 3),
        "angle_shift": asked.angle_shift,
        "not_understood": list(asked.not_understood) or None,
    }


def _scopes(strategy: Strategy) -> list[str]:
    """Names a comment line may be addressed to: the strategy's channels and the formats."""
    return list(dict.fromkeys([*strategy.tone, *FORMATS]))


# ---------------------------------------------------------------- strategy


def seo_keywords(source: Source) -> list[str]:
    """Salient keywords without those another one holds ("fines" in "particules fines"), the
    ones the title has first: the first is the main keyword."""
    kept: list[str] = []
    for keyword in salient_keywords(source.text, source.title, source.language):
        words = set(keyword.casefold().split())
        if not any(words <= set(other.casefold().split()) for other in kept):
            kept.append(keyword)
    title = source.title.casefold()
    in_title = [k for k in kept if k.casefold() in title]
    return (in_title + [k for k in kept if k not in in_title])[:SEO_KEYWORDS]


def search_intent(goal: str | None) -> SearchIntent:
    """From the brief's goal: buying, comparing, finding a page; informing otherwise."""
    lowered = (goal or "").casefold()
    return next(
        (intent for intent, cues in _INTENTS if any(cue in lowered for cue in cues)),
        "informational",
    )


def seo_title(title: str, keyword: str, language: str) -> str:
    """The source's title, or its part that holds the keyword, within TITLE_MAX_CHARS; else
    the keyword before the title, cut to fit."""
    title = normalize_space(title)
    for part in [title, *_TITLE_PARTS.split(title)]:
        if keyword.casefold() in part.casefold() and len(part) <= TITLE_MAX_CHARS:
            return part
    prefix = _capitalised(keyword) + _wording(language, "separator")
    return prefix + truncate_words(title, TITLE_MAX_CHARS - len(prefix))


def plan_strategy(
    source: Source,
    audience: AudienceProfile,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    goal: str | None,
) -> Strategy:
    started = time.perf_counter()
    keywords = seo_keywords(source)
    material = _material(source, keywords, brand)
    points = material.points
    main = keywords[0] if keywords else ""
    tone = {
        name: f"{brand.tone}, {_CHANNEL_TONE.get(name, 'clear and direct')}"
        for name in [*channels, *FORMATS]
    }
    seo = SeoPlan(
        keywords=keywords,
        search_intent=search_intent(goal),
        title=seo_title(source.title, main, source.language),
        meta_description=_meta_description(material, main),
    )
    messages = [point.text for point in points[:3]]
    answer = _answering(material, audience)
    if answer is not None and answer.text not in messages:
        messages = [*messages[:2], answer.text]
    return Strategy(
        angle=points[0].text if points else normalize_space(source.title),
        key_messages=messages,
        tone=tone,
        seo=seo,
        generation=_record(
            "strategy/offline-keywords",
            source,
            started,
            goal=goal,
            reading_level=audience.reading_level,
            objection_met=answer is not None,
        ),
    )


def _answering(material: _Material, audience: AudienceProfile) -> Point | None:
    """The key point of the source that meets the audience's first objection: one from the
    sentence the objection is about (a point says only what the source says), if any."""
    if not audience.objections:
        return None
    sentences = list(material.reading_order)
    about = sentences_addressing(audience.objections[0], sentences, material.source.language)
    by_sentence = {point.sentence: point for point in material.points}
    return next((by_sentence[s] for s in about if s in by_sentence), None)


def _meta_description(material: _Material, keyword: str) -> str:
    """Key points, those holding the keyword first, within META_MAX_CHARS; the title before
    them when they are too short."""
    holds = [p for p in material.points if keyword.casefold() in p.text.casefold()]
    candidates = holds + [p for p in material.points if p not in holds]

    def render(points: list[Point]) -> str:
        return " ".join(point.text for point in points)

    def fits(text: str) -> bool:
        return len(text) <= META_MAX_CHARS

    meta = render(_pick(candidates, len(candidates), render, material.copies, fits))
    if len(meta) < META_MIN_CHARS:
        title = normalize_space(material.source.title).rstrip(".") + "."
        meta = truncate_words(f"{title} {meta}".strip(), META_MAX_CHARS)
    return meta


# ---------------------------------------------------------------- article


def write_article(
    source: Source, strategy: Strategy, brand: BrandConfig, revision: Revision
) -> Article:
    started = time.perf_counter()
    material = _material(source, strategy.seo.keywords, brand)
    asked = _instructions(
        revision, "article", _scopes(strategy), lambda a: _article(material, strategy, a)[1]
    )
    sections, _ = _article(material, strategy, asked)
    return Article(
        title=strategy.seo.title,
        meta_description=truncate_words(strategy.seo.meta_description, META_MAX_CHARS),
        sections=sections,
        language=source.language,
        disclosure=brand.disclosure_for(source.language).long,
        generation=_record(
            "article/offline-extractive",
            source,
            started,
            tone=asked.tone or strategy.tone.get("article", brand.tone),
            **_revision_parameters(revision, asked),
        ),
    )


def _article(
    material: _Material, strategy: Strategy, asked: Instructions
) -> tuple[list[ArticleSection], list[str]]:
    """The sections, and the points they show in order of appearance ("drop sentence 2")."""
    keywords = strategy.seo.keywords

    def render(points: list[Point]) -> str:
        return _sections_text(_layout(points, keywords, material))

    candidates = _candidate_points(material.points, asked)
    limit = _limit(ARTICLE_POINTS, candidates, asked)
    chosen = _pick(candidates, limit, render, material.copies)
    sections = _layout(chosen, keywords, material)
    text = _sections_text(sections)
    return sections, sorted((p.text for p in chosen), key=text.find)


def _sections_text(sections: list[ArticleSection]) -> str:
    return "\n\n".join(part for s in sections for part in [s.heading, *s.paragraphs])


def _layout(points: list[Point], keywords: list[str], material: _Material) -> list[ArticleSection]:
    """Sections of POINTS_PER_GROUP points, one paragraph each: the first under the main keyword
    (opened by a point holding it, else by a lead line), each next one under a keyword one of
    its points holds (else it joins the section before), and the link to the source last.

    Points of different sentences share a paragraph so that the article does not read as the
    source's wording cut in pieces (C1 measures the share of copied 8-word sequences)."""
    source, brand = material.source, material.rules.brand
    language = source.language
    main = keywords[0] if keywords else normalize_space(source.title)
    opening = [p for p in points if _holds(p.text, main)][:1]
    lead = [] if opening else [_wording(language, "what_to_know", keyword=_capitalised(main))]
    groups = _groups(opening + [p for p in points if p not in opening])
    sections = [ArticleSection(heading=_capitalised(main), paragraphs=[])]
    used = {main.casefold()}
    for number, group in enumerate(groups or [[]]):
        keyword = next(
            (
                k
                for k in keywords
                if k.casefold() not in used and any(_holds(p.text, k) for p in group)
            ),
            None,
        )
        if number and keyword:
            used.add(keyword.casefold())
            sections.append(ArticleSection(heading=_capitalised(keyword), paragraphs=[]))
        sentences = [*(lead if number == 0 else []), *(p.text for p in material.ordered(group))]
        sections[-1].paragraphs.append(" ".join(sentences))
    return [*sections, further_reading(source, brand)]


def call_line(source: Source, brand: BrandConfig) -> str:
    """The brand's call to action and the link to the source: our frame, whoever writes. A
    source with no public address (a file, notes) is named instead."""
    if source.public_url is None:
        return source.title
    return f"{brand.localized(brand.call_to_action, source.language)} {source.public_url}"


def further_reading(source: Source, brand: BrandConfig) -> ArticleSection:
    """An article's last section: where to read the source."""
    return ArticleSection(
        heading=_wording(source.language, "further"), paragraphs=[call_line(source, brand)]
    )


def _holds(text: str, keyword: str) -> bool:
    return keyword.casefold() in text.casefold()


def _groups(points: list[Point]) -> list[list[Point]]:
    return [points[i : i + POINTS_PER_GROUP] for i in range(0, len(points), POINTS_PER_GROUP)]


# ---------------------------------------------------------------- newsletter


def write_newsletter(
    source: Source, strategy: Strategy, brand: BrandConfig, revision: Revision
) -> Newsletter:
    started = time.perf_counter()
    material = _material(source, strategy.seo.keywords, brand)
    asked = _instructions(
        revision, "newsletter", _scopes(strategy), lambda a: _newsletter(material, a)[1]
    )
    body, _ = _newsletter(material, asked)
    return Newsletter(
        subject=strategy.seo.title,
        preheader=truncate_words(strategy.angle, PREHEADER_CHARS),
        body=body,
        language=source.language,
        disclosure=brand.disclosure_for(source.language).long,
        generation=_record(
            "newsletter/offline-extractive",
            source,
            started,
            tone=asked.tone or strategy.tone.get("newsletter", brand.tone),
            **_revision_parameters(revision, asked),
        ),
    )


def _newsletter(material: _Material, asked: Instructions) -> tuple[str, list[str]]:
    """The body (lead line, key points as a list, call to action), and the points it shows."""
    source, brand = material.source, material.rules.brand
    lead = _LEXICONS.get(source.language, _LEXICONS["en"]).lead
    call = call_line(source, brand)

    def render(points: list[Point]) -> str:
        listed = "\n".join(f"- {point.text}" for point in material.ordered(points))
        return "\n\n".join(part for part in (lead, listed, call) if part)

    candidates = _candidate_points(material.points, asked)
    limit = _limit(NEWSLETTER_POINTS, candidates, asked)
    chosen = material.ordered(_pick(candidates, limit, render, material.copies))
    return render(chosen), [point.text for point in chosen]


# ---------------------------------------------------------------- video script


def write_video_script(
    source: Source,
    strategy: Strategy,
    brand: BrandConfig,
    target_seconds: int,
    revision: Revision,
    piece: ScriptPiece = "video",
) -> WrittenScript:
    """The title as the opening scene, then a scene per key point, as many as the target
    duration holds at WORDS_PER_MINUTE (a short source may fill less). Comment lines scoped
    to another format (`video: …` for a voice-over) are not for it."""
    started = time.perf_counter()
    material = _material(source, strategy.seo.keywords, brand)
    asked = _instructions(
        revision,
        piece,
        _scopes(strategy),
        lambda a: [s.narration for s in _scenes(material, strategy, target_seconds, a)[1:]],
    )
    scenes = _scenes(material, strategy, target_seconds, asked)
    return WrittenScript(
        language=source.language,
        title=strategy.seo.title,
        scenes=scenes,
        generation=_record(
            "video_script/offline-extractive",
            source,
            started,
            **narration_parameters(scenes, target_seconds),
            **_revision_parameters(revision, asked),
        ),
    )


def _scenes(
    material: _Material, strategy: Strategy, target_seconds: int, asked: Instructions
) -> list[Scene]:
    """The title, then POINTS_PER_GROUP points a scene while the narration stays within the
    target's words."""
    source = material.source
    language = source.language
    keywords = strategy.seo.keywords
    target_words = target_seconds * asked.length_factor * WORDS_PER_MINUTE / 60
    hook = normalize_space(source.title).rstrip(".!?…") + "."
    main = keywords[0] if keywords else hook
    opening = Scene(narration=hook, visual=_wording(language, "opening", keyword=main))

    def scenes(points: list[Point]) -> list[Scene]:
        return [
            opening,
            *(_scene(group, keywords, language) for group in _groups(material.ordered(points))),
        ]

    def narration(points: list[Point]) -> str:
        return "\n\n".join(scene.narration for scene in scenes(points))  # as compliance joins

    def fits(text: str) -> bool:
        return count_words(text) <= target_words

    candidates = _candidate_points(material.points, asked)
    chosen = _pick(candidates, len(candidates), narration, material.copies, fits)
    return scenes(chosen)


def _scene(points: list[Point], keywords: list[str], language: str) -> Scene:
    """The points as one narration; the visual: a keyword they hold, else the first point."""
    subject = next(
        (k for k in keywords if any(_holds(p.text, k) for p in points)),
        truncate_words(points[0].text.rstrip("."), VISUAL_CHARS),
    )
    return Scene(
        narration=" ".join(point.text for point in points),
        visual=_wording(language, "visual", subject=subject),
    )
