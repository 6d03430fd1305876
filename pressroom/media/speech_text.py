"""Text as a voice should say it: no markdown, URLs or emoji; numbers and abbreviations in words.

`strip_markdown` gives the text a viewer reads (captions); `clean_for_speech` the text a voice
speaks. French and English get full normalisation; other languages get the markup cleaning and
leave numbers to the speech engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pressroom.text import HASHTAG, normalize_space

# --- markdown -------------------------------------------------------------------------------

_FENCED_CODE = re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.MULTILINE | re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL)
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])", re.DOTALL)
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.DOTALL)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.MULTILINE)
_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)
_BULLET = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+", re.MULTILINE)
_ENDS_SENTENCE = re.compile(r"[.!?…:;»\"')]$")

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U00002b00-\U00002bff"
    "\U0000fe0f\U0000200d\U000020e3\U000e0020-\U000e007f]+"
)


def _heading_as_sentence(match: re.Match[str]) -> str:
    """A heading ends its sentence, so it is not read into the paragraph after it."""
    title = match[1].strip()
    return title if not title or _ENDS_SENTENCE.search(title) else title + "."


def strip_markdown(text: str) -> str:
    """The text as a reader sees it rendered: links keep their label, code keeps its text,
    fenced code blocks and markup characters go. Line structure is kept."""
    text = _FENCED_CODE.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = _INLINE_CODE.sub(lambda m: m[2].strip(), text)
    text = _HEADING.sub(_heading_as_sentence, text)
    text = _RULE.sub("", text)
    text = _QUOTE.sub("", text)
    text = _BULLET.sub("", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _STRIKE.sub(r"\1", text)


def strip_emoji(text: str) -> str:
    return normalize_space(_EMOJI.sub(" ", text))


# --- numbers --------------------------------------------------------------------------------

_MAX_SPELLED = 10**12  # up to the billions; larger numbers are left to the speech engine

_FR_UNITS = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]
_FR_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}

_EN_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_EN_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _fr_below_100(n: int) -> str:
    if n < 20:
        return _FR_UNITS[n]
    tens, unit = divmod(n, 10)
    if tens == 7:
        return "soixante et onze" if unit == 1 else "soixante-" + _FR_UNITS[10 + unit]
    if tens == 8:
        return "quatre-vingts" if unit == 0 else "quatre-vingt-" + _FR_UNITS[unit]
    if tens == 9:
        return "quatre-vingt-" + _FR_UNITS[10 + unit]
    if unit == 0:
        return _FR_TENS[tens]
    return _FR_TENS[tens] + (" et un" if unit == 1 else "-" + _FR_UNITS[unit])


def _fr_below_1000(n: int, *, before_mille: bool = False) -> str:
    """`before_mille`: "deux cent mille", "quatre-vingt mille" lose their plural s."""
    hundreds, rest = divmod(n, 100)
    words = _fr_below_100(rest) if rest or not hundreds else ""
    if hundreds:
        head = "cent" if hundreds == 1 else _FR_UNITS[hundreds] + " cent"
        if not rest and hundreds > 1 and not before_mille:
            head += "s"
        words = f"{head} {words}".strip()
    if before_mille and words.endswith("quatre-vingts"):
        words = words[:-1]
    return words


def _fr_integer(n: int) -> str:
    if n == 0:
        return "zéro"
    billions, rest = divmod(n, 10**9)
    millions, rest = divmod(rest, 10**6)
    thousands, rest = divmod(rest, 1000)
    parts = []
    for count, noun in ((billions, "milliard"), (millions, "million")):
        if count:
            parts.append(f"{_fr_below_1000(count)} {noun}{'s' if count > 1 else ''}")
    if thousands:
        parts.append(
            "mille" if thousands == 1 else _fr_below_1000(thousands, before_mille=True) + " mille"
        )
    if rest:
        parts.append(_fr_below_1000(rest))
    return " ".join(parts)


def _en_below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    if rest < 20:
        tail = _EN_UNITS[rest]
    else:
        tens, unit = divmod(rest, 10)
        tail = _EN_TENS[tens] + (f"-{_EN_UNITS[unit]}" if unit else "")
    if not hundreds:
        return tail
    return f"{_EN_UNITS[hundreds]} hundred" + (f" {tail}" if rest else "")


def _en_integer(n: int) -> str:
    if n == 0:
        return "zero"
    parts = []
    for scale, noun in ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (1, "")):
        count, n = divmod(n, scale)
        if count:
            parts.append(f"{_en_below_1000(count)} {noun}".strip())
    return " ".join(parts)


_INTEGER_WORDS: dict[str, Callable[[int], str]] = {"fr": _fr_integer, "en": _en_integer}
_DECIMAL_WORD = {"fr": "virgule", "en": "point"}
_MINUS_WORD = {"fr": "moins", "en": "minus"}


def _spell_digits(digits: str, integer_words: Callable[[int], str]) -> str:
    return " ".join(integer_words(int(d)) for d in digits)


def number_to_words(number: str, language: str) -> str:
    """'-1250.05' (a plain number with a dot as decimal mark) in words, in French or English.

    French reads decimals as a number after "virgule" ("trois virgule quatorze"), English digit by
    digit after "point". Leading zeros are read as zeros. Numbers from a trillion up, and numbers
    in other languages, come back unchanged.
    """
    language = primary_language(language)
    integer_words = _INTEGER_WORDS.get(language)
    match = re.fullmatch(r"(-?)(\d+)(?:\.(\d+))?", number)
    if integer_words is None or match is None or int(match[2]) >= _MAX_SPELLED:
        return number
    sign, integer, decimals = match.groups()
    if len(integer) > 1 and integer.startswith("0"):
        words = _spell_digits(integer, integer_words)
    else:
        words = integer_words(int(integer))
    if decimals:
        zeros = len(decimals) - len(decimals.lstrip("0"))
        if language == "fr" and decimals.lstrip("0"):
            spoken = " ".join(["zéro"] * zeros + [integer_words(int(decimals))])
        else:
            spoken = _spell_digits(decimals, integer_words)
        words = f"{words} {_DECIMAL_WORD[language]} {spoken}"
    return f"{_MINUS_WORD[language]} {words}" if sign else words


def _ordinal(cardinal: str, language: str) -> str:
    """'vingt et un' -> 'vingt et unième'; 'twenty-one' -> 'twenty-first'."""
    cut = max(cardinal.rfind(" "), cardinal.rfind("-")) + 1
    head, last = cardinal[:cut], cardinal[cut:]
    if language == "fr":
        irregular = {
            "un": "unième",
            "cinq": "cinquième",
            "neuf": "neuvième",
            "cents": "centième",
            "vingts": "vingtième",
        }
        return head + irregular.get(last, last.removesuffix("e") + "ième")
    irregular = {
        "one": "first",
        "two": "second",
        "three": "third",
        "five": "fifth",
        "eight": "eighth",
        "nine": "ninth",
        "twelve": "twelfth",
    }
    if last in irregular:
        return head + irregular[last]
    return head + (last[:-1] + "ieth" if last.endswith("y") else last + "th")


# --- per-language rules ---------------------------------------------------------------------

_SPACE = "[ \u00a0\u202f]"  # French writes thousands and units with (no-break) spaces

_FR_ABBREVIATIONS = (
    (r"(?<![\w.])MM\.(?=\s)", "Messieurs"),
    (r"(?<![\w.])M\.(?=\s+[A-ZÀ-Ý])", "Monsieur"),
    (r"(?<![\w.])Mmes?\b\.?", "Madame"),
    (r"(?<![\w.])Mlle\b\.?", "Mademoiselle"),
    (r"(?<![\w.])Dr\b\.?(?=\s+[A-ZÀ-Ý])", "Docteur"),
    (r"(?<![\w.])Pr\b\.?(?=\s+[A-ZÀ-Ý])", "Professeur"),
    (r"(?<![\w.])Me\b\.?(?=\s+[A-ZÀ-Ý])", "Maître"),
    (r"\bp\.\s?ex\.", "par exemple"),
    (r"\bc\.-à-d\.", "c'est-à-dire"),
    (r"\benv\.(?=\s*\d)", "environ"),
    (r"\bn[°º]\s?(?=\d)", "numéro "),
    (r"\betc\.(?=\s*[,;:!?)])", "et cetera"),
    (r"\betc\.", "et cetera."),
    (r"\s&\s", " et "),
)
_EN_ABBREVIATIONS = (
    (r"(?<![\w.])Dr\.(?=\s)", "Doctor"),
    (r"(?<![\w.])Mr\.(?=\s)", "Mister"),
    (r"(?<![\w.])Mrs\.(?=\s)", "Missus"),
    (r"(?<![\w.])Ms\.(?=\s)", "Miz"),
    (r"(?<![\w.])Prof\.(?=\s)", "Professor"),
    (r"\be\.g\.", "for example"),
    (r"\bi\.e\.", "that is"),
    (r"\bvs\.?(?=\s)", "versus"),
    (r"\bapprox\.(?=\s)", "approximately"),
    (r"\bNo\.\s?(?=\d)", "number "),
    (r"\betc\.(?=\s*[,;:!?)])", "et cetera"),
    (r"\betc\.", "et cetera."),
    (r"\s&\s", " and "),
)
_ABBREVIATIONS = {
    language: [(re.compile(pattern), spoken) for pattern, spoken in table]
    for language, table in (("fr", _FR_ABBREVIATIONS), ("en", _EN_ABBREVIATIONS))
}

#: Units after a number: symbol -> (singular, plural) per language.
_UNITS = {
    "fr": {
        "%": ("pour cent", "pour cent"),
        "€": ("euro", "euros"),
        "$": ("dollar", "dollars"),
        "£": ("livre", "livres"),
        "°C": ("degré Celsius", "degrés Celsius"),
        "km": ("kilomètre", "kilomètres"),
        "kg": ("kilo", "kilos"),
    },
    "en": {
        "%": ("percent", "percent"),
        "€": ("euro", "euros"),
        "$": ("dollar", "dollars"),
        "£": ("pound", "pounds"),
        "°C": ("degree Celsius", "degrees Celsius"),
        "km": ("kilometre", "kilometres"),
        "kg": ("kilogram", "kilograms"),
    },
}
_FR_NUMBER = rf"(?<![\w,.])(?:\d{{1,3}}(?:{_SPACE}\d{{3}})+|\d+)(?:,\d+)?(?![\d,]\d)"
_EN_NUMBER = r"(?<![\w,.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d.]\d)"
_NUMBER = {"fr": _FR_NUMBER, "en": _EN_NUMBER}
_NEGATIVE = r"(?:(?<=\s)|^)[-−](?=\d)"
_UNIT_AFTER = r"{space}?(?P<unit>%|€|\$|£|°C|km\b|kg\b)"


def _canonical(number: str, language: str) -> str:
    """'1 250,5' (fr) or '1,250.5' (en) -> '1250.5'."""
    if language == "fr":
        return re.sub(_SPACE, "", number).replace(",", ".")
    return number.replace(",", "")


def _with_unit(words: str, value: str, unit: str, language: str) -> str:
    singular, plural = _UNITS[language][unit]
    one = abs(float(value)) < 2 if language == "fr" else abs(float(value)) == 1
    return f"{words} {singular if one else plural}"


def _numbers_in_words(text: str, language: str) -> str:
    number = _NUMBER[language]

    def spoken(match: re.Match[str]) -> str:
        value = ("-" if match["sign"] else "") + _canonical(match["number"], language)
        words = number_to_words(value, language)
        unit = match["unit"] or match["prefix"]
        return _with_unit(words, value, unit, language) if unit else words

    pattern = re.compile(
        rf"(?P<sign>{_NEGATIVE})?(?P<prefix>[$£€])?(?P<number>{number})"
        + rf"(?:{_UNIT_AFTER.format(space=_SPACE)})?"
    )
    return pattern.sub(spoken, text)


def _fr_ordinals_and_hours(text: str) -> str:
    text = re.sub(r"\b1(?:er|ᵉʳ)\b", "premier", text)
    text = re.sub(r"\b1(?:re|ère|ʳᵉ)\b", "première", text)
    text = re.sub(r"\b(\d+)(?:e|ème|ᵉ)\b", lambda m: _ordinal(_fr_integer(int(m[1])), "fr"), text)

    def hours(match: re.Match[str]) -> str:
        count = int(match[1])
        said = f"{_fr_integer(count)} heure{'s' if count > 1 else ''}"
        return f"{said} {_fr_integer(int(match[2]))}" if match[2] else said

    return re.sub(rf"\b(\d{{1,2}}){_SPACE}?h(?:{_SPACE}?(\d{{2}}))?\b", hours, text)


def _en_ordinals(text: str) -> str:
    return re.sub(
        r"\b(\d+)(?:st|nd|rd|th)\b", lambda m: _ordinal(_en_integer(int(m[1])), "en"), text
    )


def _split_camel_case(tag: str) -> str:
    return re.sub(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Ý])|(?<=[A-ZÀ-Ý])(?=[A-ZÀ-Ý][a-zà-ÿ])", " ", tag)


_HANDLE = re.compile(r"(?<![\w@.])@\w+")
#: A URL, without the punctuation that ends the sentence around it.
_URL = re.compile(r"(?<![\w@])(?:https?://|www\.)\S+?(?=[.,;:!?)\]»\"']*(?:\s|$))")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.])")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_REPEATED_PUNCTUATION = re.compile(r"([,;:])(?:\s*[,;:])+")


def primary_language(tag: str) -> str:
    """'fr-CA', 'fr_FR', 'FR' -> 'fr'."""
    return tag.replace("_", "-").split("-")[0].lower()


def clean_for_speech(text: str, language: str) -> str:
    """The words a voice should say for `text`: markdown, URLs, @handles and emoji removed,
    hashtags read as words, numbers and common abbreviations written out (fr, en)."""
    language = primary_language(language)
    text = strip_markdown(text)
    text = _URL.sub("", text)
    text = _HANDLE.sub("", text)
    text = HASHTAG.sub(lambda m: _split_camel_case(m[0][1:]), text)
    text = _EMOJI.sub(" ", text)
    for pattern, spoken in _ABBREVIATIONS.get(language, []):
        text = pattern.sub(spoken, text)
    if language == "fr":
        text = _fr_ordinals_and_hours(text)
    elif language == "en":
        text = _en_ordinals(text)
    if language in _NUMBER:
        text = _numbers_in_words(text, language)
    text = _EMPTY_BRACKETS.sub("", text)
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", normalize_space(text))
    return _REPEATED_PUNCTUATION.sub(r"\1", text).strip(" ,;:")
