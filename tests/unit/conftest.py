"""Shared unit-test fixtures: two realistic sources (French, English), the shipped settings,
the offline writer and helpers that run it."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from PIL import Image

from pressroom.models import (
    CardImage,
    ChannelPost,
    EditorialPlan,
    Generation,
    Revision,
    Source,
    sha256_hex,
)
from pressroom.providers.offline_text import OfflineWriter
from pressroom.settings import Settings, load_settings

FR_TITLE = "Qualité de l’air : Montreval confie 200 capteurs à ses habitants"
FR_TEXT = """\
Depuis le 3 mars 2025, 200 foyers de Montreval mesurent eux-mêmes la qualité de l’air devant \
leur porte. Chaque capteur relève les particules fines toutes les dix minutes et envoie ses \
mesures sur une carte publique.

Le programme coûte 1 250 000 euros sur trois ans, dont 40 % financés par la région. « Nous \
voulons que chacun puisse vérifier ce qu’il respire, rue par rue », explique Claire Vasseur, \
adjointe chargée de l’environnement.

Les premiers résultats montrent des pics de pollution près de l’école Jean-Moulin aux heures \
de pointe. Selon l’association Air Montreval, la concentration de particules fines y dépasse \
de 18 % le seuil recommandé par l’Organisation mondiale de la santé.

La municipalité prévoit d’installer 150 capteurs supplémentaires d’ici la fin de l’année 2026. \
Les habitants volontaires reçoivent une formation de deux heures et un guide d’entretien du \
capteur.

Les données sur la qualité de l’air seront publiées chaque semaine dans le bulletin municipal. \
Les chercheurs de l’université de Montreval analyseront aussi les mesures pour comparer les \
quartiers entre eux, avant un premier bilan attendu en septembre."""

EN_TITLE = "Port Alder ferries will sail every 20 minutes from June"
EN_TEXT = """\
From 2 June, ferries between Port Alder and Kelby Island will leave every 20 minutes instead \
of every 45 minutes during the day. The harbour authority says the new timetable will carry up \
to 3,200 passengers a day, almost twice the current figure.

The upgrade costs £4.5 million, of which 60% comes from a national coastal transport fund. \
"People on the island should not have to plan their whole day around a boat," said harbour \
master Tom Ashdown at a public meeting on Tuesday.

Two electric ferries built in Aberdeen will join the fleet in May 2025. Each vessel carries 180 \
passengers and 24 cars, and charges in twelve minutes at the new quay.

Island businesses welcomed the change, but some residents worry about queues at the ferry car \
park. The council promised 85 extra parking spaces near the ferry terminal before the summer.

Night ferries will keep their current timetable until a review in October. Passengers can \
already check the new ferry timetable on the harbour authority website and at the ticket \
office."""

FETCHED_AT = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def make_source(
    text: str,
    *,
    title: str,
    language: str,
    url: str = "https://news.example.org/2025/03/article",
) -> Source:
    return Source(
        url=url,
        title=title,
        text=text,
        language=language,
        sha256=sha256_hex(text),
        fetched_at=FETCHED_AT,
        author="Rédaction",
        published="2025-03-14",
        site_name="Example News",
    )


@pytest.fixture(scope="session")
def new_source() -> Callable[..., Source]:
    """new_source(text, title=..., language=..., url=...) -> a Source, for crafted texts."""
    return make_source


@pytest.fixture(scope="session")
def fr_text() -> str:
    return FR_TEXT


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def fr_source() -> Source:
    return make_source(
        FR_TEXT,
        title=FR_TITLE,
        language="fr",
        url="https://www.montreval-infos.example/environnement/capteurs-air",
    )


@pytest.fixture(scope="session")
def en_source() -> Source:
    return make_source(
        EN_TEXT,
        title=EN_TITLE,
        language="en",
        url="https://www.portalder-gazette.co.uk/news/2025/ferries-every-20-minutes",
    )


@pytest.fixture(scope="session", params=["fr", "en"])
def source(request: pytest.FixtureRequest, fr_source: Source, en_source: Source) -> Source:
    """Each test using it runs once per language."""
    return fr_source if request.param == "fr" else en_source


WriteFn = Callable[..., list[ChannelPost]]


@pytest.fixture(scope="session")
def write(settings: Settings) -> WriteFn:
    """write(source, comments="", round_=0, channels=None) -> posts, through the whole writer
    (channels=None: the pipeline's default channels)."""
    writer = OfflineWriter()
    plans: dict[tuple[str, ...], EditorialPlan] = {}  # keyword extraction is the slow part

    def run(
        source: Source,
        comments: str = "",
        round_: int = 0,
        channels: list[str] | None = None,
    ) -> list[ChannelPost]:
        selected = {name: settings.channel(name) for name in settings.select_channels(channels)}
        key = (source.model_dump_json(), *selected)
        if key not in plans:
            audience = writer.analyse_audience(source)
            plans[key] = writer.plan_posts(source, audience, settings.brand, selected)
        plan = plans[key].model_copy(deep=True)
        revision = Revision(round=round_, comments=[comments] if comments else [])
        return writer.write_posts(source, plan, settings.brand, selected, revision)

    return run


def png_bytes(width: int = 8, height: int = 6, colour: str = "#12263a") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def fake_card() -> Callable[..., CardImage]:
    """fake_card(alt_text=..., colour=...) -> a tiny CardImage holding real PNG bytes."""

    def make(
        alt_text: str = "A card: the article title on a navy background", colour: str = "#12263a"
    ) -> CardImage:
        return CardImage(
            png=png_bytes(colour=colour),
            width=8,
            height=6,
            alt_text=alt_text,
            generation=Generation(
                provider="test",
                model="solid-colour",
                template_id="card/test",
                template_version="1",
                created_at=FETCHED_AT,
            ),
        )

    return make
