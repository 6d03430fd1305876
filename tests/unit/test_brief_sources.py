"""A brief's sources as one: whose words are whose, for the copying rules."""

from __future__ import annotations

from pressroom.briefs import NotesSource
from pressroom.models import Source
from tasks.chain import combine_sources, gather_source

NOTES = "Our club lends sensors for free.\n\n  Readings are published every Monday.  "


def test_the_users_notes_are_their_own_words() -> None:
    notes = gather_source.fn(NotesSource(notes=NOTES), "en", 1, 1000)
    assert notes.text == "Our club lends sensors for free.\n\nReadings are published every Monday."
    assert notes.protected_text == ""  # nothing in it is somebody else's work
    assert notes.url.startswith("notes:") and notes.public_url is None


def test_a_fetched_page_is_all_somebody_elses(en_source: Source) -> None:
    assert en_source.third_party_text is None
    assert en_source.protected_text == en_source.text


def test_combined_sources_keep_apart_what_others_wrote(en_source: Source) -> None:
    notes = gather_source.fn(NotesSource(notes=NOTES), "en", 1, 1000)
    both = combine_sources([en_source, notes], "en", "Sensors")
    assert notes.text in both.text and en_source.text in both.text
    assert both.protected_text == en_source.text
    pages = combine_sources([en_source, en_source], "en", "Sensors")
    assert pages.third_party_text is None and pages.protected_text == pages.text
    assert combine_sources([notes], "en", "Sensors") is notes
