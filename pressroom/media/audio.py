"""Audio for the video and the voice-over: decoding what voices return, the final mix, and the
MP3 a voice-over is published as.

The mix lays an optional music bed under the voice, ducks it by DUCK_DB wherever the voice
speaks (with short ramps, and held down through short pauses so it does not pump), normalises the
whole to TARGET_LUFS integrated (EBU R128 / ITU-R BS.1770 via pyloudnorm), then limits it so no
sample, nor any peak between samples seen at 4x oversampling, exceeds CEILING_DBFS.
Everything is 48 kHz; the written file is 16-bit stereo WAV.
"""

from __future__ import annotations

import io
import math
import tempfile
import warnings
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyloudnorm
from numpy.typing import NDArray
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

from pressroom.errors import ConfigError
from pressroom.media.ffmpeg import ffmpeg_exe, run_ffmpeg
from pressroom.media.files import write_atomically

RATE = 48_000
TARGET_LUFS = -16.0
CEILING_DBFS = -1.0
DUCK_DB = 15.0  # how far the music goes down under the voice
DUCK_RAMP_SECONDS = 0.12  # the music is fully down when the voice starts, up this long after
DUCK_HOLD_SECONDS = 0.4  # pauses shorter than this keep the music down
BED_BELOW_VOICE_LU = 14.0  # the music's loudness, before ducking, under the voice's
MUSIC_FADE_SECONDS = (0.5, 1.5)  # in, out
LIMITER_WINDOW_SECONDS = 0.005
OVERSAMPLING = 4
MP3_BITRATE = "128k"  # constant: what every podcast host and player takes
_PCM_SCALE = 32768.0

Samples = NDArray[np.float32]

#: Media type -> (ffmpeg demuxer, decoder); None: read by pydub itself. pydub must be told the
#: decoder, as it would otherwise ask ffprobe, which imageio-ffmpeg does not ship.
_SPEECH_FORMATS: dict[str, tuple[str, str | None]] = {
    "audio/wav": ("wav", None),
    "audio/x-wav": ("wav", None),
    "audio/wave": ("wav", None),
    "audio/mpeg": ("mp3", "mp3"),
    "audio/mp3": ("mp3", "mp3"),
    "audio/ogg": ("ogg", "opus"),
    "audio/flac": ("flac", "flac"),
}
_RAW_PCM = "audio/pcm"  # 16-bit little-endian mono at the announced rate (ElevenLabs pcm_*)
_MUSIC_FORMATS: dict[str, tuple[str, str | None]] = {
    ".wav": ("wav", None),
    ".mp3": ("mp3", "mp3"),
    ".ogg": ("ogg", "vorbis"),
    ".opus": ("ogg", "opus"),
    ".flac": ("flac", "flac"),
}


@lru_cache(maxsize=1)
def _audio_segment() -> Any:
    """pydub's AudioSegment, told where ffmpeg is (its import warns that it found none)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_exe()
    return AudioSegment


def _to_rate(samples: Samples, rate: int) -> Samples:
    """`samples` (frames x channels) resampled to RATE with a polyphase filter."""
    if rate == RATE:
        return samples
    divisor = math.gcd(rate, RATE)
    return resample_poly(samples, RATE // divisor, rate // divisor, axis=0).astype(np.float32)


def _decode(data: bytes, demuxer: str, decoder: str | None, **raw: int) -> Samples:
    """Frames x channels at RATE, floats in [-1, 1]."""
    segment = _audio_segment().from_file(io.BytesIO(data), format=demuxer, codec=decoder, **raw)
    scale = float(1 << (8 * segment.sample_width - 1))
    frames = np.array(segment.get_array_of_samples(), dtype=np.float32) / scale
    return _to_rate(frames.reshape(-1, segment.channels), int(segment.frame_rate))


def decode_speech(audio: bytes, media_type: str, sample_rate: int) -> Samples:
    """What a voice returned (WAV, MP3, Ogg Opus, FLAC or raw 16-bit PCM), as mono at RATE."""
    media_type = media_type.split(";")[0].strip().lower()
    if media_type == _RAW_PCM:
        frames = _decode(audio, "raw", None, sample_width=2, frame_rate=sample_rate, channels=1)
    elif media_type in _SPEECH_FORMATS:
        frames = _decode(audio, *_SPEECH_FORMATS[media_type])
    else:
        known = ", ".join([*_SPEECH_FORMATS, _RAW_PCM])
        raise ConfigError(f"speech in {media_type} cannot be mixed; use one of {known}")
    return frames.mean(axis=1, dtype=np.float32)


def load_music(path: Path, frames: int) -> Samples:
    """The music bed as stereo at RATE, looped or cut to `frames`, faded in and out."""
    if path.suffix.lower() not in _MUSIC_FORMATS:
        raise ConfigError(f"music {path}: use a {', '.join(_MUSIC_FORMATS)} file")
    if not path.is_file():
        raise ConfigError(f"music {path}: file not found")
    music = _decode(path.read_bytes(), *_MUSIC_FORMATS[path.suffix.lower()])
    if len(music) == 0:
        raise ConfigError(f"music {path}: the file holds no audio")
    music = music[:, [0, 0]] if music.shape[1] == 1 else music[:, :2]
    looped = np.tile(music, (math.ceil(frames / len(music)), 1))[:frames]
    return _faded(looped, *MUSIC_FADE_SECONDS)


def _faded(samples: Samples, fade_in: float, fade_out: float) -> Samples:
    envelope = np.ones(len(samples), dtype=np.float32)
    rise, fall = min(len(samples), int(fade_in * RATE)), min(len(samples), int(fade_out * RATE))
    envelope[:rise] *= np.linspace(0.0, 1.0, rise, dtype=np.float32)
    envelope[len(samples) - fall :] *= np.linspace(1.0, 0.0, fall, dtype=np.float32)
    return samples * envelope[:, None]


def ducking_gain(
    voiced: Sequence[tuple[float, float]],
    frames: int,
    *,
    depth_db: float = DUCK_DB,
    ramp: float = DUCK_RAMP_SECONDS,
    hold: float = DUCK_HOLD_SECONDS,
) -> Samples:
    """Linear gain per frame for the music: 1 in the clear, -`depth_db` under the voice.

    `voiced` are (start, end) seconds where the voice speaks. The gain reaches its floor when the
    voice starts and leaves it when the voice stops, over `ramp` seconds of linear ramp in dB;
    gaps shorter than `hold` stay down.
    """
    mask = np.zeros(frames, dtype=bool)
    for start, end in _merged(voiced, hold):
        mask[max(0, int((start - ramp / 2) * RATE)) : int((end + ramp / 2) * RATE)] = True
    level_db = np.where(mask, -depth_db, 0.0)
    smoothed = uniform_filter1d(level_db, size=max(1, int(ramp * RATE)), mode="nearest")
    return np.power(10.0, smoothed / 20.0).astype(np.float32)


def _merged(spans: Sequence[tuple[float, float]], hold: float) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start - merged[-1][1] < hold:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def integrated_loudness(samples: Samples) -> float:
    """LUFS; audio shorter than one 400 ms measuring block is padded with silence (which the
    gating leaves out) so that a single short word can be measured."""
    block = int(0.4 * RATE) + 1
    if len(samples) < block:
        samples = np.concatenate([samples, np.zeros((block - len(samples), *samples.shape[1:]))])
    return float(pyloudnorm.Meter(RATE).integrated_loudness(samples))


def peak_dbfs(samples: Samples) -> float:
    peak = float(np.max(np.abs(samples), initial=0.0))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def _gain(db: float) -> float:
    return float(10 ** (db / 20))


def _true_peaks(samples: Samples, chunk_seconds: float = 5.0, margin: int = 64) -> Samples:
    """Per frame, the largest magnitude over channels and between samples (4x oversampled).
    Worked in chunks so a long mix does not need four times its size in memory."""
    frames, chunk = len(samples), int(chunk_seconds * RATE)
    peaks = np.abs(samples).max(axis=1)
    for start in range(0, frames, chunk):
        low, high = max(0, start - margin), min(frames, start + chunk + margin)
        upsampled = resample_poly(samples[low:high], OVERSAMPLING, 1, axis=0)
        # Rows of one frame's OVERSAMPLING x channels values, contiguous: a fast reduction.
        per_frame = np.abs(upsampled.reshape(high - low, -1)).max(axis=1)
        stop = min(frames, start + chunk)
        peaks[start:stop] = np.maximum(peaks[start:stop], per_frame[start - low : stop - low])
    return peaks


def limit(samples: Samples, ceiling_dbfs: float = CEILING_DBFS) -> Samples:
    """Brick-wall limiter with look-ahead: the gain is already down when a peak arrives.

    The needed gain is held (minimum over ±window) then averaged over one window: an average of
    held values never exceeds the gain the frame needs, so the ceiling holds without clipping.
    """
    ceiling = _gain(ceiling_dbfs)
    needed = np.minimum(1.0, ceiling / np.maximum(_true_peaks(samples), 1e-9))
    window = max(1, int(LIMITER_WINDOW_SECONDS * RATE))
    held = minimum_filter1d(needed, size=2 * window + 1, mode="nearest")
    gain = uniform_filter1d(held, size=window, mode="nearest")
    limited = samples * gain[:, None].astype(np.float32)
    return np.clip(limited, -ceiling, ceiling)


def normalise(samples: Samples, target_lufs: float = TARGET_LUFS) -> Samples:
    """Gain to `target_lufs`, limited; re-measured and corrected if limiting cost loudness."""
    for _ in range(3):
        loudness = integrated_loudness(samples)
        if not math.isfinite(loudness):
            raise ValueError("the audio is silent: there is nothing to normalise")
        if abs(loudness - target_lufs) <= 0.1 and peak_dbfs(samples) <= CEILING_DBFS:
            break
        samples = limit(samples * _gain(target_lufs - loudness))
    return samples


@dataclass(frozen=True)
class Mix:
    """The final audio (frames x 2 at RATE, as written to 16 bits) and what was measured on it.
    `music_gain` is the ducking gain applied to the music per frame, None without music."""

    samples: Samples
    loudness_lufs: float
    peak_dbfs: float
    music_gain: Samples | None


def mix(voice: Samples, voiced: Sequence[tuple[float, float]], music: Path | None) -> Mix:
    """The voice (mono at RATE) centred, over the ducked music bed if any, normalised, limited."""
    stereo = np.repeat(voice[:, None], 2, axis=1).astype(np.float32)
    gain = None
    if music is not None:
        bed = load_music(music, len(voice))
        level = integrated_loudness(stereo) - BED_BELOW_VOICE_LU - integrated_loudness(bed)
        gain = ducking_gain(voiced, len(voice))
        stereo = stereo + bed * (_gain(level) * gain)[:, None]
    final = _quantised(normalise(stereo))
    return Mix(final, integrated_loudness(final), peak_dbfs(final), gain)


def _quantised(samples: Samples) -> Samples:
    """As it will read back from 16-bit PCM (full scale 32768), never above the ceiling."""
    top = math.floor(_gain(CEILING_DBFS) * _PCM_SCALE)
    return (np.clip(np.round(samples * _PCM_SCALE), -top, top) / _PCM_SCALE).astype(np.float32)


def write_wav(path: Path, samples: Samples) -> None:
    """16-bit PCM WAV at RATE (frames x channels in [-1, 1]), written atomically."""
    pcm = np.clip(np.round(samples * _PCM_SCALE), -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(samples.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())
    write_atomically(path, buffer.getvalue())


def encode_mp3(wav: bytes) -> bytes:
    """The WAV as an MP3 (LAME, constant bitrate, same rate and channels) without metadata and
    bit-exact, so the same WAV always makes the same bytes. Encoding removes any content
    credentials: sign the MP3 after this."""
    with tempfile.TemporaryDirectory() as scratch:
        source, target = Path(scratch) / "in.wav", Path(scratch) / "out.mp3"
        source.write_bytes(wav)
        run_ffmpeg(
            [
                *("-i", str(source), "-map_metadata", "-1"),
                *("-fflags", "+bitexact", "-flags:a", "+bitexact"),
                *("-c:a", "libmp3lame", "-b:a", MP3_BITRATE, str(target)),
            ],
            what="encoding the MP3",
        )
        return target.read_bytes()
