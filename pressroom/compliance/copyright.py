"""Copyright (C1–C2): no long unquoted copies of the source; short, attributed quotations.

* C1 copied-passage  words copied from the source without quotation marks:
                     a run of 25 words or more, or a post whose wording is mostly the
                     source's (half or more of its 8-word sequences are the source's,
                     and they cover 25 words or more: copying stitched from pieces)     blocker
                     a run of 12 to 24 words, or a sentence of 12 words or more that is
                     the source's sentence lightly edited (85 % alike)                  warning
* C2 quotation-use   a quotation of the source longer than 40 words                      blocker
                     a quotation over 10 % of the post's words, or with no author named
                     near it ("selon …", "according to …", "said …", "explique X",
                     a person's name)                                                   warning

Words inside quotation marks are not counted by C1: quoting is C2's business (and a
quotation that is not in the source is H2's). The frame (disclosure, call to action,
hashtags, links) is ignored, and a copied run never spans it nor a paragraph break. The words
of a legal reference are not counted in a run (they must be exact, and official texts are
nobody's work). A run that is exactly the source's title or a subheading is not counted: a
post sharing an article shows its title.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pressroom.compliance.base import PostContent, PostRule, RuleContext, excerpt
from pressroom.compliance.grounding import (
    Span,
    blank,
    find_legal_citations,
    find_quotations,
    fold,
    frame_spans,
    match_quotation,
    sentence_spans,
)
from pressroom.models import Finding
from pressroom.settings import ChannelConfig

RUN_BLOCKER = 25
RUN_WARNING = 12
NGRAM = 8
CONTAINMENT_BLOCKER = 0.5
NEAR_IDENTICAL = 0.85
MAX_QUOTATION_WORDS = 40
MAX_QUOTATION_SHARE = 0.10
ATTRIBUTION_WINDOW = 120

_WORD = re.compile(r"\w+")
_BREAK = "\x00"  # a token that matches nothing: copied runs never cross a quotation or frame
_INDEX_GRAM = 4


@dataclass(frozen=True)
class Token:
    word: str  # folded
    start: int
    end: int
    counted: bool = True  # False inside a legal reference: copied, but nobody's work


def tokens(text: str) -> list[Token]:
    return [Token(fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]


def _tokens_with_breaks(text: str, breaks: list[Span], uncounted: list[Span]) -> list[Token]:
    found = [
        Token(t.word, t.start, t.end, False) if any(s <= t.start < e for s, e in uncounted) else t
        for t in tokens(blank(text, breaks))
    ]
    found += [Token(_BREAK, start, start) for start, _ in breaks]
    return sorted(found, key=lambda t: (t.start, t.word != _BREAK))


@dataclass(frozen=True)
class _SourceIndex:
    words: list[str]
    grams: dict[tuple[str, ...], list[int]]
    ngrams: frozenset[tuple[str, ...]]
    sentences: list[tuple[str, list[str]]]  # (sentence, its words)
    sentences_by_word: dict[str, list[int]]
    headings: frozenset[tuple[str, ...]]


_HEADING_WORDS = 20
_SENTENCE_END = re.compile(r"[.!?…:;\"”»)]\s*$")


def _headings(source: str) -> frozenset[tuple[str, ...]]:
    """The source's title and subheadings: short lines that do not end a sentence."""
    found = set()
    for line in source.splitlines():
        words = tuple(t.word for t in tokens(line))
        if 0 < len(words) <= _HEADING_WORDS and not _SENTENCE_END.search(line):
            found.add(words)
    return frozenset(found)


@lru_cache(maxsize=64)
def _source_index(source: str) -> _SourceIndex:
    words = [t.word for t in tokens(source)]
    grams: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(words) - _INDEX_GRAM + 1):
        grams.setdefault(tuple(words[i : i + _INDEX_GRAM]), []).append(i)
    ngrams = frozenset(tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1))
    sentences = [
        (source[s:e], [t.word for t in tokens(source[s:e])]) for s, e in sentence_spans(source)
    ]
    by_word: dict[str, list[int]] = {}
    for index, (_, sentence_words) in enumerate(sentences):
        for word in set(sentence_words):
            by_word.setdefault(word, []).append(index)
    return _SourceIndex(words, grams, ngrams, sentences, by_word, _headings(source))


@dataclass(frozen=True)
class CopiedRun:
    start: int  # character offsets in the post
    end: int
    words: int


def copied_runs(found: list[Token], source: str, minimum: int = RUN_WARNING) -> list[CopiedRun]:
    """Maximal runs of at least `minimum` words that the source has, in the same order.

    A run that is exactly the source's title or a subheading is not counted: a post sharing an
    article shows its title."""
    index = _source_index(source)
    words = [t.word for t in found]
    longest = [0] * len(words)
    for i in range(len(words) - _INDEX_GRAM + 1):
        for j in index.grams.get(tuple(words[i : i + _INDEX_GRAM]), ()):
            length = _INDEX_GRAM
            while (
                i + length < len(words)
                and j + length < len(index.words)
                and words[i + length] == index.words[j + length]
            ):
                length += 1
            longest[i] = max(longest[i], length)
    runs, i = [], 0
    while i < len(words):
        counted = sum(t.counted for t in found[i : i + longest[i]])
        if longest[i] and counted >= minimum:
            last = found[i + longest[i] - 1]
            if tuple(words[i : i + longest[i]]) not in index.headings:
                runs.append(CopiedRun(found[i].start, last.end, counted))
            i += longest[i]
        else:
            i += 1
    return runs


@dataclass(frozen=True)
class Containment:
    share: float  # of the text's 8-word sequences, those the source contains
    grams: int  # how many 8-word sequences the text has
    copied_words: int  # words of the text inside a copied 8-word sequence


def containment(found: list[Token], source: str) -> Containment:
    """How much of the text is made of 8-word sequences of the source."""
    index = _source_index(source)
    words = [t.word for t in found]
    starts = [i for i in range(len(words) - NGRAM + 1) if _BREAK not in words[i : i + NGRAM]]
    if not starts:
        return Containment(0.0, 0, 0)
    copied = [i for i in starts if tuple(words[i : i + NGRAM]) in index.ngrams]
    covered = {j for i in copied for j in range(i, i + NGRAM) if found[j].counted}
    return Containment(len(copied) / len(starts), len(starts), len(covered))


def closest_sentence(words: list[str], source: str) -> tuple[float, str]:
    """The source sentence most alike `words` (difflib ratio on words), and the ratio."""
    index = _source_index(source)
    shared: Counter[int] = Counter()
    for word in set(words):
        shared.update(index.sentences_by_word.get(word, ()))
    best, best_sentence = 0.0, ""
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(words)
    for candidate, count in shared.most_common(5):
        if count < len(set(words)) / 2:
            break
        sentence, sentence_words = index.sentences[candidate]
        matcher.set_seq1(sentence_words)
        ratio = matcher.ratio()
        if ratio > best:
            best, best_sentence = ratio, sentence
    return best, best_sentence


@dataclass(frozen=True)
class _Body:
    """A post's claims, ready for C1 and C2: frame and quotations set aside."""

    text: str  # the post with its frame blanked (quotations kept)
    unquoted: list[Token]  # words outside quotation marks, with breaks
    words: int  # every word of the body, quotations included


def _body(post: PostContent, ctx: RuleContext) -> _Body:
    frame = frame_spans(post, ctx)
    text = blank(post.text, frame)
    quotes = [(q.start, q.end) for q in find_quotations(text)]
    paragraphs = [m.span() for m in re.finditer(r"\n\s*\n", post.text)]
    # A legal reference must be copied exactly, and official texts are nobody's work.
    citations = [(c.start, c.end) for c in find_legal_citations(text)]
    unquoted = _tokens_with_breaks(post.text, frame + quotes + paragraphs, citations)
    return _Body(text, unquoted, len(_WORD.findall(text)))


def check_copying(post: PostContent, cfg: ChannelConfig, ctx: RuleContext) -> Iterator[Finding]:
    """C1: long passages copied word for word without quotation marks."""
    body = _body(post, ctx)
    runs = copied_runs(body.unquoted, ctx.copyright_text)
    for run in runs:
        long = run.words >= RUN_BLOCKER
        yield Finding(
            rule_id="C1",
            severity="blocker" if long else "warning",
            message=f"{run.words} words in a row are copied word for word from the source, "
            "without quotation marks. "
            + (
                f"Copying {RUN_BLOCKER} words or more infringes the author's rights: "
                if long
                else "That is close to copying: "
            )
            + "rewrite them in your own words, or quote a short passage in quotation marks and "
            "name its author.",
            evidence=f"{excerpt(post.text, run.start, run.end)} — copied from the source",
            location=post.channel,
        )
    mosaic = containment(body.unquoted, ctx.copyright_text)
    share = mosaic.share
    if (
        share >= CONTAINMENT_BLOCKER
        and mosaic.copied_words >= RUN_BLOCKER
        and not any(r.words >= RUN_BLOCKER for r in runs)
    ):
        first = next(t for t in body.unquoted if t.word != _BREAK)
        yield Finding(
            rule_id="C1",
            severity="blocker",
            message=f"Most of this post is the source's own wording: {share:.0%} of its "
            f"{mosaic.grams} eight-word sequences, {mosaic.copied_words} words in all, are "
            "copied from it. Rewrite it in your own words.",
            evidence=f"{excerpt(post.text, first.start, min(len(post.text), first.start + 80))}"
            f" — {share:.0%} of the wording copied from the source",
            location=post.channel,
        )
    covered = [(r.start, r.end) for r in runs]
    for start, end in sentence_spans(body.text):
        words = [
            t.word
            for t in body.unquoted
            if start <= t.start < end and t.counted and t.word != _BREAK
        ]
        if (
            len(words) < RUN_WARNING
            or any(s < end and start < e for s, e in covered)
            or tuple(words) in _source_index(ctx.copyright_text).headings
        ):
            continue
        ratio, sentence = closest_sentence(words, ctx.copyright_text)
        if ratio >= NEAR_IDENTICAL:
            yield Finding(
                rule_id="C1",
                severity="warning",
                message=f"This sentence is the source's sentence lightly edited ({ratio:.0%} "
                "alike), without quotation marks: rewrite it in your own words, or quote the "
                "source exactly and name its author.",
                evidence=f"{excerpt(post.text, start, end)} — the source says: “{sentence}”",
                location=post.channel,
            )


_ATTRIBUTION = re.compile(
    r"(?<!\w)(?:selon|d['’]apr[èe]s|pour\s+reprendre\s+les\s+mots|"
    r"(?:a\s+|avait\s+)?(?:expliqu[ée]|d[ée]clar[ée]|affirm[ée]|estim[ée]|soulign[ée]|"
    r"indiqu[ée]|pr[ée]cis[ée]|ajout[ée]|racont[ée]|confi[ée]|assur[ée]|rappel[ée]|not[ée]|"
    r"observ[ée]|insist[ée]|poursuivi|r[ée]sum[ée]|lanc[ée]|pr[ée]venu|reconnu|t[ée]moign[ée]|"
    r"comment[ée]|conclu|dit|écrit|ecrit)|"
    r"explique|d[ée]clare|affirme|estime|souligne|indique|pr[ée]cise|ajoute|raconte|confie|"
    r"assure|rappelle|note|observe|insiste|poursuit|r[ée]sume|lance|pr[ée]vient|reconna[iî]t|"
    r"t[ée]moigne|commente|conclut|dit|[ée]crit|"
    r"according\s+to|in\s+the\s+words\s+of|said|says|told|tells|explained|explains|added|adds|"
    r"noted|notes|stated|states|wrote|writes|argued|argues|claimed|claims|recalled|recalls|"
    r"insisted|commented|warned|warns|admitted|concluded|put\s+it)(?!\w)",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<!\w)[A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+)+")


def attributed(text: str, start: int, end: int) -> bool:
    """Whether an author is named near the quotation text[start:end] (same paragraph)."""
    before = text[max(0, start - ATTRIBUTION_WINDOW) : start].rsplit("\n\n", 1)[-1]
    after = text[end : end + ATTRIBUTION_WINDOW].split("\n\n", 1)[0]
    near = f"{before} {after}"
    return bool(_ATTRIBUTION.search(near) or _NAME.search(near))


def check_quotation_use(
    post: PostContent, cfg: ChannelConfig, ctx: RuleContext
) -> Iterator[Finding]:
    """C2: quotations of the source must be short and name their author."""
    body = _body(post, ctx)
    for quotation in find_quotations(body.text):
        if match_quotation(quotation.text, ctx.copyright_text).kind == "fabricated":
            continue  # not the source's words: H2 reports it
        problems = []
        too_long = quotation.words > MAX_QUOTATION_WORDS
        if too_long:
            problems.append(
                f"it is {quotation.words} words long (at most {MAX_QUOTATION_WORDS}): "
                "quote less, or summarise"
            )
        share = quotation.words / max(1, body.words)
        if share > MAX_QUOTATION_SHARE:
            problems.append(
                f"it makes up {share:.0%} of the post (at most {MAX_QUOTATION_SHARE:.0%}): "
                "a quotation should support the post, not be it"
            )
        if not attributed(body.text, quotation.start, quotation.end):
            problems.append(
                "no author is named near it: say who said it (“selon …”, “according to …”, "
                "“… said”)"
            )
        if not problems:
            continue
        yield Finding(
            rule_id="C2",
            severity="blocker" if too_long else "warning",
            message="A quotation of the source must be short and credited; this one: "
            + "; ".join(problems)
            + ".",
            evidence=excerpt(post.text, quotation.start, quotation.end),
            location=post.channel,
        )


RULES: tuple[PostRule, ...] = (check_copying, check_quotation_use)
