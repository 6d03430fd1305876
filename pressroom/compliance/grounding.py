"""Hallucination and grounding (H1–H5): what the output claims must be in the source.

* H1 number-not-in-source   a number or a date the source does not give              blocker
                            (compared by value: "3,2 millions" = "3 200 000" = "3.2 million";
                            a date's day, month and year are compared as numbers)
* H2 quotation-not-verbatim a quotation (« … », “ … ”, "…") not word for word in the      blocker
                            source: "altered" when a close passage exists (shown), else
                            "fabricated"
* H3 legal-citation         an article of law, a law or decree number, an EU act, a court   blocker
                            decision or a statute that the source does not cite
* H4 name-not-in-source     a person or organisation the source does not name            blocker
                            (spaCy's NER, as loaded for Presidio; names compared folded, without
                            elisions, possessives or titles; a surname alone, an acronym or its
                            expansion count as named)
* H5 weak-support           a sentence most of whose key words are not in the source        warning

Only what the post claims is checked: the frame around it (the AI-disclosure label, the brand's
call to action and link-in-bio line, hashtags, links, emoji) is blanked out first, so that a
disclosure citing "AI Act, Art. 50" is never taken for a legal claim. Everything here is
offline and deterministic; H1–H3 and H5 are plain Python, H4 uses the NER of the pinned spaCy
models that `pressroom.compliance.pii` loads once per process.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from segtok.segmenter import split_multi

from pressroom.compliance.base import PostContent, PostRule, RuleContext, excerpt
from pressroom.compliance.contact import find_contact_data
from pressroom.compliance.pii import PINNED_MODELS, PersonalData, entities
from pressroom.models import Finding
from pressroom.settings import BrandConfig, ChannelConfig
from pressroom.text import HASHTAG, URL

NOT_IN_SOURCE = "not in the source"

# ---------------------------------------------------------------- shared text helpers

Span = tuple[int, int]


def fold(text: str) -> str:
    """Lower case without accents: 'Élevé' -> 'eleve'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def blank(text: str, spans: Iterable[Span]) -> str:
    """`text` with every span replaced by spaces (newlines kept): offsets stay valid."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(0, start), min(len(chars), end)):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


def _occurrences(text: str, needle: str) -> Iterator[Span]:
    if not needle.strip():
        return
    start = text.find(needle)
    while start >= 0:
        yield (start, start + len(needle))
        start = text.find(needle, start + len(needle))


def _is_emoji(char: str) -> bool:
    """Pictographs (📰, 👉, ✅), not symbols such as ° or ©."""
    return ord(char) >= 0x2190 and unicodedata.category(char) == "So"


def frame_spans(post: PostContent, ctx: RuleContext) -> list[Span]:
    """The parts of a post that frame it rather than claim anything."""
    brand = ctx.brand
    labels = {post.disclosure, *brand.call_to_action.values(), *brand.link_in_bio.values()}
    for texts in brand.disclosure.values():
        labels.update((texts.short, texts.long))
    spans = [span for label in labels if label for span in _occurrences(post.text, label)]
    spans += [m.span() for m in URL.finditer(post.text)]
    spans += [m.span() for m in HASHTAG.finditer(post.text)]
    spans += [(i, i + 1) for i, c in enumerate(post.text) if _is_emoji(c)]
    return spans


def claim_text(post: PostContent, ctx: RuleContext) -> str:
    """The post with its frame blanked out, same length as `post.text`."""
    return blank(post.text, frame_spans(post, ctx))


def sentence_spans(text: str) -> list[Span]:
    """Sentences of `text` as (start, end) offsets, paragraph by paragraph."""
    spans: list[Span] = []
    for paragraph in re.finditer(r"\S(?:.|\n(?!\s*\n))*", text):
        cursor = paragraph.start()
        for sentence in split_multi(paragraph.group()):
            sentence = sentence.strip()
            if not sentence:
                continue
            start = text.find(sentence, cursor, paragraph.end())
            if start < 0:  # the segmenter changed the text: fall back to the paragraph
                spans.append((cursor, paragraph.end()))
                break
            spans.append((start, start + len(sentence)))
            cursor = start + len(sentence)
    return spans


# Small words that carry no claim (French, English, some German); numbers are H1's business.
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _word_set(
    """
    a à afin ai aie aient ainsi alors au aucun aucune aupres auprès aussi autre autres aux avait
    avaient avant avec avoir ayant bien c ça car ce ceci cela celle celles celui cependant ces
    cet cette ceux chacun chaque chez comme comment contre d dans de depuis des dès deja déjà doit
    donc dont du elle elles en encore entre es est et étaient était etc été être eu eux fait faire
    fois font ici il ils j je jusqu jusque l la là le les leur leurs lors lorsqu lorsque lui m ma
    mais me même mêmes mes moi moins mon n ne ni non nos notre nous on ont ou où par parce parmi
    pas peu peut peuvent plus plusieurs pour pourquoi puis qu quand que quel quelle quelles quels
    qui quoi s sa sans se selon ses si sien soit son sont sous sur t ta te tes toi ton tous tout
    toute toutes très trop tu un une vers via voici voilà vos votre vous y
    about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either else
    ever few for from further had has have having he her here hers herself him himself his how
    however i if in into is it its itself just let me more most much must my myself no nor not
    now of off on once only or other ought our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those
    through thus to too under until up upon us very was we were what when where whether which
    while who whom whose why will with within without would yet you your yours yourself
    der die das und ist nicht ein eine einen dem den des mit von zu im auf für sich auch als
    """
)
_FOLDED_STOPWORDS = frozenset(fold(w) for w in STOPWORDS)
_LETTERS = re.compile(r"[^\W\d_]+")
_MIN_CONTENT_LETTERS = 3
_STEM_LENGTH = 6


def stem(word: str) -> str:
    """A crude, language-agnostic stem: folded, plural dropped, cut to six letters.

    'capteurs' and 'capteur', 'financés' and 'financement', 'ferries' and 'ferry' share a stem.
    """
    w = fold(word)
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("s", "x")) and len(w) > 4:
        w = w[:-1]
    return w[:_STEM_LENGTH]


def content_words(text: str) -> list[str]:
    """Words that say something: letters only, three or more, not a small word."""
    return [
        w
        for w in _LETTERS.findall(text)
        if len(w) >= _MIN_CONTENT_LETTERS and fold(w) not in _FOLDED_STOPWORDS
    ]


# ---------------------------------------------------------------- H1 numbers and dates

_GROUP_SEPARATORS = " \u00a0\u202f\u2009,.'’"
_NUMBER = re.compile(
    r"(?<![\w.,])"
    r"(?P<int>\d{1,3}(?P<sep>[ \u00a0\u202f\u2009]|,|\.|'|’)\d{3}(?!\d)(?:(?P=sep)\d{3}(?!\d))*"
    r"|\d+)"
    r"(?P<dec>[.,]\d+)?"
    r"(?!\d)"
)
_SCALE_WORD = re.compile(
    r"\s?(?:(?P<word>millions?|milliards?|billions?|trillions?|thousands?|mille)\b"
    r"|(?P<abbr>mds?|mrds?|m)\s?(?=[€$£]))",
    re.IGNORECASE,
)
_ATTACHED_SCALE = re.compile(r"(?P<word>k|m|bn|mn)(?![\w])", re.IGNORECASE)
_SCALES: dict[str, int] = {
    "million": 10**6,
    "millions": 10**6,
    "mn": 10**6,
    "m": 10**6,
    "milliard": 10**9,
    "milliards": 10**9,
    "md": 10**9,
    "mds": 10**9,
    "mrd": 10**9,
    "mrds": 10**9,
    "billion": 10**9,
    "billions": 10**9,
    "bn": 10**9,
    "trillion": 10**12,
    "trillions": 10**12,
    "thousand": 10**3,
    "thousands": 10**3,
    "mille": 10**3,
    "k": 10**3,
}
_CURRENCY = "€$£¥"
_ORDINAL_AFTER = re.compile(r"(?:er|re|ère|ème|eme|e|nd|st|rd|th)(?!\w)")
_IDENTIFIER = re.compile(r"(?<![\w])[^\W\d_]+\d[\w]*(?:[.,]\d+)?")

_NUMBER_WORDS: dict[str, int] = {
    # English
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
    # French
    "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "soixante": 60,
}  # fmt: skip
_ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "twelfth": 12, "twentieth": 20, "thirtieth": 30,
    "hundredth": 100, "premier": 1, "première": 1, "deuxième": 2, "troisième": 3,
    "quatrième": 4, "cinquième": 5, "sixième": 6, "septième": 7, "huitième": 8, "neuvième": 9,
    "dixième": 10, "vingtième": 20, "centième": 100,
}  # fmt: skip
_HUNDREDS = {"hundred", "hundreds", "cent", "cents"}
_BIG_SCALES = {
    "thousand": 10**3, "thousands": 10**3, "mille": 10**3, "million": 10**6,
    "millions": 10**6, "milliard": 10**9, "milliards": 10**9, "billion": 10**9,
    "billions": 10**9,
}  # fmt: skip
#: Number words are claims from ten up ("the two cities" is often loose talk, "neuf" is "new").
MIN_WORD_NUMBER_CLAIM = 10

_MONTHS: dict[str, int] = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12, "january": 1, "february": 2, "march": 3, "april": 4,
    "may": 5, "june": 6, "july": 7, "august": 8, "september": 9, "october": 10,
    "november": 11, "december": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ORDINAL_SUFFIX = r"(?:er|re|ère|e|ème|st|nd|rd|th)?"
_DATE = re.compile(
    rf"(?<![\w])(?:(?P<d1>\d{{1,2}}){_ORDINAL_SUFFIX}(?:\s+of)?\s+(?P<m1>{_MONTH})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}){_ORDINAL_SUFFIX}(?![\d\w])"
    rf"|(?P<m3>{_MONTH})\s+(?P<y3>\d{{4}}))(?![\w])",
    re.IGNORECASE,
)
_MONTH_WORD = re.compile(rf"(?<![\w])(?P<m>{_MONTH})(?![\w])", re.IGNORECASE)
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.-])(?:(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.]\d{2,4}|\d{4}-(?P<m2>\d{1,2})-\d{1,2})"
    r"(?![\d/.-])"
)


def _month_number(word: str) -> int | None:
    """May and March are months only when capitalised ("may" is a verb, "march" a walk)."""
    key = word.casefold()
    if key in {"may", "march"} and not word[:1].isupper():
        return None
    return _MONTHS.get(key)


@dataclass(frozen=True)
class NumberMention:
    """A number (or a month of a date) in a text, with every value it may be read as."""

    start: int
    end: int
    raw: str
    values: frozenset[Decimal]
    kind: str = "number"  # "number" | "identifier" | "month"
    spelling: str = ""  # an identifier's folded spelling: 'pm2.5'


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _scale_after(text: str, end: int, start: int) -> tuple[int, int]:
    """(multiplier, new end) for '3,2 millions', '£4.5m', '50k', or (1, end)."""
    word = _SCALE_WORD.match(text, end)
    if word:
        return _SCALES[(word.group("word") or word.group("abbr")).casefold()], word.end()
    attached = _ATTACHED_SCALE.match(text, end)
    if attached:
        key = attached.group("word").casefold()
        after_currency = start > 0 and text[start - 1] in _CURRENCY
        if key in {"k", "bn"} or after_currency:
            return _SCALES[key], attached.end()
    return 1, end


def _number_values(match: re.Match[str]) -> set[Decimal]:
    integer, sep, dec = match.group("int"), match.group("sep"), match.group("dec")
    values: set[Decimal] = set()
    if sep:
        grouped = _decimal(re.sub(r"\D", "", integer) + ("." + dec[1:] if dec else ""))
        if grouped is not None:
            values.add(grouped)
        groups = integer.count(sep)
        if sep in ",." and groups == 1 and not dec:  # "1,250" or "1.250": 1250 or 1.25
            alternative = _decimal(integer.replace(sep, "."))
            if alternative is not None:
                values.add(alternative)
    else:
        plain = _decimal(integer + ("." + dec[1:] if dec else ""))
        if plain is not None:
            values.add(plain)
    return values


def _word_number(words: list[str]) -> int | None:
    """Value of a run of number words ('deux cents', 'thirty-eight', 'quatre-vingt-dix')."""
    total = current = 0
    seen = False
    previous = ""
    for word in words:
        w = word.casefold()
        if w in {"et", "and"}:
            continue
        if w in _NUMBER_WORDS:
            value = _NUMBER_WORDS[w]
            if w in {"vingt", "vingts"} and previous == "quatre":
                current += 80 - 4
            else:
                current += value
            seen = True
        elif w in _ORDINAL_WORDS:
            current += _ORDINAL_WORDS[w]
            seen = True
        elif w in _HUNDREDS:
            current = (current or 1) * 100
        elif w in _BIG_SCALES:
            total += (current or 1) * _BIG_SCALES[w]
            current = 0
        else:
            return None
        previous = w
    return total + current if seen else None


def _joins(words: list[tuple[str, int]], j: int) -> bool:
    """'vingt et un', 'soixante et onze', 'two hundred and fifty': not 'two and three'."""
    if j + 2 >= len(words):
        return False
    here, joiner, after = (words[k][0].casefold() for k in (j, j + 1, j + 2))
    if joiner == "et":
        return after in {"un", "une", "onze"} and here in _NUMBER_WORDS
    return joiner == "and" and here in _HUNDREDS | _BIG_SCALES.keys() and after in _NUMBER_WORDS


def _word_numbers(text: str, claims_only: bool) -> Iterator[NumberMention]:
    vocabulary = _NUMBER_WORDS.keys() | _HUNDREDS | _BIG_SCALES.keys()
    if not claims_only:
        vocabulary |= _ORDINAL_WORDS.keys()
    for run in re.finditer(r"[^\W\d_]+(?:(?:[\s-]+)[^\W\d_]+)*", text):
        words = [(m.group(), m.start()) for m in re.finditer(r"[^\W\d_]+", run.group())]
        i = 0
        while i < len(words):
            if words[i][0].casefold() not in vocabulary:
                i += 1
                continue
            j = i
            while j + 1 < len(words) and (
                words[j + 1][0].casefold() in vocabulary or _joins(words, j)
            ):
                j += 1
            chunk = [w for w, _ in words[i : j + 1]]
            value = _word_number(chunk)
            start = run.start() + words[i][1]
            end = run.start() + words[j][1] + len(words[j][0])
            if value is not None and (not claims_only or value >= MIN_WORD_NUMBER_CLAIM):
                yield NumberMention(start, end, text[start:end], frozenset({Decimal(value)}))
            i = j + 1


def find_numbers(text: str, *, claims_only: bool = True) -> list[NumberMention]:
    """Numbers in `text` (digits in French or English format, scale words, number words from
    ten, identifiers like 'PM2,5' or 'A320') and the months of dates.

    With ``claims_only=False`` (for the source), every reading that could support a claim is
    added: small number words, ordinal words, the parts of a space-grouped number.
    """
    found: list[NumberMention] = []
    identifiers = [(m.start(), m.end()) for m in _IDENTIFIER.finditer(text)]
    for start, end in identifiers:
        raw = text[start:end]
        spelling = fold(raw).replace(",", ".")  # compared by spelling
        found.append(NumberMention(start, end, raw, frozenset(), "identifier", spelling))
    for match in _NUMBER.finditer(text):
        if any(s <= match.start() < e for s, e in identifiers):
            continue
        values = _number_values(match)
        scale, end = _scale_after(text, match.end(), match.start())
        ordinal = _ORDINAL_AFTER.match(text, end) if scale == 1 else None
        end = ordinal.end() if ordinal else end  # "1er", "3rd": the span shows the suffix
        if scale != 1:
            scaled = {v * scale for v in values}
            values = scaled | (values if not claims_only else set())
        if not claims_only and (match.group("sep") or "x") in _GROUP_SEPARATORS[:4]:
            values |= {Decimal(part) for part in re.findall(r"\d+", match.group("int"))}
        if values:
            found.append(
                NumberMention(match.start(), end, text[match.start() : end], frozenset(values))
            )
    found.extend(_word_numbers(text, claims_only))
    for date in _DATE.finditer(text):
        word = date.group("m1") or date.group("m2") or date.group("m3")
        month = _month_number(word)
        if month is not None:
            found.append(
                NumberMention(date.start(), date.end(), date.group(), frozenset({Decimal(month)}),
                              "month")
            )  # fmt: skip
    return sorted(found, key=lambda n: (n.start, n.kind))


@dataclass(frozen=True)
class _SourceFacts:
    numbers: frozenset[Decimal]
    identifiers: frozenset[str]
    months: frozenset[int]


@lru_cache(maxsize=64)
def _source_facts(source: str) -> _SourceFacts:
    mentions = find_numbers(source, claims_only=False)
    months = {
        m for w in _MONTH_WORD.finditer(source) if (m := _month_number(w.group())) is not None
    }
    for numeric in _NUMERIC_DATE.finditer(source):
        month = numeric.group("m") or numeric.group("m2")
        if month and 1 <= int(month) <= 12:
            months.add(int(month))
    return _SourceFacts(
        numbers=frozenset(v for n in mentions if n.kind == "number" for v in n.values),
        identifiers=frozenset(n.spelling for n in mentions if n.kind == "identifier"),
        months=frozenset(months),
    )


def _number_supported(mention: NumberMention, facts: _SourceFacts) -> bool:
    if mention.kind == "month":
        return all(int(v) in facts.months for v in mention.values)
    if mention.kind == "identifier":
        return mention.spelling in facts.identifiers
    return bool(mention.values & facts.numbers)


def check_numbers(post: PostContent, cfg: ChannelConfig, ctx: RuleContext) -> Iterator[Finding]:
    """H1: every number and date the post states must be in the source."""
    text = claim_text(post, ctx)
    others = [(c.start, c.end) for c in find_contact_data(text)]  # G3's business
    others += [(c.start, c.end) for c in find_legal_citations(text)]  # H3's
    others += [(q.start, q.end) for q in find_quotations(text)]  # H2's
    text = blank(text, others)
    facts = _source_facts(ctx.source_text)
    reported: set[tuple[str, frozenset[Decimal], str]] = set()
    for mention in find_numbers(text):
        key = (mention.kind, mention.values, mention.spelling)
        if _number_supported(mention, facts) or key in reported:
            continue
        reported.add(key)
        what = {
            "month": f"The date “{mention.raw}” is in a month the source never mentions",
            "identifier": f"“{mention.raw}” does not appear in the source",
            "number": f"The number “{mention.raw}” does not appear in the source (numbers are "
            "compared by value, so “3,2 millions”, “3 200 000” and “3.2 million” are the same)",
        }[mention.kind]
        yield Finding(
            rule_id="H1",
            severity="blocker",
            message=f"{what}. A figure the source does not give may be invented or wrong: "
            "check it against the article, or remove it.",
            evidence=f"{excerpt(post.text, mention.start, mention.end)} — {NOT_IN_SOURCE}",
            location=post.channel,
        )


# ---------------------------------------------------------------- H2 quotations

_QUOTATION = re.compile(
    r"«\s*(?P<a>[^«»]+?)\s*»"
    r"|“(?P<b>[^“”]+)”"
    r"|„(?P<c>[^„“”]+)[“”]"
    r"|(?<![\w\"])\"(?P<d>[^\"\n]+)\"(?![\w\"])"
)
MIN_QUOTATION_WORDS = 3  # shorter quoted strings are names, titles or scare quotes
ALTERED_RATIO = 0.8
_QUOTE_MARKS = re.compile(r"[«»“”„‟\"‹›]")
_ELLIPSIS = re.compile(r"\[…\]|\[\.\.\.\]|\(…\)|\(\.\.\.\)|…|\.\.\.")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Quotation:
    start: int  # the opening mark
    end: int  # after the closing mark
    text: str  # what is between the marks

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def find_quotations(text: str) -> list[Quotation]:
    """Quotations of three words or more, in French, English or German quotation marks."""
    found = []
    for match in _QUOTATION.finditer(text):
        inner = next(g for g in match.groups() if g is not None)
        quotation = Quotation(match.start(), match.end(), inner.strip())
        if quotation.words >= MIN_QUOTATION_WORDS:
            found.append(quotation)
    return found


def normalize_quotation(text: str, *, keep_case: bool = False) -> str:
    """Folded case and spacing, one apostrophe and dash, no quotation marks or edge punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = text if keep_case else text.lower()
    text = re.sub(r"[’‘ʼ`´]", "'", text)
    text = re.sub(r"[‐‑‒–—―]", "-", text)
    text = _QUOTE_MARKS.sub(" ", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .,;:!?-'")


@dataclass(frozen=True)
class QuoteMatch:
    kind: str  # "verbatim" | "altered" | "fabricated"
    ratio: float
    passage: str = ""  # the closest passage of the source (altered), or the verbatim one


@dataclass(frozen=True)
class _SourceWords:
    normalized: str
    words: list[tuple[int, int]]  # spans of words in `normalized`
    display: str  # `normalized` with the source's capitals, to show passages

    def passage(self, start: int, end: int) -> str:
        """The sentence around normalized[start:end], as the source writes it."""
        text = self.display
        opening = max(text.rfind(p, max(0, start - 200), start) for p in ".!?…")
        start = opening + 1 if opening >= 0 else max(0, start - 200)
        closing = [i for p in ".!?…" if (i := text.find(p, end, end + 200)) >= 0]
        end = min(closing) + 1 if closing else min(len(text), end + 200)
        return text[start:end].strip()


@lru_cache(maxsize=64)
def _source_words(source: str) -> _SourceWords:
    normalized = normalize_quotation(source)
    display = normalize_quotation(source, keep_case=True)
    if len(display) != len(normalized):  # lower() changed a length: show lower case
        display = normalized
    return _SourceWords(normalized, [m.span() for m in _WORD.finditer(normalized)], display)


def match_quotation(quotation: str, source: str) -> QuoteMatch:
    """Whether `quotation` is word for word in `source` (an ellipsis may skip words), and if
    not, the closest passage of the source (difflib ratio on a sliding window of words)."""
    indexed = _source_words(source)
    fragments = [normalize_quotation(f) for f in _ELLIPSIS.split(quotation)]
    fragments = [f for f in fragments if f]
    cursor, first = 0, -1
    for fragment in fragments:
        at = _find_words(indexed.normalized, fragment, cursor)
        if at < 0:
            break
        first = at if first < 0 else first
        cursor = at + len(fragment)
    else:
        if fragments:
            return QuoteMatch("verbatim", 1.0, indexed.display[first:cursor])
    target = " ".join(fragments)
    ratio, passage = _closest_passage(target, indexed)
    return QuoteMatch("altered" if ratio >= ALTERED_RATIO else "fabricated", ratio, passage)


def _find_words(haystack: str, needle: str, start: int) -> int:
    """Where `needle` starts in `haystack` at word boundaries, from `start`; -1 if nowhere."""
    at = haystack.find(needle, start)
    while at >= 0:
        end = at + len(needle)
        before_ok = at == 0 or not (haystack[at - 1].isalnum() and needle[0].isalnum())
        after_ok = end == len(haystack) or not (haystack[end].isalnum() and needle[-1].isalnum())
        if before_ok and after_ok:
            return at
        at = haystack.find(needle, at + 1)
    return -1


def _closest_passage(target: str, indexed: _SourceWords) -> tuple[float, str]:
    wanted = _WORD.findall(target)
    n, spans = len(wanted), indexed.words
    if not n or not spans:
        return 0.0, ""
    source_words = [indexed.normalized[s:e] for s, e in spans]
    need = Counter(wanted)
    # Windows of the quotation's length, ranked by how many of its words they share.
    window: Counter[str] = Counter(source_words[:n])
    overlap = sum((window & need).values())
    overlaps = [(overlap, 0)]
    for i in range(1, max(1, len(source_words) - n + 1)):
        leaving, entering = source_words[i - 1], source_words[i + n - 1]
        if window[leaving] <= need[leaving]:
            overlap -= 1
        window[leaving] -= 1
        if window[entering] < need[entering]:
            overlap += 1
        window[entering] += 1
        overlaps.append((overlap, i))
    best_ratio, best_passage = 0.0, ""
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    for _, i in sorted(overlaps, key=lambda o: (-o[0], o[1]))[:8]:
        for size in {max(1, n - 2), n - 1, n, n + 1, n + 2}:
            if size < 1 or i + size > len(spans):
                continue
            passage = indexed.normalized[spans[i][0] : spans[i + size - 1][1]]
            matcher.set_seq1(passage)
            if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best_ratio = ratio
                best_passage = indexed.passage(spans[i][0], spans[i + size - 1][1])
    return best_ratio, best_passage


def check_quotations(post: PostContent, cfg: ChannelConfig, ctx: RuleContext) -> Iterator[Finding]:
    """H2: a quotation must be word for word in the source."""
    for quotation in find_quotations(claim_text(post, ctx)):
        found = match_quotation(quotation.text, ctx.source_text)
        if found.kind == "verbatim":
            continue
        span = excerpt(post.text, quotation.start, quotation.end)
        if found.kind == "altered":
            yield Finding(
                rule_id="H2",
                severity="blocker",
                message="This quotation has been altered: the source says something close but "
                f"not these exact words ({found.ratio:.0%} alike). A quotation must be word for "
                "word; copy the source's wording or stop quoting.",
                evidence=f"{span} — the source says: “{found.passage}”",
                location=post.channel,
            )
        else:
            yield Finding(
                rule_id="H2",
                severity="blocker",
                message="This quotation is not in the source, nor anything close to it: it may "
                "be invented. Remove it, or check who said it and where.",
                evidence=f"{span} — {NOT_IN_SOURCE}",
                location=post.channel,
            )


# ---------------------------------------------------------------- H3 legal citations

_N = r"(?:n[°ºo]\.?|no\.|nr\.?|num[ée]ro)\s*"
_DATE_WORDS = rf"(?:\d{{1,2}}(?:er)?\s+(?:{_MONTH})\s+\d{{4}})"
_INSTRUMENT = (
    r"(?:\s*,?\s*(?:du|de\s+la|de\s+l['’]|des|de|of\s+the|of)\s+"
    r"(?P<inst>[Cc]ode(?:\s+(?:de\s+la|du|de\s+l['’]|des|de))?\s+[\w-]+"
    r"|(?:règlement|reglement|regulation|directive|loi|law|traité|treaty|convention)\b"
    r"[^,;.()\n]{0,60}"
    r"|[A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|de|du|des|of|on|for|and)){0,8}(?:\s+[A-Z][\w-]*)?)"
    r"|\s+(?P<acro>RGPD|GDPR|CEDH|ECHR|TFUE|TFEU|DSA|DMA|AI\s+Act))?"
)
_LEGAL_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "article",
        re.compile(
            r"(?<![\w])(?:[Aa]rticles?|[Aa]rt\.?)\s*(?P<id>(?:L\.?\s?O|[LRDA])?\.?\s*\d+"
            r"(?:[-–.]\d+)*(?:\s*\(\d+\))*(?:\s*\([a-z]\))*)" + _INSTRUMENT
        ),
    ),
    (
        "numbered-act",
        re.compile(
            r"(?<![\w])(?:[Ll]oi|[Dd][ée]cret|[Oo]rdonnance|[Aa]rr[êe]t[ée]|[Dd][ée]cision|"
            r"[Ll]aw|[Dd]ecree)\s+(?:organique\s+)?" + _N + r"(?P<id>\d{2,4}-\d+(?:\s*(?:DC|QPC))?)"
        ),
    ),
    ("dated-law", re.compile(rf"(?<![\w])[Ll]oi\s+du\s+(?P<id>{_DATE_WORDS})", re.IGNORECASE)),
    (
        "eu-act",
        re.compile(
            r"(?<![\w])(?:[Rr][èe]glement|[Rr]egulation|[Dd]irective|[Dd][ée]cision)\s*"
            r"(?:d['’]ex[ée]cution\s*|d[ée]l[ée]gu[ée]\s*)?"
            r"(?:\((?:UE|EU|CE|EC|CEE|EEC|Euratom)\)\s*)?(?:" + _N + r")?"
            r"(?P<id>\d{2,4}/\d{1,4}(?:/(?:UE|EU|CE|EC|CEE|EEC))?)"
        ),
    ),
    ("eu-case", re.compile(r"(?<![\w-])(?P<id>[CT]-\d{1,4}/\d{2})(?![\w/])")),
    ("ecli", re.compile(r"(?P<id>ECLI:[A-Z]{2}:[A-Z]+:\d{4}:[\w.]+)")),
    (
        "cassation",
        re.compile(
            r"(?<![\w])(?:Cass\.?|Cour\s+de\s+cassation)"
            r"(?:\s*,?\s*(?:civ|com|crim|soc|ch\.?\s*mixte|ass\.?\s*pl[ée]n|pl[ée]n)\.?"
            r"(?:\s*\d(?:re|e|ère))?)*"
            rf"(?:\s*,?\s*(?P<date>{_DATE_WORDS}))?"
            r"(?:\s*,?\s*(?:pourvoi\s+)?" + _N + r"(?P<id>\d{2}-\d{2}\.?\d{3}))?"
        ),
    ),
    (
        "conseil-etat",
        re.compile(
            r"(?<![\w])(?:CE|Conseil\s+d['’][ÉE]tat)\s*,\s*(?:(?:ass|sect|r[ée]f)\.?\s*,\s*)?"
            rf"(?P<date>(?:\d{{1,2}}(?:er)?\s+(?:{_MONTH})\s+)?\d{{4}})"
            r"(?:\s*,\s*" + _N + r"(?P<id>\d+))?"
        ),
    ),
    (
        "us-code",
        re.compile(
            r"(?<![\w])(?P<id>\d+\s+(?:U\.?\s?S\.?\s?C|C\.?\s?F\.?\s?R)\.?(?:A\.?)?\s*"
            r"(?:§+|[Ss]ec(?:tion|\.)?)?\s*\d+[\w.-]*(?:\(\w+\))*)"
        ),
    ),
    (
        "section",
        re.compile(
            r"(?<![\w])(?:Section|Sec\.|§+)\s*(?P<id>\d+[A-Za-z]?(?:\(\w+\))*)"
            r"(?:\s+of\s+the\s+(?P<inst>[A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|of|and|for|on)){0,8}))?"
        ),
    ),
    (
        "us-reporter",
        re.compile(
            r"(?<![\w])(?P<id>\d+\s+(?:U\.\s?S\.|S\.\s?Ct\.|F\.\s?(?:Supp\.\s?)?(?:\d?d)?|"
            r"L\.\s?Ed\.(?:\s?2d)?)\s+\d+)"
        ),
    ),
    (
        "neutral-citation",
        re.compile(
            r"(?P<id>\[\d{4}\]\s+(?:EWCA\s+(?:Civ|Crim)|EWHC|UKSC|UKHL|UKPC|UKUT|AC|QB|KB|Ch|"
            r"\d?\s?WLR|All\s+ER|[A-Z]{2,6})(?:\s+\d+)?(?:\s+\((?:Ch|QB|KB|Admin|Comm|Fam)\))?)"
        ),
    ),
    (
        "case-name",
        re.compile(
            r"(?P<id>(?:[A-Z][\w'’-]*\.?\s+){0,5}?[A-Z][\w'’-]*\s+v(?:\.|s\.)\s+"
            r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|the)\s+)?[A-Z][\w'’-]*){0,5})"
        ),
    ),
    (
        "act",
        re.compile(
            r"(?P<id>(?:[A-Z][\w-]*\s+)(?:(?:[A-Z][\w-]*|and|of|for|on|the)\s+){0,8}Act\s+"
            r"(?:of\s+)?\d{4})"
        ),
    ),
]
_LEGAL_ALIASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), a)
    for p, a in [
        (r"conseil d'etat", " ce "),
        (r"cour de cassation", " cass "),
        (r"cour de justice de l'union europeenne|\bcjeu\b|court of justice of the eu\w*", " cjue "),
        (r"\brgpd\b|general data protection regulation", " gdpr "),
        (r"reglement general sur la protection des donnees", " gdpr "),
        (r"\bregulation\b", " reglement "),
        (r"\bcedh\b", " echr "),
        (r"\btfue\b", " tfeu "),
        (r"\barts?\b", " article "),
        (r"\bsec\b", " section "),
        (r"\baffaires?\b|\baff\b|\bcases?\b", " case "),
        (r"\bvs\b", " v "),
    ]
]


@dataclass(frozen=True)
class LegalCitation:
    start: int
    end: int
    kind: str
    text: str
    parts: tuple[tuple[str, ...], ...]  # token sequences the source must contain
    instrument: tuple[str, ...] = ()  # words the source must contain, in any order


def legal_tokens(text: str) -> list[str]:
    """Folded word and number tokens, with common abbreviations and court names unified."""
    t = fold(text).replace("’", "'").replace("§", " section ")
    for pattern, alias in _LEGAL_ALIASES:
        t = pattern.sub(alias, t)
    t = t.replace(".", "")  # "U.S.C." -> "usc", "L. 121-1" -> "l 121-1", "09-12.345" -> "09-12345"
    tokens = re.findall(r"[a-z]+|\d+", t)
    kept: list[str] = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in {"n", "no", "nr", "num", "numero", "o"} and following.isdigit():
            continue  # "n° 2016-1321" and "no. 2016-1321" are the same reference
        if token == "section" and kept and kept[-1] in {"usc", "cfr", "usca"}:
            continue
        kept.append(token)
    return kept


_GLUE = _word_set("de la le les du des d l et of the and on for")


def _instrument_words(text: str) -> tuple[str, ...]:
    return tuple(t for t in legal_tokens(text) if t not in _GLUE and not t.isdigit())


def _merge_adjacent(text: str, citations: list[LegalCitation]) -> list[LegalCitation]:
    """'Smith v. Jones [2019] UKSC 12' is one citation, found as two."""
    merged: list[LegalCitation] = []
    for citation in citations:
        last = merged[-1] if merged else None
        if (
            last
            and last.kind == "case-name"
            and citation.kind in {"neutral-citation", "us-reporter"}
            and re.fullmatch(r"[\s,]{0,3}", text[last.end : citation.start])
        ):
            merged[-1] = LegalCitation(
                last.start,
                citation.end,
                last.kind,
                text[last.start : citation.end],
                last.parts + citation.parts,
                last.instrument + citation.instrument,
            )
        else:
            merged.append(citation)
    return merged


def find_legal_citations(text: str) -> list[LegalCitation]:
    """References to laws, regulations, articles and court decisions (FR, EU, UK, US)."""
    candidates: list[LegalCitation] = []
    for kind, pattern in _LEGAL_PATTERNS:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            ident = groups.get("id") or ""
            date = groups.get("date") or ""
            if kind == "cassation" and not (ident or date):
                continue
            start = match.start()
            if kind in {"case-name", "act"}:  # "In Smith v. Jones", "the Online Safety Act"
                words = ident.split()
                while words and fold(words[0].rstrip(".")) in _FOLDED_STOPWORDS:
                    words.pop(0)
                ident = " ".join(words)
                start = match.end() - len(ident) if ident else start
            head = {"article": ("article",), "section": ("section",), "cassation": ("cass",),
                    "conseil-etat": ("ce",)}.get(kind, ())  # fmt: skip
            parts: list[tuple[str, ...]] = []
            if kind in {"cassation", "conseil-etat"}:
                parts.append(head)
                parts.append(tuple(legal_tokens(ident or date)))
            elif kind in {"numbered-act", "eu-act"}:
                parts.append(tuple(t for t in legal_tokens(ident) if t.isdigit()))
            elif kind == "act":  # "Data Protection Act 2018" = "Data Protection Act of 2018"
                tokens = [t for t in legal_tokens(ident) if t != "of"]
                parts += [tuple(tokens[:-1]), tuple(tokens[-1:])]
            else:
                parts.append(head + tuple(legal_tokens(ident)))
            instrument = _instrument_words(groups.get("inst") or groups.get("acro") or "")
            candidates.append(
                LegalCitation(
                    start,
                    match.end(),
                    kind,
                    text[start : match.end()].strip(),
                    tuple(p for p in parts if p),
                    instrument,
                )
            )
    kept: list[LegalCitation] = []
    for citation in sorted(candidates, key=lambda c: (c.start, -(c.end - c.start))):
        if not any(c.start < citation.end and citation.start < c.end for c in kept):
            kept.append(citation)
    return _merge_adjacent(text, kept)


@lru_cache(maxsize=64)
def _source_legal(source: str) -> tuple[str, frozenset[str]]:
    tokens = legal_tokens(source)
    return " " + " ".join(tokens) + " ", frozenset(tokens)


def legal_citation_supported(citation: LegalCitation, source: str) -> bool:
    joined, vocabulary = _source_legal(source)
    return all(f" {' '.join(part)} " in joined for part in citation.parts) and all(
        word in vocabulary for word in citation.instrument
    )


def check_legal_citations(
    post: PostContent, cfg: ChannelConfig, ctx: RuleContext
) -> Iterator[Finding]:
    """H3: a legal reference or court decision must be one the source cites."""
    for citation in find_legal_citations(claim_text(post, ctx)):
        if legal_citation_supported(citation, ctx.source_text):
            continue
        yield Finding(
            rule_id="H3",
            severity="blocker",
            message=f"The post cites “{citation.text}”, a legal text or court decision the "
            "source does not cite. A wrong reference misleads readers and engages the brand: "
            "check it, or remove it.",
            evidence=f"{excerpt(post.text, citation.start, citation.end)} — {NOT_IN_SOURCE}",
            location=post.channel,
        )


# ---------------------------------------------------------------- H4 persons and organisations

NOT_FOUND_IN_SOURCE = "not found in the source"
_NAME_TOKEN = re.compile(r"[^\W_]+")
_APOSTROPHES = "'’"
_ELISIONS = _word_set("d l j m n s t qu")
# Dropped from the front of a name: articles and titles ("the Pinot Noir", "Mme Marchetti").
_NAME_PREFIXES = _word_set(
    "the a an le la les l un une der die das mr mrs ms miss dr prof pr m mme mmes mlle me sir "
    "dame lady lord"
)
# Skipped when reading an acronym off its expansion ("Organisation mondiale de la santé": OMS).
_ACRONYM_GLUE = _word_set("de du des la le les l d et à au aux en pour sur of the and for on in")
_ACRONYM_LENGTHS = range(2, 7)
_SENTENCE_PUNCTUATION = '.!?:;…•·*-–—«»"“”„'


def _name_key(token: str) -> str:
    """A token as names are compared: folded, a plural or possessive 's' dropped."""
    key = fold(token)
    return key[:-1] if len(key) > 3 and key.endswith("s") else key


def _name_tokens(text: str) -> list[re.Match[str]]:
    """Word tokens of a name, without elisions ("d'", "l'", "qu'") or possessive "'s"."""
    tokens = []
    for match in _NAME_TOKEN.finditer(text):
        after, before = text[match.end() : match.end() + 1], text[match.start() - 1 : match.start()]
        if after and after in _APOSTROPHES and fold(match.group()) in _ELISIONS:
            continue  # "d'Air", "l'OMS"
        if before and before in _APOSTROPHES and match.group() in {"s", "S"}:
            continue  # "Ashdown's"
        tokens.append(match)
    return tokens


def _name_keys(name: str) -> tuple[str, ...]:
    return tuple(_name_key(m.group()) for m in _name_tokens(name))


@dataclass(frozen=True)
class _NameIndex:
    """What a source names, in the forms H4 compares."""

    joined: str  # every token key, space-separated, with a space at either end
    keys: frozenset[str]
    lowercase: frozenset[str]  # keys of words the source writes in lower case: common words
    sentences: tuple[frozenset[str], ...]
    acronyms: frozenset[str]  # initials of runs of words ("oms" for "Organisation mondiale...")


def _initials(keys: list[str]) -> str:
    return "".join(key[0] for key in keys if key not in _ACRONYM_GLUE)


@lru_cache(maxsize=64)
def _name_index(source: str) -> _NameIndex:
    tokens = [m.group() for m in _name_tokens(source)]
    sentences: list[frozenset[str]] = []
    acronyms: set[str] = set()
    for start, end in sentence_spans(source):
        keys = list(_name_keys(source[start:end]))
        sentences.append(frozenset(keys))
        content = [key for key in keys if key not in _ACRONYM_GLUE]
        for i in range(len(content)):
            for length in _ACRONYM_LENGTHS:
                if i + length <= len(content):
                    acronyms.add(_initials(content[i : i + length]))
    keys = [_name_key(token) for token in tokens]
    return _NameIndex(
        joined=f" {' '.join(keys)} ",
        keys=frozenset(keys),
        lowercase=frozenset(_name_key(t) for t in tokens if t[0].islower()),
        sentences=tuple(sentences),
        acronyms=frozenset(acronyms),
    )


@dataclass(frozen=True)
class NameMention:
    """A person or organisation the post names, trimmed to the name itself."""

    start: int
    end: int
    kind: str  # "PERSON" | "ORGANIZATION"
    text: str
    keys: tuple[str, ...]


_MARKDOWN_LINE_START = re.compile(r"[ \t]*(?:#{1,6}|[*+>-]|\d{1,3}[.)])?[ \t*_]*")


def _sentence_initial(text: str, position: int) -> bool:
    """Whether a word at `position` starts a sentence or a line (its capital says nothing);
    Markdown's marks at the start of a line (`# `, `* `, `> `, `1. `) do not count as words."""
    line_start = text.rfind("\n", 0, position) + 1
    if _MARKDOWN_LINE_START.fullmatch(text[line_start:position]):
        return True
    before = text[:position].rstrip(" \t\u00a0\u202f")
    return not before or before.endswith("\n") or before[-1] in _SENTENCE_PUNCTUATION


def _capitalised_mid_sentence(text: str, word: str) -> bool:
    return any(
        not _sentence_initial(text, m.start())
        for m in re.finditer(rf"(?<![\w]){re.escape(word)}(?![\w])", text)
    )


def _capital_says_nothing(text: str, position: int, word: str) -> bool:
    """A lone capitalised word opening a sentence ("Bonne nouvelle", "Découvrez") is read as a
    name only if the post also capitalises it mid-sentence."""
    return _sentence_initial(text, position) and not _capitalised_mid_sentence(text, word)


def _trimmed(tokens: list[re.Match[str]], index: _NameIndex) -> list[re.Match[str]]:
    """The name inside an entity: no article, title, lower-case or common word at its ends."""

    def loose(token: re.Match[str]) -> bool:
        word = token.group()
        return not (word[0].isupper() or word[0].isdigit()) or _name_key(word) in index.lowercase

    while tokens and (loose(tokens[0]) or fold(tokens[0].group()) in _NAME_PREFIXES):
        tokens = tokens[1:]
    while tokens and loose(tokens[-1]):
        tokens = tokens[:-1]
    return tokens


def _name_pieces(found: PersonalData, text: str) -> Iterator[tuple[int, int]]:
    """The parts of an entity outside the post's frame, one line at a time."""
    for piece in re.finditer(r"[^\n]+", text[found.start : found.end]):
        yield found.start + piece.start(), found.start + piece.end()


def _same_name(keys: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """One is the other, part of it, or holds it ("Macron" and "Emmanuel Macron")."""
    mention, name = f" {' '.join(keys)} ", f" {' '.join(other)} "
    return bool(other) and (mention in name or name in mention)


def _name_supported(keys: tuple[str, ...], index: _NameIndex) -> bool:
    """The source names it: the same words in a row, a surname alone, all its words in one
    sentence, or an acronym for words it spells out (and the other way round)."""
    if f" {' '.join(keys)} " in index.joined:
        return True
    if any(set(keys) <= sentence for sentence in index.sentences):
        return True
    if len(keys) == 1:
        return keys[0] in index.acronyms and len(keys[0]) in _ACRONYM_LENGTHS
    initials = _initials(list(keys))
    return len(initials) in _ACRONYM_LENGTHS and initials in index.keys


def _allowed_names(brand: BrandConfig) -> list[tuple[str, ...]]:
    """Names a post may give whatever the source says: the brand itself, its public figures,
    and its competitors (those are rule S2's business)."""
    return [_name_keys(name) for name in (brand.name, *brand.public_figures, *brand.competitors)]


def _h4_language(language: str) -> bool:
    """H4 needs a named-entity model of the post's language: French or English."""
    return re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0] in PINNED_MODELS


def find_unsourced_names(post: PostContent, ctx: RuleContext) -> list[NameMention]:
    """People and organisations the post names and the source does not, first mention each."""
    if not _h4_language(ctx.language):
        return []
    text = claim_text(post, ctx)
    others = [(c.start, c.end) for c in find_contact_data(text)]
    others += [(c.start, c.end) for c in find_legal_citations(text)]  # H3's business
    text = blank(text, others)
    # Blanked characters become line breaks: no name runs across the frame.
    text = "".join(c if c == o else "\n" for c, o in zip(text, post.text, strict=True))
    index, allowed = _name_index(ctx.source_text), _allowed_names(ctx.brand)
    mentions: dict[tuple[str, ...], NameMention] = {}
    for found in entities(post.text, ctx.language):
        for start, end in _name_pieces(found, text):
            tokens = _trimmed(_name_tokens(text[start:end]), index)
            if not tokens:
                continue
            first, last = start + tokens[0].start(), start + tokens[-1].end()
            if len(tokens) == 1 and _capital_says_nothing(text, first, tokens[0].group()):
                continue
            keys = tuple(_name_key(t.group()) for t in tokens)
            known = [*allowed, *mentions]  # the brand's lists, and names already reported
            if any(_same_name(keys, name) for name in known) or _name_supported(keys, index):
                continue
            mentions[keys] = NameMention(first, last, found.kind, post.text[first:last], keys)
    return list(mentions.values())  # entities come in text order


_KIND_WORDS = {"PERSON": "a person", "ORGANIZATION": "an organisation"}


def check_names(post: PostContent, cfg: ChannelConfig, ctx: RuleContext) -> Iterator[Finding]:
    """H4: every person or organisation the post names must be named in the source."""
    for mention in find_unsourced_names(post, ctx):
        kind = _KIND_WORDS.get(mention.kind, "a name")
        yield Finding(
            rule_id="H4",
            severity="blocker",
            message=f"The post names “{mention.text}” ({kind}, as the language model reads it), "
            "and the source never does. A name the article does not give may be invented or "
            "wrongly attributed: check it, or remove it.",
            evidence=f"{excerpt(post.text, mention.start, mention.end)} — {NOT_FOUND_IN_SOURCE}",
            location=post.channel,
        )


# ---------------------------------------------------------------- H5 weak lexical support

MIN_SUPPORT = 0.5
MIN_CONTENT_WORDS = 3


@lru_cache(maxsize=64)
def _source_stems(source: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _LETTERS.findall(source))


@dataclass(frozen=True)
class Support:
    words: list[str]  # the sentence's content words
    missing: list[str]  # those whose stem is not in the source

    @property
    def share(self) -> float:
        return 1 - len(self.missing) / len(self.words) if self.words else 1.0


def lexical_support(sentence: str, source: str) -> Support:
    """Which content words of `sentence` the source also uses (compared by crude stem)."""
    stems = _source_stems(source)
    words = content_words(sentence)
    return Support(words, [w for w in words if stem(w) not in stems])


def check_lexical_support(
    post: PostContent, cfg: ChannelConfig, ctx: RuleContext
) -> Iterator[Finding]:
    """H5: a sentence most of whose key words the source never uses."""
    text = claim_text(post, ctx)
    text = blank(text, [(c.start, c.end) for c in find_contact_data(text)])  # G3's business
    for start, end in sentence_spans(text):
        support = lexical_support(text[start:end], ctx.source_text)
        if len(support.words) < MIN_CONTENT_WORDS or support.share >= MIN_SUPPORT:
            continue
        found = len(support.words) - len(support.missing)
        missing = ", ".join(dict.fromkeys(support.missing))
        yield Finding(
            rule_id="H5",
            severity="warning",
            message=f"Only {found} of this sentence's {len(support.words)} key words "
            f"({support.share:.0%}) appear in the source (small words and numbers ignored, "
            "word endings ignored). It may say something the source does not: check it.",
            evidence=f"{excerpt(post.text, start, end)} — {NOT_IN_SOURCE}: {missing}",
            location=post.channel,
        )


RULES: tuple[PostRule, ...] = (
    check_numbers,
    check_quotations,
    check_legal_citations,
    check_names,
    check_lexical_support,
)
