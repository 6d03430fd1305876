"""Turning a fetched page into a Source: the article's text and metadata, nothing hidden.

Hidden elements are removed before anything reads the page. Text a reader of the page cannot
see is text a reviewer will not check, which makes it the obvious place to hide instructions
for a language model ("ignore previous instructions...").

trafilatura runs in its default, balanced mode: on the shared corpus ``favor_precision`` found
no boilerplate the default kept, and lost a dateline, while ``favor_recall`` added repeated
"Date / Author / Print this page" blocks.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml.etree import ParserError
from py3langid.langid import MODEL_FILE, LanguageIdentifier
from trafilatura.settings import Document

from pressroom.compliance.hostile import SMUGGLED, hidden_tag_text, strip_invisible
from pressroom.errors import ExtractionFailed
from pressroom.models import FetchedPage, RemovedText, Source, sha256_hex

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})

#: Elements never rendered: <template> is inert, <noscript> is shown only when scripts are off,
#: which is nobody reviewing a page in a normal browser.
HIDDEN_TAGS = ("template", "noscript")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)", re.I)

#: The declared language wins unless the text is at least this sure it is another one.
CONFIDENT_DETECTION = 0.9

_HTML_PARSER = lxml.html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False
)
_CHARSET_PARAMETER = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)
_META_SCAN_BYTES = 4096
_TITLE_SEPARATOR = re.compile(r"\s+[|\-–—·]\s+")
_LANGUAGE_TAG = re.compile(r"^([a-z]{2})(?:[-_][a-z0-9]+)*$", re.I)
#: WHATWG: these labels mean windows-1252, which is what such pages are actually written in.
_MEANS_WINDOWS_1252 = frozenset({"ascii", "iso8859-1"})
_TITLE_LIMIT = 120
#: How much of each removed text the reviewer is shown.
REMOVED_TEXT_LIMIT = 400


def extract_source(page: FetchedPage, *, min_words: int = 80) -> Source:
    """Extract the article from an HTML or plain-text page.

    Raises:
        ExtractionFailed: the page is empty, not HTML or text, or has fewer than ``min_words``.
    """
    media_type = page.content_type.split(";")[0].strip().lower()
    if media_type in HTML_TYPES:
        source = _from_html(decode_body(page.body, page.content_type), page)
    elif media_type in TEXT_TYPES:
        source = _from_plain_text(decode_body(page.body, page.content_type), page)
    else:
        raise ExtractionFailed(f"{page.final_url} is {media_type or 'of no stated type'}, not HTML")
    _check_word_count(source, min_words)
    return source


def decode_body(body: bytes, content_type: str) -> str:
    """Decode with the charset from the BOM, the Content-Type or a <meta>, else UTF-8."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    for declared in (
        _CHARSET_PARAMETER.search(content_type),
        _META_CHARSET.search(body[:_META_SCAN_BYTES]),
    ):
        encoding = _known_encoding(declared.group(1)) if declared else None
        if encoding:
            return body.decode(encoding, errors="replace")
    return body.decode("utf-8", errors="replace")


def _known_encoding(label: str | bytes) -> str | None:
    name = label.decode("ascii", "ignore") if isinstance(label, bytes) else label
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec in _MEANS_WINDOWS_1252:
        return "cp1252"
    # A byte-oriented page cannot really be UTF-16; its <meta> is lying (WHATWG says use UTF-8).
    return "utf-8" if codec.startswith("utf-16") else codec


def strip_hidden_elements(tree: lxml.html.HtmlElement) -> list[RemovedText]:
    """Remove every element a browser would not show; returns what each one said (rule I1).

    Hidden elements inside another hidden element go with it and are not listed twice."""
    hidden = [element for element in tree.iter() if _is_hidden(element)]
    outermost = [e for e in hidden if not any(a in hidden for a in e.iterancestors())]
    removed = [
        RemovedText(
            kind="hidden element",
            where=_describe_element(element),
            text=_shortened_to(" ".join(element.text_content().split()), REMOVED_TEXT_LIMIT),
        )
        for element in outermost
    ]
    for element in outermost:
        element.drop_tree()
    return removed


def _describe_element(element: lxml.html.HtmlElement) -> str:
    shown = [
        f'{name}="{element.get(name)}"'
        for name in ("style", "hidden", "aria-hidden", "class")
        if element.get(name) is not None
    ]
    return f"<{' '.join([str(element.tag), *shown])}>"


def _is_hidden(element: lxml.html.HtmlElement) -> bool:
    if not isinstance(element.tag, str):
        return False
    return (
        element.tag.lower() in HIDDEN_TAGS
        or element.get("hidden") is not None
        or (element.get("aria-hidden") or "").strip().lower() == "true"
        or bool(HIDDEN_STYLE.search(element.get("style") or ""))
    )


def _from_html(text: str, page: FetchedPage) -> Source:
    tree = _parse_html(text, page.final_url)
    declared_language = _declared_language(tree)
    hidden = [removed for removed in strip_hidden_elements(tree) if removed.text]
    hidden += _invisible_characters("page", tree.text_content())
    document = trafilatura.bare_extraction(
        tree, url=page.final_url, with_metadata=True, include_comments=False
    )
    if not isinstance(document, Document) or not document.text:
        raise ExtractionFailed(_too_few_words_message(page.final_url, 0))
    body = _paragraphs(document.text.splitlines())
    return _source(
        page,
        title=_without_site_suffix(document.title, document.sitename, page.final_url)
        or _shortened(body.split("\n", 1)[0]),
        text=body,
        language=detect_language(body, declared_language),
        author=document.author,
        published=document.date,
        site_name=document.sitename,
        description=document.description,
        removed=hidden,
    )


def _parse_html(text: str, url: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(text.encode("utf-8"), parser=_HTML_PARSER)
    except ParserError as empty:
        raise ExtractionFailed(f"{url} is an empty HTML page") from empty


def _declared_language(tree: lxml.html.HtmlElement) -> str | None:
    match = _LANGUAGE_TAG.match((tree.get("lang") or tree.get("xml:lang") or "").strip())
    return match.group(1).lower() if match else None


def _from_plain_text(text: str, page: FetchedPage) -> Source:
    """The first line is the title; it leaves the text only when it stands alone as a paragraph."""
    paragraphs = _paragraphs(re.split(r"\n\s*\n", text))
    if not paragraphs:
        raise ExtractionFailed(f"{page.final_url} is an empty text page")
    first_line = " ".join(text.strip().splitlines()[0].split())
    first_paragraph, _, rest = paragraphs.partition("\n\n")
    body = rest if rest and first_paragraph == first_line else paragraphs
    return _source(
        page, title=_shortened(first_line), text=body, language=detect_language(body, None)
    )


def _paragraphs(blocks: list[str]) -> str:
    """Collapse whitespace inside each block, drop empty ones, separate them with a blank line."""
    return "\n\n".join(collapsed for block in blocks if (collapsed := " ".join(block.split())))


def _without_site_suffix(title: str | None, site_name: str | None, url: str) -> str | None:
    """'Uncork the mystery | DW | 10.06.2013' on dw.com -> 'Uncork the mystery'."""
    if not title:
        return title
    site = _alphanumeric(f"{site_name or ''} {urlsplit(url).hostname or ''}")
    for separator in _TITLE_SEPARATOR.finditer(title):
        segment = _alphanumeric(_TITLE_SEPARATOR.split(title[separator.end() :], maxsplit=1)[0])
        if len(segment) >= 2 and segment in site:
            return title[: separator.start()]
    return title


def _alphanumeric(text: str) -> str:
    return "".join(character for character in text.lower() if character.isalnum())


def _shortened(line: str) -> str:
    return _shortened_to(line, _TITLE_LIMIT)


def _shortened_to(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    return line[:limit].rsplit(" ", 1)[0] + "…"


def detect_language(text: str, declared: str | None) -> str:
    """``declared`` (from ``<html lang>``) unless the text is confidently in another language."""
    detected, confidence = _language_identifier().classify(text)
    if declared and (detected == declared or confidence < CONFIDENT_DETECTION):
        return declared
    return detected


@lru_cache(maxsize=1)
def _language_identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _source(
    page: FetchedPage,
    *,
    title: str,
    text: str,
    language: str,
    removed: list[RemovedText] | None = None,
    **metadata: str | None,
) -> Source:
    """The Source, with invisible characters (zero-width, bidirectional controls, tag
    characters) taken out of its title and text and recorded with what they hid (rule I1)."""
    removed = list(removed or [])
    clean: dict[str, str] = {}
    for field, value in (("title", " ".join(title.split())), ("text", text)):
        clean[field], _ = strip_invisible(value)
        removed += _invisible_characters(field, value)
    return Source(
        url=page.final_url,
        title=clean["title"],
        text=clean["text"],
        language=language,
        sha256=sha256_hex(clean["text"]),
        fetched_at=page.fetched_at,
        removed=removed,
        **metadata,
    )


def _invisible_characters(where: str, text: str) -> list[RemovedText]:
    """A record of the invisible characters in ``text``, with the ASCII tag characters spell."""
    _, count = strip_invisible(text)
    if not count:
        return []
    hidden = hidden_tag_text(text)
    return [
        RemovedText(
            kind="invisible characters",
            where=where,
            count=count,
            text=_shortened_to(f"{SMUGGLED}{hidden}", REMOVED_TEXT_LIMIT) if hidden else "",
        )
    ]


def _check_word_count(source: Source, min_words: int) -> None:
    words = len(source.text.split())
    if words < min_words:
        raise ExtractionFailed(_too_few_words_message(source.url, words, min_words))


def _too_few_words_message(url: str, words: int, min_words: int | None = None) -> str:
    needed = f", fewer than the {min_words} needed" if min_words is not None else ""
    return (
        f"{url} holds {words} words of article text{needed}: it may be a page rendered by "
        "scripts, behind a paywall, or not an article"
    )
