"""The embedded text provider: extractive and templated, deterministic, no key, no network.

Every sentence of a post body is copied verbatim from the source, so the writer cannot invent a
fact; only the frame around it (call to action, link, hashtags, disclosure) is templated.

Reviewer comments it understands (French or English, one instruction per line or sentence;
a line starting with a channel name and a colon, e.g. ``x: shorter``, applies to that channel):

* shorter / plus court / raccourcir / concis          -> aims at 60 % of the current length
* longer / plus long / développer / détailler          -> aims at 160 % (within the platform limit)
* another angle / autre angle / different angle        -> builds on other sentences of the source
* no hashtags / sans hashtags                          -> no hashtag at all
* no emoji / sans emoji                                -> no emoji
* formal / formel / sérieux ; casual / décontracté     -> switches the tone
* remove "…" / supprimer « … » / drop "…"              -> leaves out every sentence containing …
* drop sentence N / supprimer la phrase N              -> leaves out the Nth sentence of the body
                                                          the reviewer was shown

Comments accumulate: each round's are applied to the draft the reviewer saw, so asking for
"another angle" twice moves twice.

Anything else is reported back as not understood (in the generation record and the review
description) rather than silently ignored.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from pressroom.channels import post_length
from pressroom.compliance.contact import find_contact_data
from pressroom.models import (
    AudienceProfile,
    ChannelPost,
    ChannelStrategy,
    EditorialPlan,
    Generation,
    ReadingLevel,
    Revision,
    Source,
)
from pressroom.settings import BrandConfig, ChannelConfig
from pressroom.text import (
    HASHTAG,
    URL,
    count_words,
    hashtag,
    normalize_space,
    salient_keywords,
    split_sentences,
    truncate_words,
)

TEMPLATE_ID = "social-post/offline-extractive"
TEMPLATE_VERSION = "1"
MODEL = "extractive-v1"

MIN_SENTENCE_CHARS = 40
MAX_SENTENCE_CHARS = 320
LEAD_BONUS = 0.5

_GOALS = {
    "linkedin": "inform professionals and start a discussion",
    "x": "one striking fact and the link",
    "instagram": "a visual story with a caption people read to the end",
    "facebook": "a friendly summary people share",
    "tiktok": "a short caption that makes people watch",
}
_AUDIENCE = {
    "fr": "Lecteurs intéressés par {topics}",
    "en": "Readers interested in {topics}",
    "de": "Leserinnen und Leser, die sich für {topics} interessieren",
}
_AND = {"fr": " et ", "en": " and ", "de": " und "}
_EMOJI_HOOK = "📰"
_EMOJI_CTA = "👉"


# ---------------------------------------------------------------- reviewer instructions


@dataclass(frozen=True)
class Instructions:
    """What reviewers asked of one post so far, folded round after round."""

    length_factor: float = 1.0
    angle_shift: int = 0
    no_hashtags: bool = False
    no_emoji: bool = False
    tone: str | None = None
    exclude_phrases: tuple[str, ...] = ()
    excluded_sentences: tuple[str, ...] = ()
    not_understood: tuple[str, ...] = ()  # of the latest comments only


Change = Callable[[Instructions], Instructions]
_RULES: list[tuple[re.Pattern[str], Change]] = [
    (
        re.compile(r"\b(shorter|plus court|raccourci\w*|concis\w*|trop long)", re.I),
        lambda i: replace(i, length_factor=i.length_factor * 0.6),
    ),
    (
        re.compile(r"\b(longer|plus long|développe\w*|détaille\w*|trop court)", re.I),
        lambda i: replace(i, length_factor=i.length_factor * 1.6),
    ),
    (
        re.compile(r"\b(another|different|other|autre|nouvel)\s+(angle|approach|approche)", re.I),
        lambda i: replace(i, angle_shift=i.angle_shift + 1),
    ),
    (
        re.compile(r"\b(no|without|sans|pas de)\s+hashtags?\b", re.I),
        lambda i: replace(i, no_hashtags=True),
    ),
    (
        re.compile(r"\b(no|without|sans|pas d[e'’]\s?)\s*(emoji|émoji|emoticon)s?\b", re.I),
        lambda i: replace(i, no_emoji=True),
    ),
    (
        re.compile(r"\b(formal|formel\w*|sérieux|professional|professionnel\w*)\b", re.I),
        lambda i: replace(i, tone="formal"),
    ),
    (
        re.compile(r"\b(casual|décontract\w*|friendly|chaleureu\w*)\b", re.I),
        lambda i: replace(i, tone="friendly"),
    ),
]
_QUOTED = re.compile(r"[\"“«]\s*([^\"”»]{3,}?)\s*[\"”»]")
_REMOVE_VERB = re.compile(r"\b(remove|drop|delete|supprime\w*|retire\w*|enl[eè]ve\w*|ôte\w*)", re.I)
_DROP_NTH = re.compile(
    r"\b(?:drop|remove|delete|supprime\w*|retire\w*|enl[eè]ve\w*)\s+(?:the\s+|la\s+)?"
    r"(?:sentence|phrase)\s+(?:n[°o]\s*)?(\d+)",
    re.I,
)
_CHANNEL_PREFIX = re.compile(r"^\s*([a-z]+)\s*:\s*(.*)$", re.I)
_OPENING_QUOTES, _CLOSING_QUOTES = "«“", "»”"


def _clauses(line: str) -> list[str]:
    """Split after . ; ! ? followed by a space, but never inside quotation marks."""
    clauses, current, depth, straight_open = [], "", 0, False
    for index, char in enumerate(line):
        current += char
        if char in _OPENING_QUOTES:
            depth += 1
        elif char in _CLOSING_QUOTES:
            depth = max(0, depth - 1)
        elif char == '"':
            straight_open = not straight_open
        quoted = depth > 0 or straight_open
        next_is_space = index + 1 < len(line) and line[index + 1].isspace()
        if char in ".;!?" and next_is_space and not quoted:
            clauses.append(current)
            current = ""
    clauses.append(current)
    return [c.strip() for c in clauses if c.strip()]


def parse_instructions(
    comments: str,
    channel: str,
    channels: list[str],
    shown_body: list[str] | None = None,
    base: Instructions | None = None,
) -> Instructions:
    """Fold one round of comments into `base`, for one channel's post.

    `shown_body` is the body the reviewer was looking at: "drop sentence 2" means its second
    sentence. Lines or clauses scoped to another channel (``x: shorter``) are skipped.
    """
    result = replace(base or Instructions(), not_understood=())
    for line in comments.splitlines():
        line_channel, line = _scope(line, channels)
        for clause in _clauses(line):
            clause_channel, clause = _scope(clause, channels)
            if (clause_channel or line_channel) in (None, channel):
                result = _apply_clause(result, clause, shown_body or [])
    return result


def _scope(text: str, channels: list[str]) -> tuple[str | None, str]:
    """('x', 'shorter') for 'x: shorter' when x is a channel; (None, text) otherwise."""
    scoped = _CHANNEL_PREFIX.match(text)
    if scoped and scoped.group(1).lower() in channels:
        return scoped.group(1).lower(), scoped.group(2)
    return None, text


def _apply_clause(result: Instructions, clause: str, shown_body: list[str]) -> Instructions:
    understood = False
    drop = _DROP_NTH.search(clause)
    if drop and 1 <= int(drop.group(1)) <= len(shown_body):
        dropped = shown_body[int(drop.group(1)) - 1]
        result = replace(result, excluded_sentences=(*result.excluded_sentences, dropped))
        understood = True
    elif not drop and _REMOVE_VERB.search(clause) and _QUOTED.search(clause):
        phrases = tuple(m.group(1) for m in _QUOTED.finditer(clause))
        result = replace(result, exclude_phrases=(*result.exclude_phrases, *phrases))
        understood = True
    for pattern, change in _RULES:
        if pattern.search(clause):
            result = change(result)
            understood = True
    if not understood:
        result = replace(result, not_understood=(*result.not_understood, clause))
    return result


# ---------------------------------------------------------------- the writer


@dataclass
class Draft:
    """The parts of one post; `render` joins them, `fit_to_channel` removes parts until it fits."""

    hook: str
    body: list[str]
    call_to_action: str
    hashtags: list[str]
    disclosure: str

    def render(self) -> str:
        blocks = [self.hook, " ".join(self.body), self.call_to_action, " ".join(self.hashtags)]
        return "\n\n".join(b for b in [*blocks, self.disclosure] if b)


_SENTENCE_END = re.compile(r"[.!?…][\"”»’)]?$")


def _usable_sentences(source: Source) -> list[str]:
    """Whole sentences fit to quote: no heading, contact data, URL or half quotation."""
    return [
        s
        for s in split_sentences(source.text)
        if MIN_SENTENCE_CHARS <= len(s) <= MAX_SENTENCE_CHARS
        and _SENTENCE_END.search(s)
        and not find_contact_data(s)
        and not URL.search(s)
        and _quotes_balanced(s)
        and s != source.title
    ]


def _quotes_balanced(sentence: str) -> bool:
    """False for half a quotation (split across sentences): quoting it would alter it."""
    return (
        sentence.count("«") == sentence.count("»")
        and sentence.count("“") == sentence.count("”")
        and sentence.count('"') % 2 == 0
    )


def rank_sentences(sentences: list[str], keywords: list[str]) -> list[str]:
    """Sentences by keyword coverage, with a bonus for the lead; ties keep reading order."""
    weights = {kw.lower(): 1.0 / (rank + 1) for rank, kw in enumerate(keywords)}

    def score(item: tuple[int, str]) -> tuple[float, int]:
        position, sentence = item
        lowered = sentence.lower()
        value = sum(w for kw, w in weights.items() if kw in lowered)
        value += LEAD_BONUS / (position + 1)
        return (-value, position)

    return [s for _, s in sorted(enumerate(sentences), key=score)]


def _record(template_id: str, language: str) -> Generation:
    return Generation(
        provider="offline",
        model=MODEL,
        template_id=template_id,
        template_version=TEMPLATE_VERSION,
        parameters={"language": language},
    )


def _reading_level(words_per_sentence: float) -> ReadingLevel:
    if words_per_sentence > 28:
        return "expert"
    return "informed" if words_per_sentence > 20 else "general"


@dataclass(frozen=True)
class _Context:
    """What every post of one source shares."""

    source: Source
    plan: EditorialPlan
    brand: BrandConfig
    ranked: list[str]
    reading_order: dict[str, int]


class OfflineWriter:
    """Deterministic extractive writer: the embedded default text provider."""

    name = "offline"

    def analyse_audience(self, source: Source) -> AudienceProfile:
        keywords = salient_keywords(source.text, source.title, source.language, top=6)
        topics = _AND.get(source.language, _AND["en"]).join(
            [", ".join(keywords[:2]), keywords[2]] if len(keywords) > 2 else [", ".join(keywords)]
        )
        template = _AUDIENCE.get(source.language, _AUDIENCE["en"])
        sentences = split_sentences(source.text) or [source.text]
        words_per_sentence = count_words(source.text) / len(sentences)
        return AudienceProfile(
            summary=template.format(topics=topics),
            interests=keywords,
            reading_level=_reading_level(words_per_sentence),
            language=source.language,
            generation=_record("audience/offline-keywords", source.language),
        )

    def plan_posts(
        self,
        source: Source,
        audience: AudienceProfile,
        brand: BrandConfig,
        channels: dict[str, ChannelConfig],
    ) -> EditorialPlan:
        keywords = salient_keywords(source.text, source.title, source.language)
        ranked = rank_sentences(_usable_sentences(source), keywords)
        signature = {s.lower() for s in brand.signature_hashtags}
        tags = [t for t in (hashtag(k) for k in keywords) if t and t.lower() not in signature]
        return EditorialPlan(
            angle=ranked[0] if ranked else source.title,
            key_messages=ranked[:3],
            keywords=keywords,
            hashtags=list(dict.fromkeys(tags)),
            channels=[
                ChannelStrategy(
                    channel=name,
                    goal=_GOALS.get(name, "inform"),
                    include_link=cfg.link_policy == "inline",
                    max_chars=cfg.max_chars,
                )
                for name, cfg in channels.items()
            ],
            generation=_record("plan/offline-ranking", source.language),
        )

    def write_posts(
        self,
        source: Source,
        plan: EditorialPlan,
        brand: BrandConfig,
        channels: dict[str, ChannelConfig],
        revision: Revision,
    ) -> list[ChannelPost]:
        usable = _usable_sentences(source)
        context = _Context(
            source=source,
            plan=plan,
            brand=brand,
            ranked=rank_sentences(usable, plan.keywords),
            reading_order={s: i for i, s in enumerate(usable)},
        )
        return [
            self._write_one(context, name, cfg, revision, list(channels))
            for name, cfg in channels.items()
        ]

    def _write_one(
        self,
        context: _Context,
        channel: str,
        cfg: ChannelConfig,
        revision: Revision,
        channel_names: list[str],
    ) -> ChannelPost:
        started = time.perf_counter()
        asked = Instructions()
        for comments in revision.comments:  # each round refers to the draft it was shown
            shown = _draft(context, cfg, asked).body
            asked = parse_instructions(comments, channel, channel_names, shown, asked)
        draft = _draft(context, cfg, asked)
        text = draft.render()
        language = context.source.language
        return ChannelPost(
            channel=channel,
            language=language,
            text=text,
            hashtags=[h for h in draft.hashtags if h in text],
            link=context.source.url if cfg.link_policy == "inline" else None,
            disclosure=draft.disclosure,
            generation=Generation(
                provider=self.name,
                model=MODEL,
                template_id=TEMPLATE_ID,
                template_version=TEMPLATE_VERSION,
                parameters={
                    "channel": channel,
                    "language": language,
                    "tone": asked.tone or context.brand.tone,
                    "target_chars": _target(cfg, asked),
                    "revision_round": revision.round,
                    "not_understood": list(asked.not_understood) or None,
                },
                seconds=round(time.perf_counter() - started, 6),
            ),
        )


def _target(cfg: ChannelConfig, asked: Instructions) -> int:
    return min(cfg.max_chars, int(cfg.target_chars * asked.length_factor))


def _draft(context: _Context, cfg: ChannelConfig, asked: Instructions) -> Draft:
    source, brand = context.source, context.brand
    language = source.language
    emoji = cfg.emoji and (asked.tone or brand.tone) == "friendly" and not asked.no_emoji
    hashtags = [] if asked.no_hashtags else [*brand.signature_hashtags, *context.plan.hashtags]
    title = normalize_space(source.title)
    draft = Draft(
        hook=f"{_EMOJI_HOOK} {title}" if emoji else title,
        body=[],
        call_to_action=call_to_action(brand, cfg, language, source.url, emoji),
        hashtags=hashtags[: cfg.max_hashtags],
        disclosure=getattr(brand.disclosure_for(language), cfg.disclosure),
    )
    _fill_body(draft, _candidate_sentences(context.ranked, asked), _target(cfg, asked), cfg)
    draft.body.sort(key=lambda s: context.reading_order.get(s, -1))
    fit_to_channel(draft, cfg)
    return draft


def _candidate_sentences(ranked: list[str], asked: Instructions) -> list[str]:
    """Ranked sentences, rotated by three per "another angle", minus what reviewers removed."""
    shift = 3 * asked.angle_shift % len(ranked) if ranked else 0
    phrases = [p.lower() for p in asked.exclude_phrases]
    return [
        s
        for s in ranked[shift:] + ranked[:shift]
        if not any(p in s.lower() for p in phrases)
        and not any(_same_sentence(s, shown) for shown in asked.excluded_sentences)
    ]


def _same_sentence(sentence: str, shown: str) -> bool:
    """`shown` may be a sentence cut short with an ellipsis to fit."""
    return sentence == shown or (shown.endswith("…") and sentence.startswith(shown[:-1]))


def call_to_action(
    brand: BrandConfig, cfg: ChannelConfig, language: str, url: str, emoji: bool
) -> str:
    if cfg.link_policy == "bio":
        return brand.localized(brand.link_in_bio, language)
    if cfg.link_policy == "none":
        return ""
    prefix = f"{_EMOJI_CTA} " if emoji else ""
    return f"{prefix}{brand.localized(brand.call_to_action, language)} {url}"


def _fill_body(draft: Draft, candidates: list[str], target: int, cfg: ChannelConfig) -> None:
    """Add sentences in rank order while the post stays within target."""
    for sentence in candidates:
        draft.body.append(sentence)
        if post_length(draft.render(), cfg) > target:
            draft.body.pop()
    if not draft.body and candidates:  # not even one whole sentence fits: cut the best one
        room = target - post_length(draft.render(), cfg) - 2
        if room > MIN_SENTENCE_CHARS:
            draft.body.append(truncate_words(candidates[0], room))


def fit_to_channel(draft: Draft, cfg: ChannelConfig) -> None:
    """Enforce the hard limits: hashtags (also those quoted in the body), then length."""

    def excess_hashtags() -> int:
        return len(HASHTAG.findall(draft.render())) - cfg.max_hashtags

    def excess_length() -> int:
        return post_length(draft.render(), cfg) - cfg.max_chars

    while excess_hashtags() > 0 and draft.hashtags:
        draft.hashtags.pop()
    while excess_hashtags() > 0 and (tagged := [s for s in draft.body if HASHTAG.search(s)]):
        draft.body.remove(tagged[-1])
    while excess_length() > 0 and draft.body:
        draft.body.pop()
    while excess_length() > 0 and draft.hashtags:
        draft.hashtags.pop()
    while (excess := excess_length()) > 0 and len(draft.hook) > 1:
        # X weighs some characters 2: shrink by at least half the excess, one char at the least
        draft.hook = truncate_words(draft.hook, max(1, len(draft.hook) - max(1, excess // 2)))
