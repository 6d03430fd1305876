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
    both = combine_sources([en_source, notes], "en")
    assert notes.text in both.text and en_source.text in both.text
    assert both.protected_text == en_source.text
    assert both.title == en_source.title  # the page's title, even after the notes
    assert combine_sources([notes, en_source], "en").title == en_source.title
    two_notes = combine_sources([notes, notes], "en")
    assert two_notes.title == "Our club lends sensors for free."  # the first line
    pages = combine_sources([en_source, en_source], "en")
    assert pages.third_party_text is None and pages.protected_text == pages.text
    assert combine_sources([notes], "en") is notes
