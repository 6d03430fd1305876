"""Language-aware text helpers shared by the writer and the compliance checks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from segtok.segmenter import split_multi

_WS = re.compile(r"\s+")
_HASHTAG_WORD = re.compile(r"[\w]+", re.UNICODE)
WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
URL = re.compile(r"https?://\S+")
HASHTAG = re.compile(r"(?<![\w#])#\w+", re.UNICODE)


def normalize_space(text: str) -> str:
    return _WS.sub(" ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences in reading order, paragraph by paragraph."""
    sentences: list[str] = []
    for paragraph in text.split("\n\n"):
        sentences.extend(normalize_space(s) for s in split_multi(paragraph) if s.strip())
    return sentences


def count_words(text: str) -> int:
    return len(WORD.findall(text))


@lru_cache(maxsize=8)
def _keyword_extractor(language: str, top: int):  # type: ignore[no-untyped-def]
    import yake  # imported lazily: it pulls numpy and networkx

    supported = language if language in {"fr", "en", "de", "es", "it", "pt", "nl"} else "en"
    return yake.KeywordExtractor(lan=supported, n=2, top=top, dedupLim=0.7)


def extract_keywords(text: str, language: str, top: int = 12) -> list[str]:
    """Key phrases, most significant first (YAKE: unsupervised, offline, deterministic)."""
    keywords = _keyword_extractor(language, top).extract_keywords(text)
    return [phrase for phrase, _score in sorted(keywords, key=lambda kv: (kv[1], kv[0]))]


def salient_keywords(text: str, title: str, language: str, top: int = 12) -> list[str]:
    """Keywords worth a hashtag: repeated in the text or present in the title, best first."""
    lowered_text, lowered_title = text.lower(), title.lower()
    candidates = extract_keywords(text, language, top=top * 2)
    salient = [
        k for k in candidates if lowered_text.count(k.lower()) >= 2 or k.lower() in lowered_title
    ]
    return (salient or candidates)[:top]


def hashtag(phrase: str) -> str | None:
    """'qualité de l'air' -> '#QualitéDeLAir'; None when nothing usable is left."""
    words = _HASHTAG_WORD.findall(phrase.replace("'", " ").replace("’", " "))
    words = [w for w in words if not w.isdigit()]
    if not words:
        return None
    tag = "".join(w[:1].upper() + w[1:] for w in words)
    return "#" + unicodedata.normalize("NFC", tag)


def truncate_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut at a word boundary so that the result, ellipsis included, has at most `limit` chars."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:–-") + ellipsis


def code_block(text: str) -> str:
    """A fenced markdown block showing `text` verbatim, whatever backticks it holds."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"
