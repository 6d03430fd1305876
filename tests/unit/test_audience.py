"""Audience analysis: the offline profile (needs, objections, vocabulary from the source and the
brief's hint), the OpenAI prompt carrying the hint (minimised), old profiles still loading, and
the offline strategy meeting the first objection."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from pressroom.models import AudienceProfile, Source
from pressroom.prompts import load_template
from pressroom.providers.offline_audience import sentences_addressing
from pressroom.providers.offline_text import OfflineWriter
from pressroom.providers.openai_text import OpenAIWriter
from pressroom.settings import OpenAISettings, Settings
from pressroom.text import normalize_space, split_sentences
from tasks.editorial import audience_markdown
from tests.unit.conftest import make_source
from tests.unit.test_prompts import StubCompletions

WRITER = OfflineWriter()
QUOTED = re.compile(r"[“«]\s*(.*)\s*[”»]")
HINTS = {
    "fr": "Parents d'élèves de Montreval, inquiets pour la santé de leurs enfants.",
    "en": "Island commuters who find ferry tickets too expensive.",
}
UNDERSTAND = {"fr": "Comprendre ce qui change pour eux", "en": "Understand what changes for them"}
FROM_HINT = {"fr": "(description du public)", "en": "(audience hint)"}
#: Texts without a cue word: no need beyond understanding, no objection.
PLAIN = {
    "fr": "Montreval ouvre une nouvelle salle de lecture au deuxième étage de la médiathèque. "
    "Les bénévoles ont repeint les murs de la salle de lecture en jaune. La salle de lecture "
    "compte quarante places et de grandes fenêtres.",
    "en": "Port Alder opens a new reading room on the second floor of the library. Volunteers "
    "painted the walls of the reading room yellow. The reading room has forty seats and large "
    "windows.",
}


def quoted(statement: str) -> str:
    """The words a need or objection rests on, without the ellipses of a cut."""
    found = QUOTED.search(statement)
    assert found is not None, statement
    return found.group(1).strip(" …")


def assert_from(terms: list[str], *texts: str) -> None:
    where = " ".join(texts).casefold()
    for term in terms:
        assert term.casefold() in where, term


# ---------------------------------------------------------------- the offline profile


def test_offline_profile_states_needs_and_objections_on_the_source_words(source: Source) -> None:
    profile = WRITER.analyse_audience(source)
    language = source.language
    text = normalize_space(source.text)

    assert profile.needs[0].startswith(UNDERSTAND[language])
    assert len(profile.needs) >= 2 and profile.objections
    for statement in [*profile.needs[1:], *profile.objections]:
        assert quoted(statement) in text, statement  # words of the source, as written
        assert FROM_HINT[language] not in statement
    assert_from(profile.vocabulary, source.title, source.text)
    assert len(profile.vocabulary) >= 4
    assert profile.generation is not None
    assert profile.generation.parameters["hint_given"] is False


def test_offline_objections_follow_the_source_cues() -> None:
    fr = WRITER.analyse_audience(make_source(PLAIN["fr"] + " " + FR_COST, title="T", language="fr"))
    en = WRITER.analyse_audience(make_source(PLAIN["en"] + " " + EN_COST, title="T", language="en"))

    assert fr.objections == ["Des doutes sur le coût : « Le billet coûte 4 euros par trajet »"]
    assert en.objections == ["Doubts about the cost: “A ticket costs £4 per crossing”"]


FR_COST = "Le billet coûte 4 euros par trajet, selon la mairie."
EN_COST = "A ticket costs £4 per crossing, the council said."


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_cue_no_objection_nor_invented_need(language: str) -> None:
    profile = WRITER.analyse_audience(make_source(PLAIN[language], title="", language=language))

    assert profile.objections == []
    assert len(profile.needs) == 1 and profile.needs[0].startswith(UNDERSTAND[language])
    assert_from(profile.vocabulary, PLAIN[language])


def test_offline_profile_known_samples(fr_source: Source, en_source: Source) -> None:
    fr, en = WRITER.analyse_audience(fr_source), WRITER.analyse_audience(en_source)

    assert fr.objections[0] == (
        "Des doutes sur le coût : « Le programme coûte 1 250 000 euros sur trois ans »"
    )
    assert any("pollution" in o for o in fr.objections)  # health and safety
    assert en.objections == [
        "Doubts about the cost: “The upgrade costs £4.5 million”",
        "Reservations voiced: “some residents worry about queues at the ferry car park”",
    ]
    assert any(n.startswith("Know the dates that matter: “From 2 June") for n in en.needs)


def test_offline_profile_takes_the_hint(source: Source) -> None:
    language, hint = source.language, HINTS[source.language]
    without = WRITER.analyse_audience(source)

    profile = WRITER.analyse_audience(source, hint)

    assert hint.rstrip(".") in profile.summary
    assert profile.summary.startswith(without.summary)
    # the hint's own concern comes first, marked as the user's words, not the source's
    first = profile.objections[0]
    assert first.endswith(FROM_HINT[language]) and quoted(first) in hint
    rest = profile.objections[1:]
    assert rest and all(objection in without.objections for objection in rest)
    assert [o for o in without.objections if o in rest] == rest  # in the same order
    assert len({quoted(objection) for objection in profile.objections}) == len(profile.objections)
    # its words join the source's in the vocabulary
    assert profile.vocabulary[: len(without.vocabulary)] == without.vocabulary
    added = profile.vocabulary[len(without.vocabulary) :]
    assert added and all(term.casefold() in hint.casefold() for term in added)
    assert_from(profile.vocabulary, source.title, source.text, hint)
    assert profile.generation is not None and profile.generation.parameters["hint_given"]


# ---------------------------------------------------------------- old profiles


OLD_PROFILE = {
    "summary": "Lecteurs intéressés par la qualité de l'air",
    "interests": ["qualité de l'air", "Montreval"],
    "reading_level": "general",
    "language": "fr",
    "generation": None,
}


def test_a_profile_persisted_before_needs_objections_vocabulary_still_loads() -> None:
    import json

    profile = AudienceProfile.model_validate_json(json.dumps(OLD_PROFILE))

    assert (profile.needs, profile.objections, profile.vocabulary) == ([], [], [])
    assert profile.interests == OLD_PROFILE["interests"]


# ---------------------------------------------------------------- the OpenAI prompt


def stub_writer() -> tuple[OpenAIWriter, StubCompletions]:
    stub = StubCompletions()
    client: Any = SimpleNamespace(chat=SimpleNamespace(completions=stub))
    return OpenAIWriter(OpenAISettings(), "sk-test", client=client), stub


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_audience_prompt_carries_the_hint_as_the_users_description(
    language: str, fr_source: Source, en_source: Source
) -> None:
    source = fr_source if language == "fr" else en_source
    writer, stub = stub_writer()

    profile = writer.analyse_audience(source, HINTS[language])

    system, user = (m["content"] for m in stub.requests[0]["messages"])
    template = load_template("audience", language)
    assert template.version == "2"
    intro = {
        "fr": "Description du public par l'utilisateur : ",
        "en": "The user's description of the audience: ",
    }
    assert intro[language] + HINTS[language] in user
    assert HINTS[language] not in system  # the request's, not the role's
    schema = stub.requests[0]["response_format"]["json_schema"]["schema"]
    assert {"needs", "objections", "vocabulary"} <= set(schema["required"])
    assert profile.needs and profile.objections and profile.vocabulary
    assert profile.generation is not None
    assert profile.generation.template_version == "2"
    assert profile.generation.parameters["hint_given"] is True


def test_without_a_hint_the_prompt_says_none(en_source: Source) -> None:
    writer, stub = stub_writer()

    writer.analyse_audience(en_source)

    user = stub.requests[0]["messages"][1]["content"]
    assert "The user's description of the audience: none" in user


def test_personal_data_in_the_hint_is_minimised_and_restored(en_source: Source) -> None:
    email, phone = "anna.martin@example.org", "+33 6 12 34 56 78"
    hint = f"Members of the ferry panel: write to {email} or call {phone}."
    writer, stub = stub_writer()

    profile = writer.analyse_audience(en_source, hint)

    sent = str(stub.requests[0]["messages"])
    assert email not in sent and phone not in sent
    assert "Members of the ferry panel: write to [EMAIL_1] or call [PHONE_1]." in sent
    assert profile.generation is not None
    assert profile.generation.redacted == {"email": 1, "phone": 1}


def test_the_strategy_prompt_carries_needs_objections_and_vocabulary(
    en_source: Source, settings: Settings
) -> None:
    audience = AudienceProfile(
        summary="Islanders",
        language="en",
        needs=["Know when the new timetable starts"],
        objections=["Fear that tickets cost more; ask anna.martin@example.org"],
        vocabulary=["crossing", "timetable"],
    )
    writer, stub = stub_writer()
    channels = {name: settings.channel(name) for name in ("linkedin", "x")}

    writer.plan_strategy(en_source, audience, settings.brand, channels, None)

    user = stub.requests[0]["messages"][1]["content"]
    assert "Their needs:\n  - Know when the new timetable starts\n" in user
    assert "Their objections:\n  - Fear that tickets cost more; ask [EMAIL_1]\n" in user
    assert "Their vocabulary: crossing, timetable\n" in user
    assert "anna.martin" not in user


# ---------------------------------------------------------------- downstream


def test_the_offline_strategy_meets_the_first_objection_from_the_source(
    source: Source, settings: Settings
) -> None:
    channels = {name: settings.channel(name) for name in settings.pipeline.default_channels}
    profile = WRITER.analyse_audience(source)
    silent = profile.model_copy(update={"objections": []})

    strategy = WRITER.plan_strategy(source, profile, settings.brand, channels, None)
    plain = WRITER.plan_strategy(source, silent, settings.brand, channels, None)

    cost = {"fr": "Le programme coûte 1 250 000 euros", "en": "The upgrade costs £4.5 million"}
    assert profile.objections[0].startswith(("Des doutes sur le coût", "Doubts about the cost"))
    assert any(m.startswith(cost[source.language]) for m in strategy.key_messages)
    assert not any(m.startswith(cost[source.language]) for m in plain.key_messages)
    assert strategy.key_messages[:2] == plain.key_messages[:2]
    sentences = split_sentences(source.text)
    for message in strategy.key_messages:  # every word the source's, in its order
        assert any(message.rstrip(".") in sentence for sentence in sentences), message
    assert strategy.generation is not None and strategy.generation.parameters["objection_met"]
    assert plain.generation is not None and not plain.generation.parameters["objection_met"]


def test_a_model_written_objection_finds_its_source_sentences(en_source: Source) -> None:
    sentences = split_sentences(en_source.text)

    found = sentences_addressing("Islanders may find the upgrade too expensive", sentences, "en")
    nothing = sentences_addressing("They like boats", sentences, "en")

    assert found and found[0].startswith("The upgrade costs £4.5 million")
    assert nothing == []


def test_the_artifact_shows_every_part_of_the_profile() -> None:
    profile = AudienceProfile(
        summary="Islanders who commute",
        reading_level="informed",
        language="en",
        interests=["ferries"],
        needs=["Know the timetable"],
        objections=[],
        vocabulary=["crossing"],
    )

    markdown = audience_markdown(profile, "Island  commuters\nin a hurry")

    assert markdown.startswith("Islanders who commute\n")
    for line in (
        "**Reading level:** informed",
        "**Audience hint (from the brief):** Island commuters in a hurry",
        "**Interests:**\n\n* ferries",
        "**Needs:**\n\n* Know the timetable",
        "**Objections:**\n\n* —",
        "**Vocabulary:**\n\n* crossing",
    ):
        assert line in markdown
    assert "Audience hint" not in audience_markdown(profile)
