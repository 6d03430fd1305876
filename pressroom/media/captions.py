"""Captions from the voice-over's timings, written as SRT and WebVTT by their libraries.

A sentence too long for one caption is cut into captions of at most two lines of 42 characters
(the broadcast limits), sharing the sentence's time in proportion to their characters. No-break
spaces keep French punctuation ("Bonjour !", « guillemets ») and numbers ("1 250 %") together.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable
from datetime import timedelta
from itertools import accumulate
from pathlib import Path

import srt
import webvtt
from pydantic import BaseModel, ConfigDict, model_validator

from pressroom.media.files import write_atomically
from pressroom.text import normalize_space

MAX_LINE_CHARS = 42
MAX_LINES = 2
_MILLISECOND = 0.001
_NO_BREAK_SPACE = "\u00a0"
#: Spaces a line must not break at: before French high punctuation and units, inside
#: « guillemets », between the digit groups of "1 250".
_UNBREAKABLE_SPACE = re.compile(r" (?=[:;!?»%€])|(?<=«) |(?<=\d) (?=\d{3}(?!\d))")


class Cue(BaseModel):
    """Text on screen from `start` to `end`, in seconds from the start of the audio."""

    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    text: str

    @model_validator(mode="after")
    def _positive_duration(self) -> Cue:
        if self.start < 0 or self.end - self.start < _MILLISECOND:
            raise ValueError(
                f"a caption must start at 0 s or later and last at least 1 ms: "
                f"{self.start:.3f} → {self.end:.3f} s ({self.text[:40]!r})"
            )
        return self


def caption_lines(text: str) -> list[str]:
    """`text` wrapped at word boundaries into lines of at most MAX_LINE_CHARS (a single word
    longer than that keeps its own line)."""
    text = _UNBREAKABLE_SPACE.sub(_NO_BREAK_SPACE, normalize_space(text))
    return textwrap.wrap(text, width=MAX_LINE_CHARS, break_long_words=False, break_on_hyphens=False)


def caption_cues(cues: Iterable[Cue]) -> list[Cue]:
    """Each cue as one or more captions of at most MAX_LINES lines, lines joined by newlines."""
    return [caption for cue in cues for caption in _split_cue(cue)]


def _split_cue(cue: Cue) -> list[Cue]:
    lines = caption_lines(cue.text)
    pages = ["\n".join(lines[i : i + MAX_LINES]) for i in range(0, len(lines), MAX_LINES)]
    weights = [len(page) for page in pages]
    total = sum(weights)
    # Boundaries on whole milliseconds, so no caption rounds to zero length when written.
    start_ms, end_ms = round(cue.start * 1000), round(cue.end * 1000)
    bounds = [start_ms]
    for done in accumulate(weights[:-1]):
        bounds.append(
            max(bounds[-1] + 1, start_ms + math.floor((end_ms - start_ms) * done / total))
        )
    bounds.append(end_ms)
    if any(later <= earlier for earlier, later in zip(bounds, bounds[1:], strict=False)):
        raise ValueError(f"the caption {cue.text[:40]!r} is too short to be split: {cue}")
    return [
        Cue(start=bounds[i] / 1000, end=bounds[i + 1] / 1000, text=page)
        for i, page in enumerate(pages)
    ]


def write_srt(cues: Iterable[Cue], path: Path) -> list[Cue]:
    """Write SubRip captions (UTF-8) atomically; returns the captions written."""
    captions = caption_cues(cues)
    subtitles = [
        srt.Subtitle(
            index=number,
            start=timedelta(milliseconds=round(caption.start * 1000)),
            end=timedelta(milliseconds=round(caption.end * 1000)),
            content=caption.text,
        )
        for number, caption in enumerate(captions, start=1)
    ]
    write_atomically(path, srt.compose(subtitles, reindex=False).encode("utf-8"))
    return captions


def write_vtt(cues: Iterable[Cue], path: Path) -> list[Cue]:
    """Write WebVTT captions (UTF-8) atomically; returns the captions written."""
    captions = caption_cues(cues)
    document = webvtt.WebVTT(
        captions=[
            webvtt.Caption(start=_vtt_time(c.start), end=_vtt_time(c.end), text=c.text)
            for c in captions
        ]
    )
    write_atomically(path, document.content.encode("utf-8"))
    return captions


def _vtt_time(seconds: float) -> str:
    milliseconds = round(seconds * 1000)
    hours, milliseconds = divmod(milliseconds, 3_600_000)
    minutes, milliseconds = divmod(milliseconds, 60_000)
    return f"{hours:02d}:{minutes:02d}:{milliseconds / 1000:06.3f}"


def parse_srt(path: Path) -> list[Cue]:
    """The captions of a SubRip file (lines joined by newlines)."""
    subtitles = srt.parse(path.read_text(encoding="utf-8"))
    return [
        Cue(start=s.start.total_seconds(), end=s.end.total_seconds(), text=s.content)
        for s in subtitles
    ]
