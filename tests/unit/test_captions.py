"""Captions are written by the srt and webvtt libraries, read back the same, and stay legible."""

from pathlib import Path

import pytest
import webvtt
from pydantic import ValidationError

from pressroom.media.captions import (
    MAX_LINE_CHARS,
    MAX_LINES,
    Cue,
    caption_cues,
    parse_srt,
    write_srt,
    write_vtt,
)

LONG_FRENCH = (
    "Depuis le 1er mars, deux cents foyers de Montreval mesurent les particules fines sur leur "
    "balcon ; les premiers résultats, dit la mairie, sont « encourageants » : moins de pics "
    "qu’attendu, et un quartier nord plus exposé que prévu !"
)
CUES = [
    Cue(start=0.0, end=1.8, text="Bonjour à tous !"),
    Cue(start=2.05, end=11.4, text=LONG_FRENCH),
    Cue(start=12.0, end=13.25, text="À bientôt."),
]


def test_srt_round_trips_through_the_library(tmp_path: Path) -> None:
    path = tmp_path / "captions.srt"

    written = write_srt(CUES, path)

    assert parse_srt(path) == written
    assert written == caption_cues(CUES)


def test_vtt_holds_the_same_captions_as_the_srt(tmp_path: Path) -> None:
    written = write_vtt(CUES, tmp_path / "captions.vtt")

    document = webvtt.read(str(tmp_path / "captions.vtt"))

    assert [(c.start, c.end, c.text) for c in document] == [
        (_vtt(c.start), _vtt(c.end), c.text) for c in written
    ]


def _vtt(seconds: float) -> str:
    minutes, rest = divmod(round(seconds * 1000), 60_000)
    return f"00:{minutes:02d}:{rest / 1000:06.3f}"


def test_long_sentences_become_captions_of_two_short_lines_sharing_the_time() -> None:
    captions = caption_cues([CUES[1]])

    assert len(captions) > 1
    for caption in captions:
        lines = caption.text.split("\n")
        assert len(lines) <= MAX_LINES
        assert all(len(line) <= MAX_LINE_CHARS for line in lines)
    assert " ".join(c.text.replace("\n", " ") for c in captions).replace("\u00a0", " ") == (
        LONG_FRENCH
    )
    assert (captions[0].start, captions[-1].end) == (CUES[1].start, CUES[1].end)
    assert all(a.end == b.start for a, b in zip(captions, captions[1:], strict=False))
    seconds_per_char = [(c.end - c.start) / len(c.text) for c in captions]
    assert max(seconds_per_char) - min(seconds_per_char) < 0.01


def test_french_punctuation_stays_with_its_word() -> None:
    for caption in caption_cues([CUES[1]]):
        for line in caption.text.split("\n"):
            assert line[0] not in ":;!?»", line
            assert not line.endswith("«"), line
    assert caption_cues([CUES[0]])[0].text == "Bonjour à tous\u00a0!"


def test_numbers_and_their_units_stay_on_one_line() -> None:
    text = "Le budget des transports de la région atteint 1 250 000 € ; il augmente de 18 %."

    lines = caption_cues([Cue(start=0.0, end=4.0, text=text)])[0].text.split("\n")

    assert lines == [
        "Le budget des transports de la région",
        "atteint 1\u00a0250\u00a0000\u00a0€\u00a0; il augmente de 18\u00a0%.",
    ]


def test_captions_cover_the_cues_in_order_without_empty_timings(tmp_path: Path) -> None:
    path = tmp_path / "captions.srt"
    write_srt(CUES, path)

    captions = parse_srt(path)

    assert captions[0].start >= 0
    assert captions[-1].end <= CUES[-1].end
    assert all(c.end > c.start for c in captions)
    assert all(a.end <= b.start for a, b in zip(captions, captions[1:], strict=False))
    assert "00:00:00,000 --> 00:00:00,000" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("start", "end"), [(0.0, 0.0), (2.0, 1.5), (-0.5, 1.0)])
def test_a_cue_without_a_positive_duration_is_refused(start: float, end: float) -> None:
    with pytest.raises(ValidationError, match="last at least 1 ms"):
        Cue(start=start, end=end, text="Bonjour.")


def test_a_cue_too_short_for_its_text_is_refused_rather_than_written_empty() -> None:
    with pytest.raises(ValueError, match="too short to be split"):
        caption_cues([Cue(start=1.0, end=1.002, text=LONG_FRENCH)])


def test_rewriting_replaces_the_file_and_leaves_no_temporary_behind(tmp_path: Path) -> None:
    path = tmp_path / "captions.srt"
    write_srt(CUES, path)
    write_srt(CUES[:1], path)

    assert [c.text for c in parse_srt(path)] == ["Bonjour à tous\u00a0!"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["captions.srt"]
