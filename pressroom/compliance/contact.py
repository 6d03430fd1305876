"""Contact data (e-mail addresses, phone numbers) found in text."""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_PHONE_CANDIDATE = re.compile(
    # Not inside a longer run of digit groups ("12 000 000 000 euros", an ISBN).
    r"(?<![\w+])(?<!\d[\s.\-])(?:\+\d{1,3}[\s.\-]?(?:\(\d{1,4}\)[\s.\-]?)?|00\d{1,3}[\s.\-]?|0|\(\d{2,4}\)\s?)"
    r"\d(?:[\s.\-]?\d){6,13}(?!\w)"
)


@dataclass(frozen=True)
class ContactMatch:
    kind: str  # "email" | "phone"
    value: str
    start: int
    end: int


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def find_contact_data(text: str) -> list[ContactMatch]:
    """E-mail addresses and phone numbers; phones need 9-15 digits and a 0, 00 or + prefix."""
    found = [ContactMatch("email", m.group(), m.start(), m.end()) for m in EMAIL.finditer(text)]
    for m in _PHONE_CANDIDATE.finditer(text):
        if 9 <= len(_digits(m.group())) <= 15:
            found.append(ContactMatch("phone", m.group(), m.start(), m.end()))
    return sorted(found, key=lambda c: c.start)


def same_contact(a: str, b: str) -> bool:
    """Two spellings of one e-mail or phone number (case, spaces, dots and dashes ignored)."""
    if "@" in a or "@" in b:
        return a.lower() == b.lower()
    # "+33 (0)1 23 45 67 89": the "(0)" is the trunk prefix, not dialled after a country code.
    return _digits(a.replace("(0)", "")).lstrip("0") == _digits(b.replace("(0)", "")).lstrip("0")
