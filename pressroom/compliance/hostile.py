"""Hostile sources and outputs (I1–I4): instructions aimed at a model, smuggled links.

* I1 removed text (info) — hidden elements and invisible Unicode (zero-width, bidirectional
  controls, tag characters: `strip_invisible`) are taken out of a source at extraction and
  recorded on it; `screen_source` shows each to the reviewer.
* I2 injection signal (warning) — `injection_signals`, run on SOURCES, not posts: text that
  speaks to a language model ("ignore previous instructions", "tu es désormais...", chat-template
  tokens, invisible characters). The caller quarantines the run when the list is not empty.
* I3 foreign link (blocker) — a URL or @handle in a post that is neither in the source, nor on
  the source's own site, nor allowed by the brand (e-mail addresses are G3's).
* I4 control token (blocker) — the source fence (<<<SOURCE …>>>) or a chat-template token
  (<|im_start|>, [INST], <<SYS>>, ### Instruction:) in a post.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from pressroom.compliance.base import PostContent, PostRule, RuleContext, excerpt
from pressroom.compliance.bias import fold, load_lexicon, whole_words
from pressroom.compliance.contact import EMAIL
from pressroom.compliance.pii import presidio_detector
from pressroom.models import Finding, Source
from pressroom.privacy import Redaction
from pressroom.settings import ChannelConfig

#: How extraction introduces text it decoded from tag characters (see `RemovedText`).
SMUGGLED = "hidden text: "
#: At most this many I2 findings for one source: the first ones are enough to quarantine it.
MAX_SIGNALS = 20

# ---------------------------------------------------------------- I1 invisible characters

ZERO_WIDTH = frozenset(
    {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E, 0x2061, 0x2062, 0x2063, 0x2064}
)
BIDI_CONTROLS = frozenset({0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
TAG_CHARACTERS = range(0xE0000, 0xE0080)
_BIDI_MARKS = frozenset({0x200E, 0x200F, 0x061C})  # LRM, RLM, ALM: normal in right-to-left text
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_BLACK_FLAG = 0x1F3F4  # 🏴 + tag characters + CANCEL TAG: the flags of England, Scotland, Wales
_CANCEL_TAG = 0xE007F
_VARIATION_SELECTOR = 0xFE0F


def _invisible_kind(code: int) -> str | None:
    if code in ZERO_WIDTH:
        return "zero-width"
    if code in BIDI_CONTROLS:
        return "bidirectional control"
    if code in TAG_CHARACTERS:
        return "tag"
    return None


def _non_latin_letter(*characters: str) -> bool:
    return all(c.isalpha() and ord(c) > 0x024F for c in characters)


def _is_pictograph(character: str) -> bool:
    if not character:
        return False
    code = ord(character)
    return (
        code == _VARIATION_SELECTOR
        or code >= 0x1F000
        or unicodedata.category(character) == "So"
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
    )


def _legitimate_invisibles(text: str) -> set[int]:
    """Positions of invisible characters that do a normal job: the joiner inside an emoji
    sequence (👩‍💻), joiners between letters of scripts that need them (Persian, Indic), a BOM
    at the very start, direction marks in right-to-left text, tag characters of a flag emoji."""
    keep: set[int] = set()
    has_rtl = bool(_RTL_LETTER.search(text))
    length = len(text)
    i = 0
    while i < length:
        code = ord(text[i])
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < length else ""
        emoji_joiner = code == 0x200D and _is_pictograph(before) and _is_pictograph(after)
        script_joiner = code in (0x200C, 0x200D) and _non_latin_letter(before, after)
        if (
            emoji_joiner
            or script_joiner
            or (code == 0xFEFF and i == 0)
            or (code in _BIDI_MARKS and has_rtl)
        ):
            keep.add(i)
        elif code == _BLACK_FLAG:
            j = i + 1
            while j < length and ord(text[j]) in TAG_CHARACTERS and ord(text[j]) != _CANCEL_TAG:
                j += 1
            if j < length and ord(text[j]) == _CANCEL_TAG and j > i + 1:
                keep.update(range(i + 1, j + 1))
                i = j
        i += 1
    return keep


def _suspicious_invisibles(text: str) -> list[tuple[int, str]]:
    """(position, kind) of each invisible character that has no normal job where it stands."""
    if text.isascii():
        return []
    found = [(i, kind) for i, ch in enumerate(text) if (kind := _invisible_kind(ord(ch)))]
    if not found:
        return []
    keep = _legitimate_invisibles(text)
    return [(i, kind) for i, kind in found if i not in keep]


def strip_invisible(text: str) -> tuple[str, int]:
    """``text`` without its zero-width, bidirectional-control and tag characters, and how many
    were removed (I1). Those doing a normal job are kept: an emoji's joiner (👩‍💻), joiners in
    Persian or Indic words, direction marks in right-to-left text, a flag's tag characters."""
    suspicious = _suspicious_invisibles(text)
    if not suspicious:
        return text, 0
    drop = {i for i, _ in suspicious}
    return "".join(ch for i, ch in enumerate(text) if i not in drop), len(drop)


def hidden_tag_text(text: str) -> str:
    """ASCII smuggled in tag characters (U+E0020–U+E007E mirror printable ASCII), decoded."""
    return "".join(
        chr(ord(ch) - 0xE0000) if 0xE0020 <= ord(ch) <= 0xE007E else ""
        for ch in text
        if ord(ch) in TAG_CHARACTERS
    )


# ---------------------------------------------------------------- control tokens (I2, I4)

CONTROL_TOKENS = re.compile(
    r"<<<\s*(?:END\s+)?SOURCE\b[^>\n]{0,80}(?:>>>)?"  # the fence prompts put around a source
    r"|<\|[A-Za-z0-9_.:\- ]{1,40}\|>"  # <|im_start|>, <|system|>, <|eot_id|>, <|endoftext|>
    r"|<｜[^｜>\n]{1,40}｜>"  # the full-width variant (<｜begin▁of▁sentence｜>)
    r"|\[/?INST\]|<</?SYS>>|</?(?:start_of_turn|end_of_turn)>"
    r"|^[ \t]*#{2,4}[ \t]*(?:Instruction|Response|System|Human|Assistant|Input|User)[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)


def _control_kind(token: str) -> str:
    if token.startswith("<<<"):
        return (
            "the marker Pressroom puts around a source when it hands it to a model (it tells "
            "the model where untrusted text starts and ends)"
        )
    return "a control token of chat models (it separates system, user and assistant turns)"


# ---------------------------------------------------------------- I2 injection signals


@dataclass(frozen=True)
class _Signal:
    pattern: re.Pattern[str]
    category: str


@lru_cache(maxsize=1)
def _injection_lexicon() -> tuple[list[_Signal], dict[str, str]]:
    lexicon = load_lexicon("injection.yaml")
    signals = [
        _Signal(pattern=whole_words(entry["pattern"]), category=entry["category"])
        for entry in lexicon["entries"]
    ]
    return signals, lexicon["categories"]


def _for_matching(text: str) -> str:
    """What a model would read: invisible characters and soft hyphens gone, compatibility
    forms (full-width letters, ligatures) normalised, so "ig\u200bnore" is "ignore"."""
    drop = {chr(c) for c in (*ZERO_WIDTH, *BIDI_CONTROLS, 0x00AD)}
    cleaned = "".join(ch for ch in text if ch not in drop and ord(ch) not in TAG_CHARACTERS)
    return unicodedata.normalize("NFKC", cleaned)


def _show_invisibles(text: str, start: int, end: int) -> str:
    return "".join(
        f"⟨U+{ord(ch):04X}⟩" if _invisible_kind(ord(ch)) else ch for ch in text[start:end]
    ).replace("\n", " ")


def injection_signals(text: str, language: str) -> list[Finding]:
    """Signs that ``text`` (a source) speaks to a language model rather than to readers (I2).

    Every pattern runs whatever ``language`` says: payloads are often in another language than
    the page (the French sample article hides an English one). Findings have id I2, severity
    warning and location "source"; any of them quarantines the run
    (`ComplianceReport.quarantined`). At most `MAX_SIGNALS` findings, one per distinct phrase."""
    findings: list[Finding] = []
    suspicious = _suspicious_invisibles(text)
    if suspicious:
        kinds: dict[str, int] = {}
        for _, kind in suspicious:
            kinds[kind] = kinds.get(kind, 0) + 1
        first = suspicious[0][0]
        hidden = hidden_tag_text(text)
        findings.append(
            Finding(
                rule_id="I2",
                severity="warning",
                message=f"The source holds {len(suspicious)} invisible characters ("
                + ", ".join(f"{n} {kind}" for kind, n in kinds.items())
                + "). A reader does not see them, but a model reads them: they can hide "
                "instructions or disguise words.",
                evidence="…"
                + _show_invisibles(text, max(0, first - 40), first + 40)
                + "…"
                + (f" hidden text: {hidden[:200]!r}" if hidden else ""),
                location="source",
            )
        )
    readable = _for_matching(text)
    hidden = hidden_tag_text(text)
    if hidden:
        readable += "\n" + hidden
    for match in CONTROL_TOKENS.finditer(readable):
        findings.append(
            Finding(
                rule_id="I2",
                severity="warning",
                message=f"The source contains “{match.group().strip()}”, "
                f"{_control_kind(match.group())}: a web page has no reason to, unless it tries "
                "to steer the model that reads it.",
                evidence=excerpt(readable, match.start(), match.end()),
                location="source",
            )
        )
    folded = fold(readable)
    signals, categories = _injection_lexicon()
    seen: set[str] = set()
    for signal in signals:
        for match in signal.pattern.finditer(folded):
            phrase = " ".join(match.group().split())
            if phrase in seen:
                continue
            seen.add(phrase)
            findings.append(
                Finding(
                    rule_id="I2",
                    severity="warning",
                    message=f"The source contains text aimed at an AI model, not at readers: "
                    f"“{readable[match.start() : match.end()]}” {categories[signal.category]}.",
                    evidence=excerpt(readable, match.start(), match.end()),
                    location="source",
                )
            )
    return findings[:MAX_SIGNALS]


# ---------------------------------------------------------------- I3 foreign links and handles

LINK = re.compile(r"https?://[^\s<>\"'«»“”‘’]+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(
    r"(?<![\w@./:-])(?:www\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|net|org|io|fr|co|uk|de|eu|info|biz|xyz|ly|me|app|dev|ai|gg|tk|ru|cn|be|ch|ca|us|"
    r"tv|link|site|online|shop|top|click|live|news|page|to|gl|sh)"
    r"(?:/[^\s<>\"'«»“”]*)?(?![\w-])",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@.:/])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@])")
_TRAILING = ".,;:!?…»”’'\"]}"


def _trim_link(link: str) -> str:
    link = link.rstrip(_TRAILING)
    while link.endswith(")") and link.count(")") > link.count("("):
        link = link[:-1].rstrip(_TRAILING)
    return link


def _host(link: str) -> str:
    target = link if "://" in link else "http://" + link
    try:
        host = urlsplit(target).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _normalized(link: str) -> str:
    """Host (without www.) + path (without trailing slash) + query: two spellings of one link."""
    target = link if "://" in link else "http://" + link
    try:
        parts = urlsplit(target)
    except ValueError:
        return link.lower()
    query = f"?{parts.query}" if parts.query else ""
    return _host(link) + parts.path.rstrip("/") + query


def _domain(entry: str) -> str:
    entry = entry.strip().lower()
    return _host(entry) if "/" in entry or ":" in entry else entry.lstrip("@.").removeprefix("www.")


def _on_domain(host: str, domain: str) -> bool:
    return bool(domain) and (host == domain or host.endswith("." + domain))


@dataclass(frozen=True)
class _Found:
    kind: str  # "link" | "handle"
    value: str
    start: int
    end: int


def _links_and_handles(text: str) -> list[_Found]:
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []
    for match in LINK.finditer(text):
        value = _trim_link(match.group())
        found.append(_Found("link", value, match.start(), match.start() + len(value)))
        taken.append((match.start(), match.end()))
    taken.extend((m.start(), m.end()) for m in EMAIL.finditer(text))  # G3 reports e-mails

    def free(start: int, end: int) -> bool:
        return not any(start < e and s < end for s, e in taken)

    for match in _BARE_DOMAIN.finditer(text):
        value = _trim_link(match.group())
        if free(match.start(), match.end()) and any(c.isalpha() for c in value.split(".")[-1]):
            found.append(_Found("link", value, match.start(), match.start() + len(value)))
            taken.append((match.start(), match.end()))
    for match in HANDLE.finditer(text):
        if free(match.start(), match.end()):
            found.append(_Found("handle", match.group(), match.start(), match.end()))
    return sorted(found, key=lambda f: f.start)


@lru_cache(maxsize=8)
def _source_links(source_text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(normalised links, lower-cased handles) found in the source text."""
    links = {_normalized(f.value) for f in _links_and_handles(source_text) if f.kind == "link"}
    handles = {f.value.lower() for f in _links_and_handles(source_text) if f.kind == "handle"}
    return frozenset(links), frozenset(handles)


def _link_allowed(value: str, ctx: RuleContext) -> bool:
    host = _host(value)
    if ctx.source_url and host and host == _host(ctx.source_url):
        return True  # the article's own site: the post's link to it
    allowed_domains = ctx.brand.allowed_domains
    if any(_on_domain(host, _domain(d)) for d in allowed_domains):
        return True
    return _normalized(value) in _source_links(ctx.source_text)[0]


def _handle_allowed(value: str, ctx: RuleContext) -> bool:
    allowed = {h.strip().lower().lstrip("@") for h in ctx.brand.allowed_handles}
    in_source = _source_links(ctx.source_text)[1]
    return value.lower().lstrip("@") in allowed or value.lower() in in_source


def _texts(post: PostContent) -> Iterator[tuple[str, str]]:
    yield post.text, post.channel
    if post.image_alt_text:
        yield post.image_alt_text, f"{post.channel} image"


def check_foreign_links(
    post: PostContent, cfg: ChannelConfig, ctx: RuleContext
) -> Iterator[Finding]:
    """I3. Links are judged only when the context names the source URL: without it the post's
    own link to the article cannot be told from a smuggled one."""
    for text, location in _texts(post):
        for found in _links_and_handles(text):
            if found.kind == "link":
                if not ctx.source_url or _link_allowed(found.value, ctx):
                    continue
                message = (
                    f"The link “{found.value}” is not in the source article, not on its site and "
                    f"not on a site the brand allows ({_host(found.value) or 'no site'}): a "
                    "hostile page may have slipped it in, or the model invented it. Remove it, "
                    "or add the site to the brand's allowed_domains."
                )
            else:
                if _handle_allowed(found.value, ctx):
                    continue
                message = (
                    f"The account “{found.value}” is not named in the source article nor among "
                    "the brand's allowed_handles: a hostile page may have slipped it in, or the "
                    "model invented it. Remove it, or add it to the brand's allowed_handles."
                )
            yield Finding(
                rule_id="I3",
                severity="blocker",
                message=message,
                evidence=excerpt(text, found.start, found.end) + " — not in the source",
                location=location,
            )


# ---------------------------------------------------------------- I4 control tokens in posts


def check_control_tokens(
    post: PostContent, cfg: ChannelConfig, ctx: RuleContext
) -> Iterator[Finding]:
    for text, location in _texts(post):
        for match in CONTROL_TOKENS.finditer(text):
            yield Finding(
                rule_id="I4",
                severity="blocker",
                message=f"The post contains “{match.group().strip()}”, "
                f"{_control_kind(match.group())}. It must never be published: the model's "
                "plumbing leaked into the text, or a source tried to steer the model.",
                evidence=excerpt(text, match.start(), match.end()),
                location=location,
            )


RULES: tuple[PostRule, ...] = (check_foreign_links, check_control_tokens)


# ---------------------------------------------------------------- the source as a whole (I1, I2)


def screen_source(source: Source) -> list[Finding]:
    """What was taken out of the source before any model read it (I1, info, for the reviewer)
    and signs that the page speaks to a model (I2) — in its text and in what was hidden, text
    smuggled in tag characters included. Evidence keeps no personal data of the source: it is
    stored in the audit trail and the bundle, where the source's contact data has no business."""
    findings = [
        Finding(
            rule_id="I1",
            severity="info",
            message=(
                f"A hidden element of the page was removed before any model read it: "
                f"{removed.where}."
                if removed.kind == "hidden element"
                else f"{removed.count} invisible character(s) were removed from the "
                f"{removed.where} before any model read it."
            ),
            evidence=removed.text,
            location="source",
        )
        for removed in source.removed
    ]
    findings += [
        Finding(
            rule_id="I2",
            severity="warning",
            message="The page spells out text in invisible Unicode tag characters: no reader "
            "sees it, only software does.",
            evidence=removed.text,
            location="source",
        )
        for removed in source.removed
        if removed.kind == "invisible characters" and removed.text.startswith(SMUGGLED)
    ]
    screened = "\n\n".join([source.title, source.text, *(r.text for r in source.removed)])
    findings += injection_signals(screened, source.language)
    detector = presidio_detector(source.language)
    return [
        finding.model_copy(update={"evidence": Redaction(finding.evidence, detector).text})
        for finding in findings
    ]
