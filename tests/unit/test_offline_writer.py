"""The offline writer: limits, disclosure, link policy, key points shortened from the source
(no copied passage for rule C1), determinism, and the reviewer instructions it understands."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from pressroom.channels import post_length
from pressroom.compliance.base import PostContent, RuleContext
from pressroom.compliance.contact import find_contact_data
from pressroom.compliance.copyright import check_copying
from pressroom.errors import ConfigError
from pressroom.models import ChannelPost, Source
from pressroom.providers import (
    _REGISTRIES,
    ProviderContext,
    register_text_provider,
    resolve_name,
    text_provider,
)
from pressroom.providers.offline_image import OfflineCards
from pressroom.providers.offline_text import (
    MAX_POINT_WORDS,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    OfflineWriter,
    _usable_sentences,
    key_point,
    parse_instructions,
)
from pressroom.settings import BrandConfig, ProviderSettings, Settings
from pressroom.text import HASHTAG, URL, split_sentences

WriteFn = Callable[..., list[ChannelPost]]
SourceFactory = Callable[..., Source]

CHANNELS = ["linkedin", "x", "instagram", "facebook", "tiktok"]
LONG_CHANNELS = ["linkedin", "instagram", "facebook"]
EMOJI = ("📰", "👉")
LEADS = {"fr": "Ce qu'il faut retenir :", "en": "What to know:"}


# ---------------------------------------------------------------- helpers


def by_channel(posts: list[ChannelPost]) -> dict[str, ChannelPost]:
    return {p.channel: p for p in posts}


def frame_blocks(brand: BrandConfig, language: str) -> tuple[str, ...]:
    return (
        brand.localized(brand.call_to_action, language),
        brand.localized(brand.link_in_bio, language),
        brand.disclosure_for(language).short,
        brand.disclosure_for(language).long,
    )


def body_of(post: ChannelPost, brand: BrandConfig) -> str:
    """The post minus its hook (first block), call to action, hashtags and disclosure."""
    frame = frame_blocks(brand, post.language)
    body = [
        block
        for block in post.text.split("\n\n")[1:]
        if not any(part in block for part in frame)
        and not all(word.startswith("#") for word in block.split())
    ]
    assert len(body) <= 1, post.text
    return body[0] if body else ""


def source_sentence_of(point: str, source: Source) -> int | None:
    """The index of the source sentence whose words include the point's, in the same order."""
    words = re.findall(r"\w+", point.lower())
    for index, sentence in enumerate(split_sentences(source.text)):
        remaining = iter(re.findall(r"\w+", sentence.lower()))
        if all(word in remaining for word in words):
            return index
    return None


def body_points(post: ChannelPost, source: Source, brand: BrandConfig) -> list[str]:
    """The key points of the body, each checked to come from one source sentence."""
    body = body_of(post, brand)
    if not body:
        return []
    lead, *lines = body.split("\n")
    assert lead == LEADS[post.language], post.text
    assert lines, post.text
    for line in lines:
        assert line.startswith("→ ") and line.endswith("."), post.text
        assert source_sentence_of(line[2:], source) is not None, f"{line!r} not in the source"
    return [line[2:] for line in lines]


def all_points(source: Source) -> set[str]:
    """Every point the writer can make of `source`."""
    return {
        point.text
        for sentence in _usable_sentences(source)
        if (point := key_point(sentence, source.language)) is not None
    }


def hashtag_count(text: str) -> int:
    return len(HASHTAG.findall(text))


@pytest.fixture(scope="module")
def round0(source: Source, write: WriteFn) -> dict[str, ChannelPost]:
    return by_channel(write(source))


# ---------------------------------------------------------------- every post, both languages


def test_one_post_per_default_channel_in_config_order(
    source: Source, write: WriteFn, settings: Settings
) -> None:
    posts = write(source)
    assert [p.channel for p in posts] == settings.pipeline.default_channels == CHANNELS
    assert all(p.language == source.language for p in posts)


@pytest.mark.parametrize("channel", CHANNELS)
def test_post_fits_the_platform_limit(
    round0: dict[str, ChannelPost], settings: Settings, channel: str
) -> None:
    cfg = settings.channel(channel)
    post = round0[channel]
    assert 0 < post_length(post.text, cfg) <= cfg.max_chars


@pytest.mark.parametrize("channel", CHANNELS)
def test_post_carries_at_most_max_hashtags(
    round0: dict[str, ChannelPost], settings: Settings, channel: str
) -> None:
    post = round0[channel]
    assert hashtag_count(post.text) <= settings.channel(channel).max_hashtags
    assert post.hashtags
    assert all(tag in post.text for tag in post.hashtags)
    assert settings.brand.signature_hashtags[0] in post.hashtags


@pytest.mark.parametrize("channel", CHANNELS)
def test_post_carries_the_channel_disclosure_in_the_source_language(
    source: Source, round0: dict[str, ChannelPost], settings: Settings, channel: str
) -> None:
    texts = settings.brand.disclosure_for(source.language)
    expected = getattr(texts, settings.channel(channel).disclosure)
    post = round0[channel]
    assert post.disclosure == expected
    assert post.text.endswith(expected)


@pytest.mark.parametrize("channel", CHANNELS)
def test_link_policy_is_respected(
    source: Source, round0: dict[str, ChannelPost], settings: Settings, channel: str
) -> None:
    post = round0[channel]
    policy = settings.channel(channel).link_policy
    link_in_bio = settings.brand.localized(settings.brand.link_in_bio, source.language)
    if policy == "inline":
        assert source.url in post.text
        assert post.link == source.url
        assert link_in_bio not in post.text
    elif policy == "bio":
        assert link_in_bio in post.text
        assert URL.search(post.text) is None
        assert post.link is None
    else:
        assert policy == "none"
        assert URL.search(post.text) is None
        assert link_in_bio not in post.text
        assert post.link is None


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_point_is_a_short_clause_of_a_source_sentence_in_reading_order(
    source: Source, round0: dict[str, ChannelPost], settings: Settings, channel: str
) -> None:
    points = body_points(round0[channel], source, settings.brand)
    assert points, "the body is empty"
    assert len(set(points)) == len(points)  # no point twice
    assert all(len(re.findall(r"\w+", p)) <= MAX_POINT_WORDS for p in points)
    order = [source_sentence_of(p, source) for p in points]
    assert order == sorted(order)


@pytest.mark.parametrize("channel", CHANNELS)
def test_no_post_copies_a_passage_of_the_source(
    source: Source, round0: dict[str, ChannelPost], settings: Settings, channel: str
) -> None:
    """C1 at its own severities (not the brand's): no copied run of 12 words or more, no post
    made mostly of the source's wording, no source sentence lightly edited."""
    post = round0[channel]
    ctx = RuleContext(settings.brand, settings.channels, source.text, source.language, source.url)
    content = PostContent(channel, post.text, post.disclosure, None)
    assert list(check_copying(content, settings.channel(channel), ctx)) == []


def test_long_sentences_are_shortened_to_their_main_clause() -> None:
    point = key_point(
        "Each vessel carries 180 passengers and 24 cars, and charges in twelve minutes at the "
        "new quay.",
        "en",
    )
    assert point is not None
    assert point.text == "Each vessel carries 180 passengers and 24 cars."


@pytest.mark.parametrize(
    ("sentence", "language"),
    [
        (
            "Selon l’association Air Montreval, la concentration de particules fines y dépasse de "
            "18 % le seuil recommandé par l’Organisation mondiale de la santé.",
            "fr",
        ),
        ("If the council agrees, ferries will also sail every twenty minutes at night.", "en"),
        (
            '"People on the island should not have to plan their day around a boat," said '
            "the harbour master.",
            "en",
        ),
        ("Will the ferries keep sailing every twenty minutes after the summer season?", "en"),
        ("They carry 180 passengers and 24 cars across the harbour every day.", "en"),
    ],
    ids=["attributed", "condition", "quotation", "question", "pronoun"],
)
def test_sentences_a_cut_would_distort_give_no_point(sentence: str, language: str) -> None:
    assert key_point(sentence, language) is None


# Sentences whose parse tempts a cut into dropping an object, leaving an adverb without its
# complement or keeping a relative clause without its antecedent. Each gives no point or one
# that keeps the words listed together and none of the broken endings.
_TEMPTING_CUTS = [
    (
        "Their task was to count, square metre by square metre, the seagrass that a community "
        "project replanted on the harbour floor in the spring of 2023.",
        "en",
        ("count", "seagrass"),
    ),
    (
        "The meadow now covers 1.6 hectares, up from the 1.2 hectares planted two years ago.",
        "en",
        ("covers", "hectares"),
    ),
    (
        "The two agreed within 8 per cent, which the team considers good enough to compare one "
        "year with the next.",
        "en",
        ("agreed", "within 8 per cent"),
    ),
    (
        "Leur tâche consistait à compter, mètre carré par mètre carré, les herbiers qu'un projet "
        "associatif a replantés au fond du port au printemps 2023.",
        "fr",
        ("compter", "herbiers"),
    ),
    (
        "La ville a fermé, pendant les travaux du printemps dernier, le port que les pêcheurs "
        "utilisaient depuis des siècles.",
        "fr",
        ("fermé", "port"),
    ),
    ("Les premières semaines ont déjà livré quelques surprises.", "fr", ("livré", "surprises")),
]
_BROKEN = re.compile(r"\s(?:up|down|loin)\.$|\bagreed (?:which|that)\b", re.I)


@pytest.mark.parametrize(
    ("sentence", "language", "kept_together"),
    _TEMPTING_CUTS,
    ids=["object-en", "adverb-en", "relative-en", "object-fr", "object-after-fr", "dep-fr"],
)
def test_a_cut_never_drops_an_object_nor_leaves_words_hanging(
    sentence: str, language: str, kept_together: tuple[str, ...]
) -> None:
    point = key_point(sentence, language)
    if point is not None:
        assert all(word in point.text for word in kept_together), point.text
        assert not _BROKEN.search(point.text), point.text
        assert len(re.findall(r"\w+", point.text)) <= MAX_POINT_WORDS


@pytest.mark.parametrize(
    ("sentence", "language", "expected"),
    [
        (_TEMPTING_CUTS[1][0], "en", "The meadow now covers 1.6 hectares."),
        (_TEMPTING_CUTS[2][0], "en", "The two agreed within 8 per cent."),
        (_TEMPTING_CUTS[5][0], "fr", "Les premières semaines ont déjà livré quelques surprises."),
    ],
    ids=["adverb-goes-with-its-complement", "relative-clause-goes", "unplaced-object-stays"],
)
def test_a_cut_that_would_break_the_clause_is_made_another_way(
    sentence: str, language: str, expected: str
) -> None:
    point = key_point(sentence, language)
    assert point is not None
    assert point.text == expected


@pytest.mark.parametrize("channel", CHANNELS)
def test_post_starts_with_the_title(
    source: Source, round0: dict[str, ChannelPost], channel: str
) -> None:
    hook = round0[channel].text.split("\n\n")[0]
    assert hook.removeprefix("📰 ") == source.title


def test_writer_is_deterministic(source: Source, write: WriteFn) -> None:
    first, second = write(source), write(source)
    assert [p.model_dump(exclude={"generation"}) for p in first] == [
        p.model_dump(exclude={"generation"}) for p in second
    ]
    assert [p.generation.parameters for p in first] == [p.generation.parameters for p in second]


def test_generation_record_says_how_the_post_was_made(source: Source, write: WriteFn) -> None:
    for post in write(source, round_=2):
        generation = post.generation
        assert generation.provider == "offline"
        assert generation.template_id == TEMPLATE_ID
        assert generation.template_version == TEMPLATE_VERSION
        assert generation.parameters["channel"] == post.channel
        assert generation.parameters["language"] == source.language
        assert generation.parameters["revision_round"] == 2
        assert generation.parameters["not_understood"] is None


@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        ("fr", ["Lire l'article complet :", "Lien en bio.", "Contenu généré par IA"], "Read"),
        ("en", ["Read the full story:", "Link in bio.", "AI-generated content"], "Lire"),
    ],
)
def test_templated_parts_follow_the_source_language(
    fr_source: Source,
    en_source: Source,
    write: WriteFn,
    language: str,
    expected: list[str],
    foreign: str,
) -> None:
    posts = by_channel(write(fr_source if language == "fr" else en_source))
    cta, bio, short_disclosure = expected
    assert cta in posts["linkedin"].text
    assert cta in posts["x"].text
    assert cta in posts["facebook"].text
    assert bio in posts["instagram"].text
    assert short_disclosure in posts["x"].text
    assert short_disclosure in posts["tiktok"].text
    for post in posts.values():
        assert foreign not in post.text


def test_unsupported_language_falls_back_to_english_frame(
    write: WriteFn, new_source: SourceFactory, fr_text: str
) -> None:
    source = new_source(fr_text, title="Luftqualität in Montreval", language="pt")
    posts = by_channel(write(source))
    assert "Read the full story:" in posts["linkedin"].text
    assert "Link in bio." in posts["instagram"].text
    assert posts["x"].disclosure == "AI-generated content"


def test_audience_and_plan(source: Source, settings: Settings) -> None:
    writer = OfflineWriter()
    audience = writer.analyse_audience(source)
    assert audience.language == source.language
    assert audience.interests
    assert audience.summary.startswith("Lecteurs" if source.language == "fr" else "Readers")
    selected = {name: settings.channel(name) for name in CHANNELS}
    plan = writer.plan_posts(source, audience, settings.brand, selected)
    assert [c.channel for c in plan.channels] == CHANNELS
    assert {c.channel: c.include_link for c in plan.channels} == {
        "linkedin": True,
        "x": True,
        "instagram": False,
        "facebook": True,
        "tiktok": False,
    }
    assert all(message in split_sentences(source.text) for message in plan.key_messages)
    assert all(tag.startswith("#") and " " not in tag for tag in plan.hashtags)
    assert "#pressroom" not in {t.lower() for t in plan.hashtags}  # the signature comes apart


# ---------------------------------------------------------------- revisions


@pytest.mark.parametrize("comment", ["shorter", "Plus court, s'il vous plaît."])
def test_shorter_gives_shorter_long_posts(
    source: Source,
    write: WriteFn,
    round0: dict[str, ChannelPost],
    settings: Settings,
    comment: str,
) -> None:
    revised = by_channel(write(source, comment, round_=1))
    for channel in LONG_CHANNELS:
        assert len(revised[channel].text) < len(round0[channel].text), channel
    for channel, post in revised.items():
        assert len(post.text) <= len(round0[channel].text), channel
        assert (
            post_length(post.text, settings.channel(channel)) <= settings.channel(channel).max_chars
        )
        assert post.generation.parameters["not_understood"] is None


@pytest.mark.parametrize("comment", ["longer", "plus long", "Développer un peu."])
def test_longer_is_not_shorter_and_stays_within_limits(
    source: Source,
    write: WriteFn,
    round0: dict[str, ChannelPost],
    settings: Settings,
    comment: str,
) -> None:
    revised = by_channel(write(source, comment, round_=1))
    for channel, post in revised.items():
        cfg = settings.channel(channel)
        assert len(post.text) >= len(round0[channel].text), channel
        assert post_length(post.text, cfg) <= cfg.max_chars, channel
    every_point = all_points(source)
    left_out = [
        c
        for c in LONG_CHANNELS
        if set(body_points(round0[c], source, settings.brand)) != every_point
    ]
    # Where the first draft left points out, a longer one shows more of them.
    assert left_out or source.language == "fr"  # the French fixture gives four points only
    assert all(len(revised[c].text) > len(round0[c].text) for c in left_out)


@pytest.mark.parametrize("comment", ["another angle", "Essayez un autre angle."])
def test_another_angle_changes_the_body(
    source: Source,
    write: WriteFn,
    round0: dict[str, ChannelPost],
    settings: Settings,
    comment: str,
) -> None:
    every_point = all_points(source)
    revised = by_channel(write(source, comment, round_=1))
    changed = 0
    for channel, post in revised.items():
        before = body_points(round0[channel], source, settings.brand)
        after = body_points(post, source, settings.brand)
        if set(before) != every_point:  # some point was left out: there is another angle
            assert after != before, channel
            changed += 1
    assert changed >= 2


@pytest.mark.parametrize(
    ("language", "comment", "phrase"),
    [
        ("fr", "supprimer « deux heures »", "deux heures"),
        ("fr", "Merci de retirer « qualité de l’air ».", "qualité de l’air"),
        ("en", 'remove "electric ferries"', "electric ferries"),
        ("en", "Please drop “Electric Ferries”.", "electric ferries"),
    ],
)
def test_remove_phrase_removes_every_sentence_containing_it(
    fr_source: Source,
    en_source: Source,
    write: WriteFn,
    settings: Settings,
    language: str,
    comment: str,
    phrase: str,
) -> None:
    source = fr_source if language == "fr" else en_source
    before = write(source)
    assert any(phrase in s.lower() for p in before for s in body_points(p, source, settings.brand))
    for post in write(source, comment, round_=1):
        sentences = body_points(post, source, settings.brand)
        assert sentences, post.channel
        assert not any(phrase in s.lower() for s in sentences), post.channel
        assert post.generation.parameters["not_understood"] is None


@pytest.mark.parametrize(
    "comment",
    [
        "supprimer « Les données sur la qualité de l’air seront publiées chaque semaine dans le "
        "bulletin municipal. »",
        'remove "Les données sur la qualité de l’air seront publiées."',
    ],
    ids=["the-source-sentence", "the-point"],
)
def test_remove_a_quoted_sentence_or_point(
    fr_source: Source, write: WriteFn, settings: Settings, comment: str
) -> None:
    point = "Les données sur la qualité de l’air seront publiées."
    assert any(point in p.text for p in write(fr_source))
    for post in write(fr_source, comment, round_=1):
        assert point not in post.text, post.channel
        assert body_points(post, fr_source, settings.brand), post.channel
        assert post.generation.parameters["not_understood"] is None, post.channel


def test_drop_sentence_n_leaves_out_the_nth_body_sentence(
    fr_source: Source, write: WriteFn, settings: Settings
) -> None:
    before = body_points(write(fr_source)[0], fr_source, settings.brand)
    assert len(before) >= 3
    for n in (1, 2):
        after = body_points(
            write(fr_source, f"linkedin: drop sentence {n}", round_=1)[0],
            fr_source,
            settings.brand,
        )
        assert before[n - 1] not in after, n


def test_channel_scoped_instruction_changes_only_that_channel(
    source: Source, write: WriteFn, round0: dict[str, ChannelPost], settings: Settings
) -> None:
    revised = by_channel(write(source, "x: no hashtags", round_=1))
    assert hashtag_count(round0["x"].text) > 0
    assert revised["x"].hashtags == []
    assert hashtag_count(revised["x"].text) == 0  # documented: "no hashtag at all"
    for channel in CHANNELS:
        if channel != "x":
            assert revised[channel].text == round0[channel].text, channel


@pytest.mark.parametrize("comment", ["no emoji", "sans émojis"])
def test_no_emoji_removes_the_emoji(
    source: Source, write: WriteFn, round0: dict[str, ChannelPost], comment: str
) -> None:
    assert any(e in p.text for p in round0.values() for e in EMOJI)
    for post in write(source, comment, round_=1):
        assert not any(e in post.text for e in EMOJI), post.channel


def test_formal_tone_drops_emoji(source: Source, write: WriteFn) -> None:
    for post in write(source, "plus formel", round_=1):
        assert post.generation.parameters["tone"] == "formal"
        assert not any(e in post.text for e in EMOJI)


def test_unknown_comments_are_reported_as_not_understood(
    source: Source, write: WriteFn, round0: dict[str, ChannelPost]
) -> None:
    posts = write(source, "Make it punchier please\nshorter", round_=1)
    for post in posts:
        assert post.generation.parameters["not_understood"] == ["Make it punchier please"]
    scoped = by_channel(write(source, "x: ajoutez une blague", round_=1))
    assert scoped["x"].generation.parameters["not_understood"] == ["ajoutez une blague"]
    assert scoped["linkedin"].generation.parameters["not_understood"] is None
    assert scoped["linkedin"].text == round0["linkedin"].text


def test_parse_instructions_scopes_lines_and_clauses() -> None:
    channels = CHANNELS
    comments = "x: shorter\nlinkedin: no hashtags. sans emoji\nformal"
    x = parse_instructions(comments, "x", channels)
    assert x.length_factor == pytest.approx(0.6)
    assert not x.no_hashtags
    assert not x.no_emoji
    assert x.tone == "formal"
    linkedin = parse_instructions(comments, "linkedin", channels)
    assert linkedin.length_factor == 1.0
    assert linkedin.no_hashtags
    assert linkedin.no_emoji  # the whole line is scoped to linkedin
    tiktok = parse_instructions(comments, "tiktok", channels)
    assert (tiktok.length_factor, tiktok.no_hashtags, tiktok.tone) == (1.0, False, "formal")
    note = parse_instructions("Note: plus court", "x", channels)  # "note" is not a channel
    assert note.length_factor == pytest.approx(0.6)


# ---------------------------------------------------------------- hostile sources

CONTACT_SENTENCES = [
    "Pour rejoindre le programme de capteurs de qualité de l’air, écrivez à "
    "capteurs@montreval.fr avant le 30 avril.",
    "Les habitants de Montreval qui veulent un capteur de particules fines peuvent appeler le "
    "03 88 12 34 56 du lundi au vendredi.",
    "Claire Vasseur répond aux questions sur la qualité de l’air au +33 6 12 34 56 78 ou à "
    "claire.vasseur@mairie-montreval.fr.",
]


def test_no_post_copies_contact_data_from_the_source(
    write: WriteFn, settings: Settings, new_source: SourceFactory, fr_text: str
) -> None:
    text = fr_text + "\n\n" + " ".join(CONTACT_SENTENCES)
    source = new_source(text, title="Qualité de l’air : les capteurs de Montreval", language="fr")
    assert len(find_contact_data(source.text)) == 4
    for comment in ("", "longer", "autre angle"):
        for post in write(source, comment):
            assert find_contact_data(post.text) == [], (comment, post.channel)
            assert body_of(post, settings.brand), (comment, post.channel)


@pytest.mark.parametrize(
    "title",
    [
        " ".join(["Montreval mesure la qualité de l’air quartier par quartier"] * 6),
        "Montreval" * 40,
        "空気の質を測るセンサー" * 20,
        ("Capteurs 🌍 partout " * 20).strip(),
    ],
    ids=["words", "one-long-word", "cjk", "emoji"],
)
def test_very_long_title_still_fits_every_channel(
    write: WriteFn, settings: Settings, new_source: SourceFactory, fr_text: str, title: str
) -> None:
    assert len(title) > 180
    source = new_source(fr_text, title=title, language="fr")
    for post in write(source):
        cfg = settings.channel(post.channel)
        assert post_length(post.text, cfg) <= cfg.max_chars, post.channel
        assert post.disclosure in post.text
        if cfg.link_policy == "inline":
            assert source.url in post.text


@pytest.mark.parametrize(
    "title",
    [
        " ".join(["Montreval mesure la qualité de l’air quartier par quartier"] * 6),
        "空気の質を測るセンサー" * 20,
    ],
    ids=["words", "cjk"],
)
def test_very_long_title_is_shortened_not_dropped_on_x(
    write: WriteFn, new_source: SourceFactory, fr_text: str, title: str
) -> None:
    source = new_source(fr_text, title=title, language="fr")
    post = write(source, channels=["x"])[0]
    hook = post.text.split("\n\n")[0]
    assert hook.endswith("…")
    kept = hook.removesuffix("…")
    assert title.startswith(kept)
    assert len(kept) >= 40  # the X post keeps a recognisable part of the title


def test_hashtags_quoted_in_the_body_count_against_the_limit(
    write: WriteFn, settings: Settings, new_source: SourceFactory, fr_text: str
) -> None:
    text = (
        fr_text
        + "\n\nSur les réseaux, les mots-clés #AirMontreval et #Capteurs ont accompagné plus de "
        "3 000 messages sur la qualité de l’air à Montreval."
    )
    source = new_source(text, title="Qualité de l’air : Montreval et ses capteurs", language="fr")
    for post in write(source, "longer"):
        assert hashtag_count(post.text) <= settings.channel(post.channel).max_hashtags, (
            post.channel,
            HASHTAG.findall(post.text),
        )


# ---------------------------------------------------------------- provider registry


def test_registry_resolves_the_offline_providers() -> None:
    from pressroom.providers import image_provider

    assert isinstance(text_provider("offline"), OfflineWriter)
    assert isinstance(image_provider("offline"), OfflineCards)


def test_registry_refuses_an_unknown_provider_by_name() -> None:
    with pytest.raises(ConfigError) as caught:
        text_provider("gpt-17")
    message = str(caught.value)
    assert "providers.text" in message
    assert "'gpt-17'" in message
    assert "offline" in message


def test_a_provider_registered_like_the_built_ins_is_resolved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Custom(OfflineWriter):
        name = "custom"

    monkeypatch.setitem(_REGISTRIES, "text", dict(_REGISTRIES["text"]))
    register_text_provider("custom", lambda _context: Custom())
    assert text_provider("custom").name == "custom"


def test_auto_picks_the_real_provider_only_when_its_key_is_present(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(_REGISTRIES, "text", dict(_REGISTRIES["text"]))
    register_text_provider("openai", lambda _context: OfflineWriter())
    auto = ProviderSettings(text="auto")
    assert resolve_name("text", ProviderContext(auto, {})) == "offline"
    assert resolve_name("text", ProviderContext(auto, {"openai": "sk-test"})) == "openai"
    assert resolve_name("text", ProviderContext(ProviderSettings(), {"openai": "k"})) == "offline"


def test_half_a_quotation_is_never_quoted(settings, write) -> None:  # type: ignore[no-untyped-def]
    from pressroom.models import Source, sha256_hex, utc_now

    text = (
        "Le projet avance vite dans toute la ville depuis le début du printemps dernier. "
        "« Nous avons installé deux cents capteurs. Ce qui compte, ce sont les écarts entre les "
        "rues, et les capteurs les voient très bien », explique la coordinatrice du projet. "
        "Les habitants consultent les mesures chaque soir sur une carte publique en ligne. "
    ) * 3
    source = Source(
        url="https://example.org/a",
        title="Des capteurs dans toute la ville",
        text=text,
        language="fr",
        sha256=sha256_hex(text),
        fetched_at=utc_now(),
    )
    for post in write(source):
        assert post.text.count("«") == post.text.count("»"), post.channel


@pytest.mark.parametrize("address", ["notes:de18f9a52874", "file:///home/me/article.html"])
def test_a_source_with_no_public_address_gets_no_link(
    source: Source, write: WriteFn, address: str
) -> None:
    posts = write(source.model_copy(update={"url": address}))
    assert all(p.link is None and address not in p.text for p in posts)
    assert all("de18f9a52874" not in p.text and "file://" not in p.text for p in posts)
