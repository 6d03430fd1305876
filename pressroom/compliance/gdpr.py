"""GDPR (G1–G4): personal data in what we publish and in what we send to external providers.

On posts (`RULES`, run by the suite):

* G3 personal-data   structured personal data other than e-mails and phones (those are G3 in
                     `rules.check_contact_data`): IBAN, card number, NIR, SIRET/SIREN, postal
                     address. Absent from the source: blocker (possibly invented); copied from
                     the source: warning (make sure publishing it is intended).

On prompts, before a remote call (module functions, not post rules):

* G1 prompt-minimised  `check_prompt`: structured personal data in a prompt is reported with its
                       counts by kind (never the values): info when it is redacted before
                       sending, blocker when it would be sent as is. `assert_minimised` re-scans
                       the prompt actually sent and raises `PersonalDataNotMinimised` if any
                       structured personal data is left.
* G2 prompt-names      `check_prompt`: a person's name in a prompt is a warning unless the brand
                       lists them in `public_figures` (names are not redacted: the text needs
                       them; this is the reviewer's cue).
* G4 redacted-records  only redacted prompts are ever logged or stored. A provider calls
                       `assert_minimised(prompt, language)` on every prompt right before sending
                       it, and logs or stores that same text (and `Redaction.counts`), never the
                       text before redaction. Whatever `assert_minimised` passed is what may be
                       kept; its error names kinds and counts, never values, so that it can be
                       logged too.

The detection is `pressroom.compliance.pii` (Presidio and pinned spaCy models, offline);
redaction is `pressroom.privacy.redact(text, detector=presidio_detector(language))`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Iterator

from pressroom.compliance.base import PostContent, PostRule, RuleContext, excerpt
from pressroom.compliance.pii import (
    PersonalData,
    entities,
    structured_personal_data,
)
from pressroom.errors import PressroomError
from pressroom.models import Finding
from pressroom.privacy import PLACEHOLDER
from pressroom.settings import ChannelConfig

# Kinds G3 covers here; e-mails and phones stay with `rules.check_contact_data`.
G3_KINDS: dict[str, str] = {
    "IBAN": "bank account number (IBAN)",
    "CREDIT_CARD": "payment card number",
    "NIR": "French social security number (NIR)",
    "SIRET": "company establishment number (SIRET)",
    "SIREN": "company number (SIREN)",
    "ADDRESS": "postal address",
}


class PersonalDataNotMinimised(PressroomError):
    """A prompt about to leave still holds structured personal data: it must not be sent."""


# --- G3 on posts -----------------------------------------------------------------------------


def check_personal_data(
    post: PostContent, cfg: ChannelConfig, ctx: RuleContext
) -> Iterator[Finding]:
    for found in structured_personal_data(post.text, ctx.language):
        label = G3_KINDS.get(found.kind)
        if label is None:
            continue
        copied = _in_source(found, ctx.source_text)
        yield Finding(
            rule_id="G3",
            severity="warning" if copied else "blocker",
            message=(
                f"Personal data copied from the source: a {label} is published. Make sure "
                "publishing it is intended (GDPR: minimise personal data)."
                if copied
                else f"A {label} that is not in the source appears in the post (GDPR; "
                "possibly invented)."
            ),
            evidence=excerpt(post.text, found.start, found.end),
            location=post.channel,
        )


def _in_source(found: PersonalData, source: str) -> bool:
    """The same value is in the source, whatever its spacing, case or punctuation."""
    if found.kind == "ADDRESS":
        return _fold(found.text) in _fold(source)
    compact = re.sub(r"[^0-9A-Za-z]", "", found.text)
    if not compact:
        return False
    spelled = r"[\s.\-]?".join(re.escape(char) for char in compact)
    return (
        re.search(rf"(?<![0-9A-Za-z]){spelled}(?![0-9A-Za-z])", source, re.IGNORECASE) is not None
    )


def _fold(text: str) -> str:
    """Case, apostrophes, punctuation and spacing ignored: "12, Rue d’Arc" ~ "12 rue d'Arc"."""
    text = text.casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w']+", " ", text).split())


RULES: tuple[PostRule, ...] = (check_personal_data,)


# --- G1, G2 on prompts -----------------------------------------------------------------------


def check_prompt(
    text: str,
    language: str,
    public_figures: Iterable[str] = (),
    *,
    redacted: bool = True,
) -> list[Finding]:
    """G1 and G2 for a prompt about to be sent to an external provider.

    `text` is the prompt before redaction; `redacted` says whether the caller will redact it
    (`privacy.redact` with `pii.presidio_detector`) before sending. Findings carry counts and
    names, never the structured values, so that they can be logged (G4).
    """
    findings: list[Finding] = []
    counts = Counter(found.kind.lower() for found in structured_personal_data(text, language))
    if counts:
        summary = ", ".join(f"{kind}: {count}" for kind, count in sorted(counts.items()))
        total = sum(counts.values())
        findings.append(
            Finding(
                rule_id="G1",
                severity="info" if redacted else "blocker",
                message=(
                    f"{total} piece(s) of personal data in the prompt are redacted before "
                    "sending: the provider sees placeholders only."
                    if redacted
                    else f"{total} piece(s) of personal data would be sent unredacted to an "
                    "external provider (GDPR: data minimisation). Redact the prompt first."
                ),
                evidence=summary,
                location="prompt",
            )
        )
    findings.extend(_names_in_prompt(text, language, public_figures))
    return findings


def _names_in_prompt(text: str, language: str, public_figures: Iterable[str]) -> Iterator[Finding]:
    allowed = [_name_words(name) for name in public_figures]
    placeholders = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
    seen: Counter[str] = Counter()
    first: dict[str, PersonalData] = {}
    for found in entities(text, language):
        if found.kind != "PERSON":
            continue
        if any(found.start < end and start < found.end for start, end in placeholders):
            continue
        words = _name_words(found.text)
        if not words or any(_same_person(words, figure) for figure in allowed if figure):
            continue
        key = " ".join(sorted(words))
        seen[key] += 1
        first.setdefault(key, found)
    for key, found in first.items():
        times = f" ({seen[key]} mentions)" if seen[key] > 1 else ""
        yield Finding(
            rule_id="G2",
            severity="warning",
            message=f"A person's name is sent to an external provider{times}. If they are not "
            "a public figure, consider leaving the name out; if they are, add them to the "
            "brand's public_figures.",
            evidence=found.text,
            location="prompt",
        )


_TITLES = frozenset({"m", "mme", "mlle", "mr", "mrs", "ms", "dr", "pr", "me", "sir", "dame"})


def _name_words(name: str) -> frozenset[str]:
    """The words of a name, accents, case, titles and possessives aside."""
    plain = unicodedata.normalize("NFKD", name.casefold().replace("’", "'"))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    plain = re.sub(r"'s\b", "", plain)
    return frozenset(w for w in re.findall(r"[a-z0-9]+", plain) if w not in _TITLES)


def _same_person(words: frozenset[str], figure: frozenset[str]) -> bool:
    """ "Macron" and "M. Emmanuel Macron" both name the listed "Emmanuel Macron"."""
    return words <= figure or figure <= words


def assert_minimised(text: str, language: str, *, allowed: Collection[str] = ()) -> str:
    """`text` itself if it holds no structured personal data; raises otherwise (G1, G4).

    Call it on every prompt right before it is sent, after redaction. `allowed` lists values
    that are not personal data and may go as they are (the brand's own switchboard number).
    """
    allowed_folded = {_fold(value) for value in allowed}
    left = [
        found
        for found in structured_personal_data(text, language)
        if _fold(found.text) not in allowed_folded
    ]
    if left:
        counts = Counter(found.kind.lower() for found in left)
        summary = ", ".join(f"{kind}: {count}" for kind, count in sorted(counts.items()))
        raise PersonalDataNotMinimised(
            f"The prompt still holds personal data ({summary}) and was not sent to the "
            "provider. Redact it with pressroom.privacy.redact(text, "
            "detector=presidio_detector(language)) before sending (GDPR: data minimisation)."
        )
    return text
