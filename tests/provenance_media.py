"""Media for the content-credential tests: made on the spot (Pillow, the wave module, the real
ffmpeg), and a way to change one byte of the media data inside a signed file."""

from __future__ import annotations

import io
import struct
import subprocess
import tempfile
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image


def png_bytes(width: int = 96, height: int = 64, *, seed: int = 1) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(width: int = 96, height: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 160)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def wav_bytes(seconds: float = 1.0, rate: int = 16000) -> bytes:
    samples = np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 440 / rate) * 8000
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def ffmpeg_media(
    suffix: str, seconds: float, *, size: str = "320x240", grain: bool = False
) -> bytes:
    """A test pattern with a sine tone (`.mp4`, H.264 + AAC) or the tone alone (`.mp3`).
    ``grain`` adds moving noise, so that the video weighs what filmed footage does."""
    pattern = f"testsrc=duration={seconds}:size={size}:rate=25"
    video = ["-f", "lavfi", "-i", pattern + (",noise=alls=40:allf=t+u" if grain else "")]
    tone = ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if suffix == ".mp4":
        arguments = [*video, *tone, "-c:v", "libx264", "-preset", "ultrafast"]
        arguments += ["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"]
    else:
        arguments = [*tone, "-c:a", "libmp3lame", "-b:a", "64k"]
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"media{suffix}"
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *arguments, str(target)],
            check=True,
        )
        return target.read_bytes()


def flip_media_byte(data: bytes, media_type: str) -> bytes:
    """The file with one byte of its media data inverted (a pixel, a sample), headers intact."""
    offset = _media_data_offset(data, media_type) + 16
    changed = bytearray(data)
    changed[offset] ^= 0xFF
    return bytes(changed)


def _media_data_offset(data: bytes, media_type: str) -> int:
    if media_type == "image/png":
        return _png_chunk(data, b"IDAT")
    if media_type in {"audio/wav", "audio/x-wav"}:
        return _riff_chunk(data, b"data")
    if media_type == "video/mp4":
        return _mp4_box(data, b"mdat")
    raise ValueError(f"no media-data locator for {media_type}")


def _png_chunk(data: bytes, kind: bytes) -> int:
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        if data[position + 4 : position + 8] == kind:
            return position + 8
        position += 12 + length
    raise ValueError(f"no {kind!r} chunk")


def _riff_chunk(data: bytes, kind: bytes) -> int:
    position = 12
    while position < len(data):
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        if data[position : position + 4] == kind:
            return position + 8
        position += 8 + length + (length & 1)
    raise ValueError(f"no {kind!r} chunk")


def _mp4_box(data: bytes, kind: bytes) -> int:
    position = 0
    while position < len(data):
        (size,) = struct.unpack(">I", data[position : position + 4])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[position + 8 : position + 16])
            header = 16
        if data[position + 4 : position + 8] == kind:
            return position + header
        position += size
    raise ValueError(f"no {kind!r} box")
