"""The embedded writer's audience profile: keywords, cue words and templates — heuristics, no model.

What it does, and no more:

* **interests**: the source's salient keywords (YAKE), as the summary names them;
* **vocabulary**: the source's distinct salient terms (a term another one holds is left out:
  "fines" beside "particules fines"), then the hint's; every term is words of the source or
  of the hint, as written there;
* **reading level**: from the words per sentence;
* **needs**: always "understand what changes for them" about the main topics; then one per
  family of cue words found (practical steps: "how to", "formation"...; dates: months, years,
  "deadline", "d'ici"...);
* **objections**: one per family of cue words found (cost: "prix", "coût", "cost", "£"...;
  timing: "délai", "delay"...; data: "données", "privacy"...; health and safety: "santé",
  "pollution", "risk"...; reliability; effort and constraints; reservations voiced: "worry",
  "inquiets", "sceptical"...).

A need or objection from a cue is a fixed, language-specific statement followed by the words
that triggered it, quoted from where they were found (the source, or the hint, marked so): the
writer infers nothing beyond the presence of a cue word, and an editor sees at once what it
rests on. A family without a cue gives nothing; a cue in a sentence that says the opposite
("free of charge") still gives its family, which is why the passage is shown. The hint (the
user's own description of the audience) is read first, so its cues come before the source's;
the summary repeats it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pressroom.models import AudienceProfile, Generation, ReadingLevel, Source
from pressroom.text import (
    count_words,
    normalize_space,
    salient_keywords,
    split_sentences,
    truncate_words,
)

TEMPLATE_ID = "audience/offline-heuristics"
TEMPLATE_VERSION = "1"
MODEL = "extractive-v2"

INTERESTS = 6
SOURCE_TERMS = 8
HINT_TERMS = 4
MAX_NEEDS = 3  # "understand what changes" and two families
MAX_OBJECTIONS = 3
EXCERPT_CHARS = 90
MIN_CLAUSE_WORDS = 6  # a shorter clause is shown with the rest of its sentence
HINT_CHARS = 200

_SUMMARY = {
    "fr": "Lecteurs intéressés par {topics}",
    "en": "Readers interested in {topics}",
    "de": "Leserinnen und Leser, die sich für {topics} interessieren",
}
_SUMMARY_HINT = {
    "fr": "{summary} ; public visé selon la demande : {hint}.",
    "en": "{summary}; the audience as the brief describes it: {hint}.",
}
_AND = {"fr": " et ", "en": " and ", "de": " und "}
_UNDERSTAND = {
    "fr": "Comprendre ce qui change pour eux concernant {topics}",
    "en": "Understand what changes for them regarding {topics}",
}
_QUOTED = {"fr": "{label} : « {excerpt} »{where}", "en": "{label}: “{excerpt}”{where}"}
_FROM_HINT = {"fr": " (description du public)", "en": " (audience hint)"}


@dataclass(frozen=True)
class Cue:
    """A family of cue words and what the writer says when one is found."""

    name: str
    kind: str  # "need" or "objection"
    patterns: dict[str, re.Pattern[str]]
    labels: dict[str, str]

    def search(self, text: str, language: str) -> re.Match[str] | None:
        return self.patterns.get(language, self.patterns["en"]).search(text)

    def label(self, language: str) -> str:
        return self.labels.get(language, self.labels["en"])


def _cue(name: str, kind: str, fr: str, en: str, label_fr: str, label_en: str) -> Cue:
    def compiled(words: str) -> re.Pattern[str]:
        return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)

    return Cue(
        name, kind, {"fr": compiled(fr), "en": compiled(en)}, {"fr": label_fr, "en": label_en}
    )


_MONTHS_FR = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_MONTHS_EN = "January|February|March|April|May|June|July|August|September|October|November|December"

#: In the order a tie is broken; the objections' "reservations voiced" last, being the vaguest.
CUES = (
    _cue(
        "practical",
        "need",
        r"comment faire|que faire|conseils?|gestes?|étapes?|inscri\w*|formations?|guides?|"
        r"mode d['’]emploi",
        r"how to|what to do|advice|tips?|steps?|sign(?:ing)? up|register\w*|training|guides?|"
        r"book(?:ing)?|check|apply",
        "Savoir concrètement quoi faire",
        "Know what to do in practice",
    ),
    _cue(
        "dates",
        "need",
        rf"{_MONTHS_FR}|(?:19|20)\d\d|échéances?|dates?|d['’]ici|à partir d[eu]",
        rf"(?-i:{_MONTHS_EN})|(?:19|20)\d\d|deadlines?|dates?|until|starting",
        "Connaître les dates qui comptent",
        "Know the dates that matter",
    ),
    _cue(
        "cost",
        "objection",
        r"prix|co[uû]t\w*|cher|chère|chers|tarifs?|budgets?|euros?|€|payer|payant\w*|gratuit\w*|"
        r"factur\w*",
        r"costs?|costly|costing|price[sd]?|pricing|expensive|fees?|budgets?|afford\w*|£|\$|€|"
        r"pay|paying|free of charge",
        "Des doutes sur le coût",
        "Doubts about the cost",
    ),
    _cue(
        "timing",
        "objection",
        r"d[ée]lais?|retards?|attentes?|dur[ée]es?|report[ée]e?s?",
        r"delays?|delayed|waiting|wait|late|postponed?|how long",
        "Des doutes sur les délais",
        "Doubts about delays and timing",
    ),
    _cue(
        "data",
        "objection",
        r"données|vie privée|rgpd|confidentialit[ée]|surveillance|traçage",
        r"data|privacy|gdpr|confidential\w*|surveillance|tracking",
        "Des questions sur l'usage des données",
        "Questions about how data is used",
    ),
    _cue(
        "health",
        "objection",
        r"santé|sanitaires?|pollution|risques?|dangers?|dangereu\w*|maladies?|sécurité|"
        r"toxiques?",
        r"health|healthy|pollution|risks?|risky|dangers?|dangerous|diseases?|safety|unsafe|toxic",
        "Des inquiétudes pour la santé ou la sécurité",
        "Worries about health and safety",
    ),
    _cue(
        "reliability",
        "objection",
        r"fiabilit[ée]|fiables?|efficacit[ée]|efficaces?|preuves?|incertitudes?|erreurs?|pannes?",
        r"reliab\w*|effective\w*|evidence|proof|accura\w*|uncertain\w*|errors?|breakdowns?|"
        r"fail\w*",
        "Des doutes sur la fiabilité",
        "Doubts about reliability",
    ),
    _cue(
        "effort",
        "objection",
        r"compliqu\w*|complexes?|complexité|démarches?|formulaires?|contraintes?|obligat\w*",
        r"complicated|complex\w*|paperwork|forms|burden\w*|obligat\w*|mandatory|red tape|"
        r"efforts?|constraints?",
        "La crainte d'efforts ou de contraintes",
        "Fear of extra effort or constraints",
    ),
    _cue(
        "reservations",
        "objection",
        r"inqui[eè]t\w*|craint\w*|critiqu\w*|oppos\w*|plaint\w*|plaign\w*|réticen\w*|"
        r"sceptiques?|méfian\w*|doutes?|réserves?",
        r"worr\w*|concern\w*|fears?|feared|complain\w*|oppos\w*|critici\w*|sceptic\w*|"
        r"skeptic\w*|doubts?|reluctan\w*",
        "Des réserves exprimées",
        "Reservations voiced",
    ),
)

_CLAUSE_BREAK = re.compile(r"\s*[,;:()]\s*|\s+[–—]\s+")
_LEADING_LINK = re.compile(r"^(?:but|and|or|so|mais|et|ou|donc|car)\s+", re.IGNORECASE)
_EXCERPT = re.compile(r"[“«]\s*(.*)\s*[”»]", re.DOTALL)
_OPENING_QUOTE = re.compile(r"[“«]")


@dataclass(frozen=True)
class _Found:
    cue: Cue
    passage: str  # the words shown
    from_hint: bool


def analyse(source: Source, hint: str = "") -> AudienceProfile:
    """The profile of `source`'s audience, refined by `hint` (see the module's docstring)."""
    language = source.language
    hint = normalize_space(hint)
    interests = salient_keywords(source.text, source.title, language, top=INTERESTS)
    terms = distinct_terms(salient_keywords(source.text, source.title, language))
    topics = _topics(terms or interests, language)
    sentences = split_sentences(source.text) or [source.text]
    found = _distinct_findings(
        _cues(split_sentences(hint), language, from_hint=True)
        + _cues(sentences, language, from_hint=False)
    )
    understand = _UNDERSTAND.get(language, _UNDERSTAND["en"]).format(topics=topics)
    summary = _SUMMARY.get(language, _SUMMARY["en"]).format(topics=topics)
    if hint:
        summary = _SUMMARY_HINT.get(language, _SUMMARY_HINT["en"]).format(
            summary=summary, hint=truncate_words(hint, HINT_CHARS).rstrip(".")
        )
    return AudienceProfile(
        summary=summary,
        interests=interests,
        reading_level=reading_level(count_words(source.text) / len(sentences)),
        language=language,
        needs=[
            understand,
            *(_statement(f, language) for f in found if f.cue.kind == "need"),
        ][:MAX_NEEDS],
        objections=[_statement(f, language) for f in found if f.cue.kind == "objection"][
            :MAX_OBJECTIONS
        ],
        vocabulary=_vocabulary(terms[:SOURCE_TERMS], hint, language),
        generation=Generation(
            provider="offline",
            model=MODEL,
            template_id=TEMPLATE_ID,
            template_version=TEMPLATE_VERSION,
            parameters={"language": language, "hint_given": bool(hint)},
        ),
    )


def reading_level(words_per_sentence: float) -> ReadingLevel:
    if words_per_sentence > 28:
        return "expert"
    return "informed" if words_per_sentence > 20 else "general"


def distinct_terms(keywords: list[str]) -> list[str]:
    """Keywords without those an earlier one holds ("fines" after "particules fines")."""
    kept: list[str] = []
    for keyword in keywords:
        words = set(keyword.casefold().split())
        if not any(words <= set(other.casefold().split()) for other in kept):
            kept.append(keyword)
    return kept


def _topics(keywords: list[str], language: str) -> str:
    """'a, b and c' from the first three keywords."""
    joined = _AND.get(language, _AND["en"])
    if len(keywords) > 2:
        return joined.join([", ".join(keywords[:2]), keywords[2]])
    return ", ".join(keywords)


def _vocabulary(terms: list[str], hint: str, language: str) -> list[str]:
    if not hint:
        return terms
    from_hint = distinct_terms(salient_keywords(hint, "", language, top=HINT_TERMS * 2))
    return distinct_terms([*terms, *from_hint[:HINT_TERMS]])


def _cues(sentences: list[str], language: str, *, from_hint: bool) -> list[_Found]:
    """One finding per family whose cue words occur, in the order they first occur; each on a
    sentence no other family took when there is one."""
    found: list[tuple[int, int, _Found]] = []
    used: set[int] = set()
    for order, cue in enumerate(CUES):
        hits = [(i, m) for i, s in enumerate(sentences) if (m := cue.search(s, language))]
        if not hits:
            continue
        index, match = next(((i, m) for i, m in hits if i not in used), hits[0])
        used.add(index)
        passage = _excerpt(sentences[index], match)
        found.append((index, order, _Found(cue, passage, from_hint)))
    return [f for _, _, f in sorted(found, key=lambda item: item[:2])]


def _distinct_findings(found: list[_Found]) -> list[_Found]:
    """The first finding of each family (the hint's before the source's), and no passage shown
    twice in one list: one clause saying "worried about their health" is one concern."""
    kept: list[_Found] = []
    for finding in found:
        if not any(
            k.cue.name == finding.cue.name
            or (k.cue.kind == finding.cue.kind and k.passage == finding.passage)
            for k in kept
        ):
            kept.append(finding)
    return kept


def _excerpt(sentence: str, match: re.Match[str]) -> str:
    """The clause holding the cue (the whole sentence when that clause is short), cut to
    EXCERPT_CHARS around the cue."""
    start, end = 0, len(sentence)
    for brk in _CLAUSE_BREAK.finditer(sentence):
        if brk.end() <= match.start():
            start = brk.end()
        elif brk.start() >= match.end():
            end = brk.start()
            break
    clause = _LEADING_LINK.sub("", sentence[start:end].strip())
    if count_words(clause) < MIN_CLAUSE_WORDS:
        clause = sentence
    clause = clause.rstrip(" .;:!")
    cue = clause.find(match.group())
    if cue + len(match.group()) > EXCERPT_CHARS - 1:  # it would be cut off: start nearer
        before = clause[:cue].split()[-4:]
        clause = " ".join(["…", *before, clause[cue:]])
    return truncate_words(clause, EXCERPT_CHARS)


def _statement(found: _Found, language: str) -> str:
    template = _QUOTED.get(language, _QUOTED["en"])
    where = _FROM_HINT.get(language, _FROM_HINT["en"]) if found.from_hint else ""
    return template.format(label=found.cue.label(language), excerpt=found.passage, where=where)


# ---------------------------------------------------------------- for the strategy


def sentences_addressing(objection: str, sentences: list[str], language: str) -> list[str]:
    """The source sentences an objection is about, best first: the one its quoted passage comes
    from (the offline profile's objections quote it), then those holding a cue word of the
    objection's family (any profile's). Sentences only: they say what the source says."""
    quoted = _EXCERPT.search(objection)
    core = quoted.group(1).strip(" …") if quoted else ""
    first = [s for s in sentences if core and core in s]
    said = _OPENING_QUOTE.split(objection, maxsplit=1)[0]  # the statement, not the passage
    family = next(
        (cue for cue in CUES if cue.kind == "objection" and cue.search(said, language)), None
    )
    matching = [s for s in sentences if family and family.search(s, language)]
    return list(dict.fromkeys([*first, *matching]))
