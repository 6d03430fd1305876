"""The music bed that ships in `assets/music/`: synthesised here, so it is ours (CC0).

A 16-second seamless loop at 48 kHz stereo: a soft pad on I–vi–IV–V in C (each chord a sum of
slightly detuned sines under a raised-cosine envelope that overlaps its neighbours and wraps
around the loop), a low root note, and a quiet plucked arpeggio in eighth notes. Regenerate with
``python -m pressroom.media.music`` (deterministic: the same file bytes every time).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from pressroom.media.audio import RATE, Samples, write_wav
from pressroom.media.ffmpeg import run_ffmpeg
from pressroom.media.files import write_atomically
from pressroom.paths import assets_dir

BED_NAME = "soft-pad-loop.ogg"
CHORD_SECONDS = 4.0
BEATS_PER_CHORD = 8  # eighth notes at 120 bpm
#: MIDI notes of each chord, low to high: C, Am, F, G.
PROGRESSION = ((48, 60, 64, 67), (45, 57, 60, 64), (41, 57, 60, 65), (43, 55, 59, 62))
PEAK = 0.5
LICENCE = "CC0 1.0 (synthesised by Pressroom)"

Seconds = NDArray[np.float64]


def default_music_bed() -> Path:
    return assets_dir() / "music" / BED_NAME


def _frequency(midi_note: int) -> float:
    return float(440.0 * 2 ** ((midi_note - 69) / 12))


def _wrapped(loop: Samples, start: int, sound: Samples) -> None:
    """Add `sound` into `loop` from `start`, wrapping past the end so the loop is seamless."""
    positions = (start + np.arange(len(sound))) % len(loop)
    np.add.at(loop, positions, sound)


def _pad_chord(notes: tuple[int, ...], time: Seconds) -> Samples:
    """Two slightly detuned sines per note, one per channel, for a slow stereo shimmer."""
    chord = np.zeros((len(time), 2), dtype=np.float32)
    for note in notes[1:]:
        for channel, detune in enumerate((0.998, 1.002)):
            chord[:, channel] += np.sin(2 * np.pi * _frequency(note) * detune * time) / 3
    root = np.sin(2 * np.pi * _frequency(notes[0] - 12) * time) * 0.6
    return (chord + root[:, None]).astype(np.float32)


def _pluck(note: int, time: Seconds) -> Samples:
    tone = np.sin(2 * np.pi * _frequency(note + 12) * time) * np.exp(-time * 5.0)
    attack = np.minimum(1.0, time / 0.005)
    return (tone * attack * 0.25).astype(np.float32)[:, None].repeat(2, axis=1)


def synthesise_bed() -> Samples:
    chord_frames = int(CHORD_SECONDS * RATE)
    loop = np.zeros((chord_frames * len(PROGRESSION), 2), dtype=np.float32)
    pad_time = np.arange(2 * chord_frames) / RATE
    pad_envelope = np.sin(np.pi * np.arange(2 * chord_frames) / (2 * chord_frames)) ** 2
    beat_frames = chord_frames // BEATS_PER_CHORD
    pluck_time = np.arange(2 * beat_frames) / RATE
    for index, notes in enumerate(PROGRESSION):
        pad = _pad_chord(notes, pad_time) * pad_envelope[:, None]
        _wrapped(loop, index * chord_frames - chord_frames // 2, pad.astype(np.float32))
        for beat in range(BEATS_PER_CHORD):
            note = notes[1:][beat % 3] if beat % 4 != 3 else notes[1] + 12
            start = index * chord_frames + beat * beat_frames
            _wrapped(loop, start, _pluck(note, pluck_time))
    return (loop / np.max(np.abs(loop)) * PEAK).astype(np.float32)


def write_bed(path: Path) -> None:
    """Encode the bed as Ogg Vorbis (small enough to keep in the repository)."""
    with tempfile.TemporaryDirectory() as folder:
        wav, encoded = Path(folder) / "bed.wav", Path(folder) / "bed.ogg"
        write_wav(wav, synthesise_bed())
        arguments = ["-i", str(wav), "-c:a", "libvorbis", "-q:a", "4", "-fflags", "+bitexact"]
        run_ffmpeg([*arguments, str(encoded)], what="encoding the music bed")
        write_atomically(path, encoded.read_bytes())


if __name__ == "__main__":
    write_bed(default_music_bed())
    print(default_music_bed())
