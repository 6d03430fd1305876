"""The correction and optimisation pass: readability, SEO checks and a typographic polish.

Pure, offline and deterministic: no provider is called.

* `readability`: Flesch reading ease for English (206.835 − 1.015·words/sentence − 84.6·
  syllables/word), Kandel & Moles for French (207 − 1.015·words/sentence − 73.6·syllables/word);
  other languages get Flesch's formula. Syllables are vowel groups, less a silent final "e".
* `seo_checks`: the strategy's main keyword (its first) in the title, the first paragraph and a
  heading; meta description and title lengths; keyword density in the paragraphs.
* `polish`: fixes only what cannot change the meaning (spaces, French typography) and flags,
  without fixing, repeated words and long sentences.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pressroom.editorial.models import Article, Polished, Readability, SeoCheck, Strategy
from pressroom.errors import PressroomError
from pressroom.text import URL, WORD, normalize_space, split_sentences, truncate_words

TITLE_MAX_CHARS = 60
META_MIN_CHARS, META_MAX_CHARS = 70, 155
MAX_KEYWORD_DENSITY = 0.03
LONG_SENTENCE_WORDS = 35
EVIDENCE_CHARS = 60


class EmptyTextError(PressroomError):
    """A text with no word in it has no readability score."""


# ---------------------------------------------------------------- readability

_VOWELS = {
    "en": "aeiouy",
    "fr": "aeiouyàâäéèêëîïôöùûüÿœæ",
}
_FORMULAS: dict[str, tuple[str, float, float]] = {  # name, base, syllable weight
    "en": ("Flesch reading ease", 206.835, 84.6),
    "fr": ("Kandel & Moles", 207.0, 73.6),
}
_LEVELS = [
    (90, "very easy"),
    (80, "easy"),
    (70, "fairly easy"),
    (60, "standard"),
    (50, "fairly difficult"),
    (30, "difficult"),
]
_MARKDOWN = re.compile(r"^\s{0,3}(?:#{1,6}\s+|[-*+]\s+|>\s*)|[*_`]+", re.M)


def syllables(word: str, language: str) -> int:
    """Vowel groups, less a silent final "e" ("-es" in French too); at least one."""
    vowels = _VOWELS.get(language, _VOWELS["en"])
    word = word.lower()
    groups = len(re.findall(f"[{vowels}]+", word))
    silent = word.endswith("e") and not word.endswith(("le", "ee", "ye"))
    if language == "fr":
        silent = word.endswith(("e", "es")) and not word.endswith(("ée", "ées"))
    return max(1, groups - 1 if silent and groups > 1 else groups)


def readability(text: str, language: str) -> Readability:
    """The reading-ease score of `text` (plain or markdown): higher reads more easily."""
    plain = _MARKDOWN.sub("", URL.sub("", text))
    words = WORD.findall(plain)
    sentences = [s for s in split_sentences(plain) if WORD.search(s)]
    if not words:
        raise EmptyTextError("no word to score: the text is empty or only markup and links")
    formula, base, weight = _FORMULAS.get(language, _FORMULAS["en"])
    per_sentence = len(words) / len(sentences)
    per_word = sum(syllables(word, language) for word in words) / len(words)
    score = round(base - 1.015 * per_sentence - weight * per_word, 1)
    level = next((name for floor, name in _LEVELS if score >= floor), "very difficult")
    return Readability(
        score=score, formula=formula, level=level, words=len(words), sentences=len(sentences)
    )


# ---------------------------------------------------------------- SEO


def _folded(text: str) -> str:
    return normalize_space(text.replace("’", "'")).casefold()


def _occurrences(keyword: str, text: str) -> int:
    pattern = rf"(?<!\w){re.escape(_folded(keyword))}(?!\w)"
    return len(re.findall(pattern, _folded(text)))


def seo_checks(article: Article, strategy: Strategy) -> list[SeoCheck]:
    """The article against its strategy's main keyword, and the length limits."""
    keyword = strategy.seo.keywords[0] if strategy.seo.keywords else ""
    paragraphs = [p for section in article.sections for p in section.paragraphs]
    first = paragraphs[0] if paragraphs else ""
    headings = [section.heading for section in article.sections]
    return [
        _keyword_check("keyword in title", keyword, [article.title], "the title"),
        _keyword_check("keyword in first paragraph", keyword, [first], "the first paragraph"),
        _keyword_check("keyword in a heading", keyword, headings, "any heading"),
        _length_check(
            "meta description length", article.meta_description, META_MIN_CHARS, META_MAX_CHARS
        ),
        _length_check("title length", article.title, 1, TITLE_MAX_CHARS),
        _density_check(keyword, paragraphs),
    ]


def _keyword_check(name: str, keyword: str, texts: list[str], where: str) -> SeoCheck:
    if not keyword:
        return SeoCheck(name=name, passed=False, detail="the strategy names no keyword")
    found = any(_occurrences(keyword, text) for text in texts)
    says = "is in" if found else "is not in"
    return SeoCheck(name=name, passed=found, detail=f"the main keyword “{keyword}” {says} {where}")


def _length_check(name: str, text: str, minimum: int, maximum: int) -> SeoCheck:
    length = len(text)
    passed = minimum <= length <= maximum
    limits = f"{minimum}–{maximum}" if minimum > 1 else f"at most {maximum}"
    return SeoCheck(name=name, passed=passed, detail=f"{length} characters ({limits})")


def _density_check(keyword: str, paragraphs: list[str]) -> SeoCheck:
    """Occurrences of the keyword per word of the paragraphs (headings, title, links aside)."""
    name = "keyword density"
    paragraphs = [URL.sub("", paragraph) for paragraph in paragraphs]
    words = sum(len(WORD.findall(p)) for p in paragraphs)
    if not keyword or not words:
        return SeoCheck(name=name, passed=False, detail="no keyword or no paragraph to measure")
    density = sum(_occurrences(keyword, p) for p in paragraphs) / words
    passed = density <= MAX_KEYWORD_DENSITY
    return SeoCheck(
        name=name,
        passed=passed,
        detail=f"“{keyword}” is {density:.1%} of {words} words (at most {MAX_KEYWORD_DENSITY:.0%})",
    )


# ---------------------------------------------------------------- polish

NBSP = "\u00a0"


def _fix(pattern: str, replacement: str, note: str) -> tuple[re.Pattern[str], str, str]:
    return re.compile(pattern), replacement, note


_COMMON_FIXES = [
    _fix(r"(?<=\S) {2,}(?=\S)", " ", "double spaces made single"),
    _fix(r"(?<=\w) +(?=[,.](?:\s|$))", "", "spaces before a comma or period removed"),
]
_FRENCH_FIXES = [
    _fix(
        rf"(?<=[^\s{NBSP};:!?«])[ \u202f]?(?=[;:!?](?:[\s»)]|$))",
        NBSP,
        "no-break spaces put before ; : ! ?",
    ),
    _fix(rf"«[ \u202f]?(?=[^\s{NBSP}])", f"«{NBSP}", "no-break spaces put inside « »"),
    _fix(rf"(?<=[^\s{NBSP}])[ \u202f]?»", f"{NBSP}»", "no-break spaces put inside « »"),
    _fix(r"(?<=\w)'(?=\w)", "’", "apostrophes made typographic (’)"),
]
_REPEATED = re.compile(r"(?<!\w)(\w+)\s+(\1)(?!\w)", re.I)
_LEGITIMATE_REPEATS = {"en": {"had", "that"}, "fr": {"nous", "vous"}}


def polish(text: str, language: str, *, keep: Iterable[str] = ()) -> Polished:
    """Safe typographic fixes, each reported with its count; repeated words and sentences over
    LONG_SENTENCE_WORDS words are flagged, not fixed.

    URLs and every occurrence of a string in `keep` (the brand's disclosure, its call to action:
    texts other checks look for as written) are left exactly as they are."""
    fixes = _COMMON_FIXES + (_FRENCH_FIXES if language == "fr" else [])
    counts: dict[str, int] = {}
    for pattern, replacement, note in fixes:
        text, made = _outside(text, _protected(text, keep), pattern, replacement)
        if made:
            counts[note] = counts.get(note, 0) + made
    notes = [f"{count} {note}" for note, count in counts.items()]
    return Polished(text=text, notes=notes + _flags(text, language))


def _protected(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    spans = [m.span() for m in URL.finditer(text)]
    for kept in filter(None, keep):
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(kept), text)]
    return spans


def _outside(
    text: str, protected: list[tuple[int, int]], pattern: re.Pattern[str], replacement: str
) -> tuple[str, int]:
    """`text` with `pattern` replaced wherever the match does not touch a protected span."""
    made = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal made
        start, end = match.span()
        if any(s <= end and start <= e for s, e in protected) or match.group() == replacement:
            return match.group()
        made += 1
        return replacement

    return pattern.sub(replace, text), made


def _flags(text: str, language: str) -> list[str]:
    legitimate = _LEGITIMATE_REPEATS.get(language, set())
    flags = [
        f"repeated word “{m.group(1)} {m.group(2)}” (not fixed): {_from(text, m.start())}"
        for m in _REPEATED.finditer(text)
        if m.group(1).lower() not in legitimate and not m.group(1).isdigit()
    ]
    for sentence in split_sentences(_MARKDOWN.sub("", text)):
        words = len(WORD.findall(sentence))
        if words > LONG_SENTENCE_WORDS:
            flags.append(
                f"sentence of {words} words, over {LONG_SENTENCE_WORDS} (not fixed): "
                f"“{truncate_words(sentence, EVIDENCE_CHARS)}”"
            )
    return flags


def _from(text: str, start: int) -> str:
    return f"“{truncate_words(normalize_space(text[start:]), EVIDENCE_CHARS)}”"
