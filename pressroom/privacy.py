"""Data minimisation before a remote call: personal data out, placeholders in, originals back.

    redaction = redact(source.text)                # e-mails, phones -> [EMAIL_1], [PHONE_1]
    title = redaction.add(source.title)            # more text, same placeholders
    ... send redaction.text and title ...
    body = redaction.restore(answer)               # placeholders -> the original values
    record(redaction.counts)                       # {"email": 2, "phone": 1}: never the values

What counts as personal data is the `detector`'s business: any callable returning `Detection`s
(kind, start, end). The default finds contact data (`find_contact_data`); a fuller detector
(Presidio: names, addresses...) plugs in the same way and its kinds become placeholders too
(``person`` -> ``[PERSON_1]``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pressroom.compliance.contact import find_contact_data
from pressroom.text import normalize_space

PLACEHOLDER = re.compile(r"\[[A-Z0-9][A-Z0-9_]*_\d+\]")


@dataclass(frozen=True)
class Detection:
    """One piece of personal data in a text: its kind ("email", "phone"...) and where it is."""

    kind: str
    start: int
    end: int


Detector = Callable[[str], Iterable[Detection]]


def contact_data(text: str) -> list[Detection]:
    """The default detector: e-mail addresses and phone numbers."""
    return [Detection(match.kind, match.start, match.end) for match in find_contact_data(text)]


class Redaction:
    """Placeholders handed out so far: the same value always gets the same placeholder, and
    each kind is numbered on its own (``[EMAIL_1]``, ``[EMAIL_2]``, ``[PHONE_1]``)."""

    def __init__(self, text: str = "", detector: Detector = contact_data) -> None:
        self._detector = detector
        self._originals: dict[str, str] = {}  # placeholder -> value as first seen
        self._placeholders: dict[tuple[str, str], str] = {}  # (kind, folded value) -> placeholder
        self._numbers: Counter[str] = Counter()  # kind -> distinct values seen
        self._counts: Counter[str] = Counter()  # kind -> occurrences replaced
        self.text = self.add(text)

    def add(self, text: str) -> str:
        """`text` with every detected value replaced by its placeholder."""
        pieces, position = [], 0
        for found in sorted(self._detector(text), key=lambda d: (d.start, -d.end)):
            if found.start < position:  # overlaps the previous detection: already replaced
                continue
            pieces += [text[position : found.start], self._placeholder(found, text)]
            position = found.end
        return "".join([*pieces, text[position:]])

    @property
    def counts(self) -> dict[str, int]:
        """Occurrences replaced, by kind: what a record may say, never the values."""
        return dict(self._counts)

    def restore(self, text: str) -> str:
        """`text` with this redaction's placeholders back to their values; others untouched."""
        return PLACEHOLDER.sub(lambda m: self._originals.get(m.group(), m.group()), text)

    def _placeholder(self, found: Detection, text: str) -> str:
        value = text[found.start : found.end]
        key = (found.kind, normalize_space(value).casefold())
        if key not in self._placeholders:
            self._numbers[found.kind] += 1
            label = re.sub(r"[^A-Z0-9]+", "_", found.kind.upper()).strip("_") or "DATA"
            placeholder = f"[{label}_{self._numbers[found.kind]}]"
            self._placeholders[key] = placeholder
            self._originals[placeholder] = value
        self._counts[found.kind] += 1
        return self._placeholders[key]


def redact(text: str, detector: Detector = contact_data) -> Redaction:
    """Personal data in `text` replaced with placeholders; `.text` is the result."""
    return Redaction(text, detector)
