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
* drop sentence N / supprimer la phrase N              -> leaves out the Nth body sentence

Anything else is reported back as not understood (in the generation record and the review
description) rather than silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

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
    length_factor: float = 1.0
    other_angle: bool = False
    no_hashtags: bool = False
    no_emoji: bool = False
    tone: str | None = None
    exclude_phrases: tuple[str, ...] = ()
    drop_sentences: tuple[int, ...] = ()
    not_understood: tuple[str, ...] = ()


_RULES: list[tuple[re.Pattern[str], dict[str, object]]] = [
    (
        re.compile(r"\b(shorter|plus court|raccourci\w*|concis\w*|trop long)", re.I),
        {"length_factor": 0.6},
    ),
    (
        re.compile(r"\b(longer|plus long|développe\w*|détaille\w*|trop court)", re.I),
        {"length_factor": 1.6},
    ),
    (
        re.compile(r"\b(another|different|other|autre|nouvel)\s+(angle|approach|approche)", re.I),
        {"other_angle": True},
    ),
    (re.compile(r"\b(no|without|sans|pas de)\s+hashtags?\b", re.I), {"no_hashtags": True}),
    (
        re.compile(r"\b(no|without|sans|pas d[e'’]\s?)\s*(emoji|émoji|emoticon)s?\b", re.I),
        {"no_emoji": True},
    ),
    (
        re.compile(r"\b(formal|formel\w*|sérieux|professional|professionnel\w*)\b", re.I),
        {"tone": "formal"},
    ),
    (re.compile(r"\b(casual|décontract\w*|friendly|chaleureu\w*)\b", re.I), {"tone": "friendly"}),
]
_QUOTED = re.compile(r"[\"“«]\s*([^\"”»]{3,}?)\s*[\"”»]")
_REMOVE_VERB = re.compile(r"\b(remove|drop|delete|supprime\w*|retire\w*|enl[eè]ve\w*|ôte\w*)", re.I)
_DROP_NTH = re.compile(
    r"\b(?:drop|remove|delete|supprime\w*|retire\w*|enl[eè]ve\w*)\s+(?:the\s+|la\s+)?"
    r"(?:sentence|phrase)\s+(?:n[°o]\s*)?(\d+)",
    re.I,
)
_CHANNEL_PREFIX = re.compile(r"^\s*([a-z]+)\s*:\s*(.*)$", re.I)


def _clauses(line: str) -> list[str]:
    return [p.strip() for p in re.split(r"(?<=[.;!?])\s+", line) if p.strip()]


def parse_instructions(comments: str, channel: str, channels: list[str]) -> Instructions:
    """What the reviewer asked of this channel's post (lines scoped to another channel skipped)."""
    result = Instructions()
    for line in comments.splitlines():
        line_channel, line = _scope(line, channels)
        for clause in _clauses(line):
            clause_channel, clause = _scope(clause, channels)
            if (clause_channel or line_channel) in (None, channel):
                result = _apply_clause(result, clause)
    return result


def _scope(text: str, channels: list[str]) -> tuple[str | None, str]:
    """('x', 'shorter') for 'x: shorter' when x is a channel; (None, text) otherwise."""
    scoped = _CHANNEL_PREFIX.match(text)
    if scoped and scoped.group(1).lower() in channels:
        return scoped.group(1).lower(), scoped.group(2)
    return None, text


def _apply_clause(result: Instructions, clause: str) -> Instructions:
    understood = False
    drop = _DROP_NTH.search(clause)
    if drop:
        result = replace(result, drop_sentences=(*result.drop_sentences, int(drop.group(1))))
        understood = True
    elif _REMOVE_VERB.search(clause) and _QUOTED.search(clause):
        phrases = tuple(m.group(1) for m in _QUOTED.finditer(clause))
        result = replace(result, exclude_phrases=(*result.exclude_phrases, *phrases))
        understood = True
    for pattern, change in _RULES:
        if pattern.search(clause):
            if "length_factor" in change:
                change = {"length_factor": result.length_factor * float(change["length_factor"])}  # type: ignore[arg-type]
            result = replace(result, **change)  # type: ignore[arg-type]
            understood = True
    if not understood:
        result = replace(result, not_understood=(*result.not_understood, clause))
    return result


# ---------------------------------------------------------------- the writer


@dataclass
class _Draft:
    """The parts of one post; `render` joins them, `fit` removes parts until it fits."""

    hook: str
    body: list[str]
    call_to_action: str
    hashtags: list[str]
    disclosure: str
    extras: list[str] = field(default_factory=list)

    def render(self) -> str:
        blocks = [self.hook, " ".join(self.body), self.call_to_action, " ".join(self.hashtags)]
        return "\n\n".join(b for b in [*blocks, self.disclosure] if b)


_SENTENCE_END = re.compile(r"[.!?…][\"”»’)]?$")


def _usable_sentences(source: Source) -> list[str]:
    """Whole sentences fit to quote: no heading, contact data or URL, not too short or long."""
    return [
        s
        for s in split_sentences(source.text)
        if MIN_SENTENCE_CHARS <= len(s) <= MAX_SENTENCE_CHARS
        and _SENTENCE_END.search(s)
        and not find_contact_data(s)
        and not URL.search(s)
        and s != source.title
    ]


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


def _reading_level(words_per_sentence: float) -> ReadingLevel:
    if words_per_sentence > 28:
        return "expert"
    return "informed" if words_per_sentence > 20 else "general"


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
        tags = [t for t in (hashtag(k) for k in keywords) if t]
        unique_tags = list(
            dict.fromkeys(
                t for t in tags if t.lower() not in {s.lower() for s in brand.signature_hashtags}
            )
        )
        return EditorialPlan(
            angle=ranked[0] if ranked else source.title,
            key_messages=ranked[:3],
            keywords=keywords,
            hashtags=unique_tags,
            channels=[
                ChannelStrategy(
                    channel=name,
                    goal=_GOALS.get(name, "inform"),
                    include_link=cfg.link_policy == "inline",
                    max_chars=cfg.max_chars,
                )
                for name, cfg in channels.items()
            ],
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
        ranked = rank_sentences(usable, plan.keywords)
        reading_order = {s: i for i, s in enumerate(usable)}
        return [
            self._write_one(
                source,
                plan,
                brand,
                name,
                cfg,
                ranked,
                reading_order,
                parse_instructions(revision.comments, name, list(channels)),
                revision.round,
            )
            for name, cfg in channels.items()
        ]

    def _write_one(
        self,
        source: Source,
        plan: EditorialPlan,
        brand: BrandConfig,
        channel: str,
        cfg: ChannelConfig,
        ranked: list[str],
        reading_order: dict[str, int],
        asked: Instructions,
        round_: int,
    ) -> ChannelPost:
        language = source.language
        tone = asked.tone or brand.tone
        emoji = cfg.emoji and tone == "friendly" and not asked.no_emoji
        candidates = self._candidate_sentences(ranked, asked)
        hashtags = [] if asked.no_hashtags else [*brand.signature_hashtags, *plan.hashtags]
        hashtags = hashtags[: cfg.max_hashtags]
        link = source.url if cfg.link_policy == "inline" else None
        disclosure = getattr(brand.disclosure_for(language), cfg.disclosure)
        draft = _Draft(
            hook=f"{_EMOJI_HOOK} {source.title}" if emoji else source.title,
            body=[],
            call_to_action=self._call_to_action(brand, cfg, language, link, emoji),
            hashtags=hashtags,
            disclosure=disclosure,
        )
        target = min(cfg.max_chars, int(cfg.target_chars * asked.length_factor))
        _fill_body(draft, candidates, target, cfg)
        draft.body.sort(key=lambda s: reading_order.get(s, -1))
        _fit(draft, cfg)
        text = draft.render()
        return ChannelPost(
            channel=channel,
            language=language,
            text=text,
            hashtags=[h for h in draft.hashtags if h in text],
            link=link,
            disclosure=disclosure,
            generation=Generation(
                provider=self.name,
                model=MODEL,
                template_id=TEMPLATE_ID,
                template_version=TEMPLATE_VERSION,
                parameters={
                    "channel": channel,
                    "language": language,
                    "tone": tone,
                    "target_chars": target,
                    "revision_round": round_,
                    "not_understood": list(asked.not_understood) or None,
                },
            ),
        )

    @staticmethod
    def _candidate_sentences(ranked: list[str], asked: Instructions) -> list[str]:
        candidates = ranked[3:] + ranked[:3] if asked.other_angle and len(ranked) > 3 else ranked
        lowered = [p.lower() for p in asked.exclude_phrases]
        candidates = [s for s in candidates if not any(p in s.lower() for p in lowered)]
        drop = {n - 1 for n in asked.drop_sentences}
        return [s for i, s in enumerate(candidates) if i not in drop]

    @staticmethod
    def _call_to_action(
        brand: BrandConfig, cfg: ChannelConfig, language: str, link: str | None, emoji: bool
    ) -> str:
        if cfg.link_policy == "bio":
            return brand.localized(brand.link_in_bio, language)
        if link is None:
            return ""
        prefix = f"{_EMOJI_CTA} " if emoji else ""
        return f"{prefix}{brand.localized(brand.call_to_action, language)} {link}"


def _fill_body(draft: _Draft, candidates: list[str], target: int, cfg: ChannelConfig) -> None:
    """Add sentences in rank order, presented in reading order, while the post stays in target."""
    for sentence in candidates:
        draft.body.append(sentence)
        if post_length(draft.render(), cfg) > target:
            draft.body.pop()
    if not draft.body and candidates:  # not even one whole sentence fits: cut the best one
        room = target - post_length(draft.render(), cfg) - 2
        if room > MIN_SENTENCE_CHARS:
            draft.body.append(truncate_words(candidates[0], room))


def _fit(draft: _Draft, cfg: ChannelConfig) -> None:
    """Enforce the hard limit: drop body sentences, then hashtags, then shorten the hook."""
    while post_length(draft.render(), cfg) > cfg.max_chars and draft.body:
        draft.body.pop()
    while post_length(draft.render(), cfg) > cfg.max_chars and draft.hashtags:
        draft.hashtags.pop()
    overflow = post_length(draft.render(), cfg) - cfg.max_chars
    if overflow > 0:
        draft.hook = truncate_words(draft.hook, max(1, len(draft.hook) - overflow))
    draft.hook = normalize_space(draft.hook)
