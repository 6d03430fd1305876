"""The embedded text provider: extractive and templated, deterministic, no key, no network.

A post body is a short list of key points under a lead line of the writer's own ("Ce qu'il faut
retenir :", "What to know:"). Each point is one clause of a source sentence, taken word for word
and shortened: incidental parts (parentheses, dashes, trailing complements) are left out so that
no point copies as many words as copyright rule C1 warns about, and the points are separated so
that copied words never run on from one to the next. Every point is checked with C1's own
measure as it is added: a point that would make the post copy too much is not added. The writer
cannot invent a fact (every word of a point is the source's, in the source's order); only the
lead line and the frame around the body (call to action, link, hashtags, disclosure) are
templated. Sentences whose meaning a cut could change (a condition, or a claim attributed to
someone in another clause) give no point, nor does one whose only cuts would drop a verb's
object, leave an adverb without its complement or a relative clause without its antecedent.

Reviewer comments it understands (French or English, one instruction per line or sentence;
a line starting with a channel name and a colon, e.g. ``x: shorter``, applies to that channel):

* shorter / plus court / raccourcir / concis          -> aims at 60 % of the current length
* longer / plus long / développer / détailler          -> aims at 160 % (within the platform limit)
* another angle / autre angle / different angle        -> builds on other sentences of the source
* no hashtags / sans hashtags                          -> no hashtag at all
* no emoji / sans emoji                                -> no emoji
* formal / formel / sérieux ; casual / décontracté     -> switches the tone
* remove "…" / supprimer « … » / drop "…"              -> leaves out every point (or point from a
                                                          source sentence) containing …
* drop sentence N / supprimer la phrase N              -> leaves out the Nth point of the body
                                                          the reviewer was shown

Comments accumulate: each round's are applied to the draft the reviewer saw, so asking for
"another angle" twice moves twice.

Anything else is reported back as not understood (in the generation record and the review
description) rather than silently ignored.

The strategy, article, newsletter and video script are written the same way, by
`pressroom.editorial.offline`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from pressroom.channels import post_length
from pressroom.compliance.base import PostContent, RuleContext
from pressroom.compliance.contact import find_contact_data
from pressroom.compliance.copyright import RUN_WARNING, check_copying, tokens
from pressroom.compliance.grounding import content_words
from pressroom.compliance.pii import PINNED_MODELS, verify_model
from pressroom.editorial.models import Article, Newsletter, ScriptPiece, Strategy, WrittenScript
from pressroom.models import (
    AudienceProfile,
    ChannelPost,
    ChannelStrategy,
    EditorialPlan,
    Generation,
    Revision,
    Source,
)
from pressroom.providers import offline_audience
from pressroom.settings import BrandConfig, ChannelConfig

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Token

from pressroom.text import (
    HASHTAG,
    URL,
    hashtag,
    normalize_space,
    salient_keywords,
    split_sentences,
    truncate_words,
)

TEMPLATE_ID = "social-post/offline-extractive"
TEMPLATE_VERSION = "2"
MODEL = "extractive-v2"

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


# ---------------------------------------------------------------- key points

MAX_POINT_WORDS = RUN_WARNING - 1  # a point copies fewer words in a row than C1 warns about
MIN_POINT_WORDS = 5
MIN_POINT_CONTENT_WORDS = 3
MAX_POINTS = 5  # a longer list is not read; "longer" and "shorter" scale it
POINT_MARK = "→"


@dataclass(frozen=True)
class _Lexicon:
    """What the writer says, and how it reads sentences, in one language."""

    lead: str  # the writer's line above the points
    conditions: frozenset[str]  # a sentence with one gives no point: a cut could drop it
    attribution: re.Pattern[str]  # who says so: a point keeps it, or its sentence gives none
    # Used where no parser is installed, when the point is the sentence's first clause:
    openers: frozenset[str] = frozenset()  # dropped at its start: "Und", "Aber"
    dependents: frozenset[str] = frozenset()  # a clause starting so depends on another one
    pronouns: frozenset[str] = frozenset()  # out of its context, "it" means nothing


def _lexicon(lead: str, attribution: str, **words: str) -> _Lexicon:
    sets = {name: frozenset(text.split()) for name, text in words.items()}
    pattern = re.compile(rf"(?<!\w)(?:{attribution})(?!\w)", re.IGNORECASE)
    return _Lexicon(lead=lead, attribution=pattern, **sets)


_LEXICONS = {
    "fr": _lexicon(
        "Ce qu'il faut retenir :",
        r"selon|d['’]apr[eè]s|a (?:déclaré|expliqué|affirmé|indiqué|précisé|estimé)|"
        r"explique|déclare|affirme|indique|précise|estime|souligne|assure|rappelle",
        conditions="si sauf",
    ),
    "en": _lexicon(
        "What to know:",
        r"according to|said|says|told|tells|explained|explains|stated|states|claimed|claims|"
        r"argued|argues|added|adds|wrote|writes|warned|warns|reported|reports",
        conditions="if unless provided",
    ),
    "de": _lexicon(
        "Das Wichtigste:",
        r"laut|zufolge|sagte|sagt|erklärte|erklärt|betonte|betont|berichtet|berichtete",
        conditions="wenn falls sofern",
        openers="und aber doch jedoch auch dann",
        dependents="dass weil wenn als ob obwohl während damit falls sofern wie wo",
        pronouns="es er sie wir ich man",
    ),
}
_QUOTE_MARK = re.compile(r"[«»“”„‟\"‹›]")
_CLAUSE_BREAK = re.compile(r"\s*[,;]\s+|\s?:\s+|\s+[–—-]\s+|\s*\(")
_WORD_RE = re.compile(r"\w+")

# Dependency labels (spaCy's English scheme and Universal Dependencies for French).
_SUBJECTS = ("nsubj", "csubj", "expl")  # label prefixes
_ALWAYS_LEFT_OUT = frozenset(
    ("advcl", "relcl", "acl:relcl", "appos", "parataxis", "dislocated", "discourse", "dep")
)
_LEFT_OUT_FROM_ROOT = frozenset(("cc", "conj", "mark"))  # a clause coordinated with the main one
_LEFT_OUT_TO_FIT = frozenset(
    ("prep", "obl", "obl:mod", "obl:tmod", "obl:agent", "agent", "npadvmod", "acl", "conj")
)
# A point never ends on a word that announces more: "and", "of", "the", "up".
_DANGLING = frozenset(("ADP", "DET", "CCONJ", "SCONJ", "AUX", "PART"))
_NOMINAL = frozenset(("NOUN", "PROPN", "NUM"))  # a "dep" of these may be an object
_OBJECTS = frozenset(("dobj", "obj", "attr", "oprd", "acomp", "ccomp", "xcomp"))
_PASSIVE = frozenset(("auxpass", "aux:pass", "nsubjpass", "nsubj:pass"))
_RELATIVE_TAGS = frozenset(("WDT", "WP", "WP$"))  # English; French marks them PronType=Rel
# What an adverb or particle governs: "up [from 1.2 hectares]", "loin [des 1,2 hectare]".
_COMPLEMENTS = ("prep", "pobj", "pcomp", "obl", "nmod", "obj", "dobj")  # label prefixes
# The first word of a modifier: a span cut after a verb opens so, or with a relative word.
_MODIFIER_OPENERS = frozenset(("ADP", "SCONJ", "CCONJ", "ADV", "PART"))


@dataclass(frozen=True)
class Point:
    """One key point: the main clause of a source sentence, shortened, as the post shows it."""

    text: str
    sentence: str  # the source sentence it comes from


def key_point(sentence: str, language: str) -> Point | None:
    """The main clause of `sentence` in at most MAX_POINT_WORDS words, or None.

    Where a parser is installed (French, English) the clause keeps its subject, verb and object
    and leaves out subordinate clauses, appositions and, until it fits, complements; elsewhere
    it is the sentence's first clause when that is short enough. Questions, quotations (C2's
    and H2's business), hashtags and conditions give no point; nor does a claim whose author
    ("selon …", "… said") a shortened point would leave out.
    """
    lexicon = _LEXICONS.get(language, _LEXICONS["en"])
    if (
        sentence.endswith("?")
        or _QUOTE_MARK.search(sentence)
        or HASHTAG.search(sentence)
        or lexicon.conditions.intersection(_WORD_RE.findall(sentence.lower()))
    ):
        return None
    if language in PINNED_MODELS:
        text = _main_clause(sentence, language)
    else:
        text = _first_clause(sentence, lexicon)
    if text is None or not _stands_alone(text):
        return None
    if lexicon.attribution.search(sentence) and not lexicon.attribution.search(text):
        return None
    return Point(f"{text[0].upper()}{text[1:]}.", sentence)


def _stands_alone(text: str) -> bool:
    return (
        MIN_POINT_WORDS <= len(tokens(text)) <= MAX_POINT_WORDS
        and len(content_words(text)) >= MIN_POINT_CONTENT_WORDS
    )


@lru_cache(maxsize=2)
def _parser(language: str) -> Language:
    """The pinned spaCy model of `language` (checked like the personal-data detector's), with
    its tagger and parser."""
    import spacy

    return spacy.load(verify_model(PINNED_MODELS[language]), exclude=["ner", "lemmatizer"])


def _main_clause(sentence: str, language: str) -> str | None:
    root = next(_parser(language)(sentence).sents).root
    subjects = [c for c in root.children if c.dep_.startswith(_SUBJECTS)]
    is_clause = root.pos_ in ("VERB", "AUX") or any(c.dep_ == "cop" for c in root.children)
    if (
        not is_clause
        or not subjects
        or any(s.pos_ == "PRON" and not s.dep_.startswith("expl") for s in subjects)
    ):
        return None  # a fragment, or a pronoun that means nothing out of its context
    left_out: set[int] = set()
    for token in root.subtree:
        if _left_out_always(token, root):
            left_out.update(t.i for t in token.subtree)
    while len(tokens(_joined(root, left_out))) > MAX_POINT_WORDS:
        optional = [t for t in root.subtree if t.i not in left_out and t.dep_ in _LEFT_OUT_TO_FIT]
        if not optional:
            return None
        # the complement that ends last, the whole of it: never half a phrase
        last = _with_carrier(max(optional, key=lambda t: (t.right_edge.i, -t.left_edge.i)), root)
        left_out.update(t.i for t in last.subtree)
    kept = [t for t in root.subtree if t.i not in left_out and not t.is_punct]
    if not kept or kept[-1].pos_ in _DANGLING or kept[-1].dep_ in ("case", "det", "cc", "mark"):
        return None
    if not _cut_keeps_meaning(root, left_out):
        return None
    return _joined(root, left_out)


def _left_out_always(token: Token, root: Token) -> bool:
    """Subordinate clauses, appositions and the like; not a noun the parser could not place
    ("dep"), which may be the verb's object ("ont livré [quelques surprises]"). A clause that
    opens with a relative word is a relative clause, whatever its label ("…, which the team
    considers good enough")."""
    if token.dep_ == "dep" and token.pos_ in _NOMINAL:
        return False
    return (
        token.dep_ in _ALWAYS_LEFT_OUT
        or (token.head == root and token.dep_ in _LEFT_OUT_FROM_ROOT)
        or (token != root and token.pos_ in ("VERB", "AUX") and _opens_with_relative(token))
    )


def _opens_with_relative(clause: Token) -> bool:
    first = next((t for t in clause.subtree if not t.is_punct), clause)
    return first != clause and _is_relative(first) and not clause.dep_.startswith(_SUBJECTS)


def _is_relative(token: Token) -> bool:
    return token.tag_ in _RELATIVE_TAGS or "Rel" in token.morph.get("PronType", [])


def _with_carrier(complement: Token, root: Token) -> Token:
    """The complement, or the adverb or particle that only carries it ("up [from …]"), which
    would dangle without it."""
    while (
        complement.dep_.startswith(_COMPLEMENTS)
        and complement.head != root
        and complement.head.pos_ in ("ADV", "PART")
        and complement.head.dep_ == "advmod"
    ):
        complement = complement.head
    return complement


def _cut_keeps_meaning(root: Token, left_out: set[int]) -> bool:
    """False when the words left out change what the kept ones say: a verb's object or the
    rest of its verb group cut after it ("to count [the seagrass]"; what follows a colon or
    semicolon is not), an adverb or particle whose complement was cut ("covers 1.6 hectares,
    up"), a relative clause kept without its antecedent or the words of one kept without their
    relative word. The parser is not trusted to have labelled them: the cut is judged by the
    words on either side of it."""
    words = [t for t in root.subtree if not t.is_punct]
    for before, after in zip(words, words[1:], strict=False):
        if before.i in left_out or after.i not in left_out:
            continue  # not where a cut starts
        closed = any(t.text in (":", ";") for t in root.doc[before.i + 1 : after.i])
        opens_modifier = after.pos_ in _MODIFIER_OPENERS or _is_relative(after)
        if not opens_modifier and not closed and _object_open(before, left_out):
            return False
    for token in words:
        carrier = token.i not in left_out and token.pos_ in ("ADV", "PART", "ADP")
        if carrier and _lost_complement(token, left_out):
            return False
        if _is_relative(token) and not _relative_with_its_neighbours(token, words, left_out):
            return False
    return True


def _object_open(word: Token, left_out: set[int]) -> bool:
    """Whether what follows `word` may be the object of its verb: `word` is the verb, or ends
    a modifier after it while no object is kept ("compter mètre carré par mètre carré [, les
    herbiers]"). A passive verb ("seront publiées [chaque semaine]") takes none."""
    verb = word
    while verb.pos_ not in ("VERB", "AUX"):
        if verb.head == verb:
            return False
        verb = verb.head
    if any(c.dep_ in _PASSIVE for c in verb.children):
        return False
    if verb == word:
        return True
    return verb.i < word.i and not any(
        c.dep_ in _OBJECTS and c.i not in left_out for c in verb.children
    )


def _lost_complement(token: Token, left_out: set[int]) -> bool:
    complements = [c for c in token.children if c.dep_.startswith(_COMPLEMENTS)]
    return bool(complements) and all(c.i in left_out for c in complements)


def _relative_with_its_neighbours(relative: Token, words: list[Token], left_out: set[int]) -> bool:
    """A kept relative word follows its kept antecedent; one left out takes its clause along."""
    position = words.index(relative)
    if relative.i not in left_out:
        return position > 0 and words[position - 1].i not in left_out
    return position + 1 == len(words) or words[position + 1].i in left_out


def _joined(root: Token, left_out: set[int]) -> str:
    """The words of the clause that are kept, spaced as in the sentence; a word that was left
    out leaves a space. Punctuation goes unless it is inside a word ("early-ripening")."""
    kept = [t for t in root.subtree if t.i not in left_out and not _lone_conjunction(t, left_out)]
    text, previous = "", None
    for token in kept:
        if token.is_punct and not _inside_word(token):
            continue
        if previous is not None:
            text += previous.whitespace_ if token.i == previous.i + 1 else " "
        text += token.text
        previous = token
    return normalize_space(text).strip(" ,;:-–—")


def _lone_conjunction(token: Token, left_out: set[int]) -> bool:
    """An "and" whose second half was left out. English hangs it on the first half, Universal
    Dependencies (French) on the second, which goes with it."""
    return (
        token.dep_ == "cc"
        and token.head.dep_ != "conj"
        and not any(
            s.dep_ == "conj" and s.i > token.i and s.i not in left_out for s in token.head.children
        )
    )


def _inside_word(token: Token) -> bool:
    doc = token.doc
    return (
        0 < token.i < len(doc) - 1
        and not doc[token.i - 1].whitespace_
        and not token.whitespace_
        and not doc[token.i + 1].is_punct
    )


def _first_clause(sentence: str, lexicon: _Lexicon) -> str | None:
    """The sentence up to its first comma, colon, dash or parenthesis, if it stands alone."""
    words = _CLAUSE_BREAK.split(sentence, maxsplit=1)[0].rstrip(" .!…").split()
    if words and _first_word(words[0]) in lexicon.openers:
        words = words[1:]
    if not words or _first_word(words[0]) in lexicon.dependents | lexicon.pronouns:
        return None
    return " ".join(words)


def _first_word(word: str) -> str:
    found = _WORD_RE.search(word.lower())
    return found.group() if found else ""


# ---------------------------------------------------------------- the writer


@dataclass
class Draft:
    """The parts of one post; `render` joins them, `fit_to_channel` removes parts until it fits.

    The parts of the body are joined by `separator`: a space for sentences, a line break for a
    list."""

    hook: str
    body: list[str]
    call_to_action: str
    hashtags: list[str]
    disclosure: str
    separator: str = " "

    def render(self) -> str:
        body = self.separator.join(self.body)
        blocks = [self.hook, body, self.call_to_action, " ".join(self.hashtags)]
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


@dataclass(frozen=True)
class _Context:
    """What every post of one source shares."""

    source: Source
    plan: EditorialPlan
    brand: BrandConfig
    ranked: list[Point]  # one per sentence that gives a point, best first
    reading_order: dict[str, int]  # of the source sentences
    rules: RuleContext  # to check a draft with C1, as compliance will


class OfflineWriter:
    """Deterministic extractive writer: the embedded default text provider."""

    name = "offline"

    def analyse_audience(self, source: Source, hint: str = "") -> AudienceProfile:
        """Keywords, cue words and templates: see `pressroom.providers.offline_audience`."""
        return offline_audience.analyse(source, hint)

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
        points = [
            point
            for sentence in rank_sentences(usable, plan.keywords)
            if (point := key_point(sentence, source.language)) is not None
        ]
        context = _Context(
            source=source,
            plan=plan,
            brand=brand,
            ranked=points,
            reading_order={s: i for i, s in enumerate(usable)},
            rules=RuleContext(brand, channels, source.text, source.language, source.url),
        )
        return [
            self._write_one(context, name, cfg, revision, list(channels))
            for name, cfg in channels.items()
        ]

    # The long-form steps build on this module's key points: imported when called.

    def plan_strategy(
        self,
        source: Source,
        audience: AudienceProfile,
        brand: BrandConfig,
        channels: dict[str, ChannelConfig],
        goal: str | None,
    ) -> Strategy:
        from pressroom.editorial import offline

        return offline.plan_strategy(source, audience, brand, channels, goal)

    def write_article(
        self, source: Source, strategy: Strategy, brand: BrandConfig, revision: Revision
    ) -> Article:
        from pressroom.editorial import offline

        return offline.write_article(source, strategy, brand, revision)

    def write_newsletter(
        self, source: Source, strategy: Strategy, brand: BrandConfig, revision: Revision
    ) -> Newsletter:
        from pressroom.editorial import offline

        return offline.write_newsletter(source, strategy, brand, revision)

    def write_video_script(
        self,
        source: Source,
        strategy: Strategy,
        brand: BrandConfig,
        target_seconds: int,
        revision: Revision,
        piece: ScriptPiece = "video",
    ) -> WrittenScript:
        from pressroom.editorial import offline

        return offline.write_video_script(source, strategy, brand, target_seconds, revision, piece)

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
            shown = [point.text for point in _draft(context, cfg, asked)[1]]
            asked = parse_instructions(comments, channel, channel_names, shown, asked)
        draft, _ = _draft(context, cfg, asked)
        text = draft.render()
        language = context.source.language
        return ChannelPost(
            channel=channel,
            language=language,
            text=text,
            hashtags=[h for h in draft.hashtags if h in text],
            link=context.source.public_url if cfg.link_policy == "inline" else None,
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


def _draft(context: _Context, cfg: ChannelConfig, asked: Instructions) -> tuple[Draft, list[Point]]:
    """The post, and the points its body shows in order."""
    source, brand = context.source, context.brand
    language = source.language
    emoji = cfg.emoji and (asked.tone or brand.tone) == "friendly" and not asked.no_emoji
    hashtags = [] if asked.no_hashtags else [*brand.signature_hashtags, *context.plan.hashtags]
    title = normalize_space(source.title)
    draft = Draft(
        hook=f"{_EMOJI_HOOK} {title}" if emoji else title,
        body=[],
        call_to_action=call_to_action(brand, cfg, language, source.public_url, emoji),
        hashtags=hashtags[: cfg.max_hashtags],
        disclosure=getattr(brand.disclosure_for(language), cfg.disclosure),
        separator="\n",
    )
    points = _fill_body(draft, context, cfg, _candidate_points(context.ranked, asked), asked)
    fit_to_channel(draft, cfg)
    return draft, points if draft.body else []


def _candidate_points(ranked: list[Point], asked: Instructions) -> list[Point]:
    """Ranked points, rotated by three per "another angle", minus what reviewers removed."""
    shift = 3 * asked.angle_shift % len(ranked) if ranked else 0
    phrases = [p.lower() for p in asked.exclude_phrases]
    return [
        point
        for point in ranked[shift:] + ranked[:shift]
        if not any(p in point.text.lower() or p in point.sentence.lower() for p in phrases)
        and not any(_same_point(point.text, shown) for shown in asked.excluded_sentences)
    ]


def _same_point(point: str, shown: str) -> bool:
    """`shown` may be a point cut short with an ellipsis to fit."""
    return point == shown or (shown.endswith("…") and point.startswith(shown[:-1]))


def call_to_action(
    brand: BrandConfig, cfg: ChannelConfig, language: str, url: str | None, emoji: bool
) -> str:
    """The frame's last line; nothing where there is no link to give (local files, notes)."""
    if url is None or cfg.link_policy == "none":
        return ""
    if cfg.link_policy == "bio":
        return brand.localized(brand.link_in_bio, language)
    prefix = f"{_EMOJI_CTA} " if emoji else ""
    return f"{prefix}{brand.localized(brand.call_to_action, language)} {url}"


def _fill_body(
    draft: Draft,
    context: _Context,
    cfg: ChannelConfig,
    candidates: list[Point],
    asked: Instructions,
) -> list[Point]:
    """Add points in rank order, up to a number, while the post stays within target and copies
    no more of the source than it did without them (C1's own measure); show them in reading
    order."""
    lead = _LEXICONS.get(context.source.language, _LEXICONS["en"]).lead
    target = _target(cfg, asked)
    copied = _copy_findings(draft, cfg, context.rules)
    chosen: list[Point] = []

    def fits(points: list[Point]) -> bool:
        draft.body = _points_body(lead, points)
        fit = post_length(draft.render(), cfg) <= target
        return fit and _copy_findings(draft, cfg, context.rules) <= copied

    limit = max(1, round(MAX_POINTS * asked.length_factor))
    for point in candidates:
        if len(chosen) == limit:
            break
        trial = sorted([*chosen, point], key=lambda p: context.reading_order.get(p.sentence, -1))
        if fits(trial):
            chosen = trial
    if not chosen and candidates:  # not even one whole point fits: cut the best one
        draft.body = _points_body(lead, [Point("", "")])
        room = target - post_length(draft.render(), cfg) - 2
        best = candidates[0]
        if room > MIN_SENTENCE_CHARS and fits(
            [cut := replace(best, text=truncate_words(best.text, room))]
        ):
            chosen = [cut]
    draft.body = _points_body(lead, chosen)
    return chosen


def _points_body(lead: str, points: list[Point]) -> list[str]:
    return [lead, *(f"{POINT_MARK} {point.text}" for point in points)] if points else []


def _copy_findings(draft: Draft, cfg: ChannelConfig, rules: RuleContext) -> int:
    """How many C1 findings (copied passages) the draft would get."""
    post = PostContent(cfg.label, draft.render(), draft.disclosure, None)
    return sum(1 for _ in check_copying(post, cfg, rules))


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
