"""Running the ffmpeg binary shipped in imageio-ffmpeg, and probing media files without ffprobe.

imageio-ffmpeg ships no ffprobe, so a probe reads the stream lines `ffmpeg -i FILE` prints, and
measures each stream's exact length by demuxing it into the null muxer (`-c copy -f null -`:
every packet is read, nothing is decoded, so it takes milliseconds even for a long video).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from pressroom.errors import RenderError

STDERR_TAIL_LINES = 12

_STREAM_LINE = re.compile(r"^\s*Stream #\d+:\d+\S*: (Video|Audio): (.*)$", re.MULTILINE)
_OPEN_FAILURE = re.compile(r"^Error opening input.*$", re.MULTILINE)
_SIZE = re.compile(r"^(\d+)x(\d+)\b")
_FPS = re.compile(r"^(\d+(?:\.\d+)?) fps$")
_PROGRESS_TIME = re.compile(r"time=\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")


@dataclass(frozen=True)
class VideoProbe:
    """What a rendered file holds. `duration` is the first video stream's length in seconds,
    `audio_duration` the first audio stream's; codecs are ffmpeg's names ("h264", "aac")."""

    duration: float
    width: int
    height: int
    video_codec: str
    audio_codec: str
    fps: float
    pixel_format: str
    audio_duration: float = 0.0
    video_streams: int = 0
    audio_streams: int = 0


def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(args: Sequence[str], *, what: str) -> str:
    """Run ffmpeg with `args`; its stderr, or RenderError naming `what` with stderr's tail."""
    completed = _ffmpeg(args)
    if completed.returncode != 0:
        raise RenderError(
            f"{what} failed (ffmpeg exit code {completed.returncode}): "
            f"{stderr_tail(completed.stderr)}"
        )
    return completed.stderr


def stderr_tail(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return " | ".join(lines[-STDERR_TAIL_LINES:]) or "(no output)"


def probe(path: Path) -> VideoProbe:
    """Streams, size, codecs, frame rate and exact stream lengths of a media file."""
    header = _read_header(path)
    video = [fields for kind, fields in _STREAM_LINE.findall(header) if kind == "Video"]
    audio = [fields for kind, fields in _STREAM_LINE.findall(header) if kind == "Audio"]
    width, height, video_codec, fps, pixel_format = 0, 0, "", 0.0, ""
    if video:
        width, height, video_codec, fps, pixel_format = _video_fields(video[0])
    return VideoProbe(
        duration=stream_duration(path, "v") if video else 0.0,
        width=width,
        height=height,
        video_codec=video_codec,
        audio_codec=_split_fields(audio[0])[0].split()[0] if audio else "",
        fps=fps,
        pixel_format=pixel_format,
        audio_duration=stream_duration(path, "a") if audio else 0.0,
        video_streams=len(video),
        audio_streams=len(audio),
    )


def stream_duration(path: Path, kind: str) -> float:
    """Exact length in seconds of the first stream of `kind` ("v" or "a"), read packet by packet."""
    stderr = run_ffmpeg(
        ["-i", str(path), "-map", f"0:{kind}:0", "-c", "copy", "-f", "null", "-"],
        what=f"measuring {path.name}",
    )
    times = _PROGRESS_TIME.findall(stderr)
    if not times:
        raise RenderError(f"ffmpeg reported no length for {path.name}: {stderr_tail(stderr)}")
    hours, minutes, seconds = times[-1]
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _ffmpeg(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", *args],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )


def _read_header(path: Path) -> str:
    if not path.is_file():
        raise RenderError(f"{path} does not exist")
    stderr = _ffmpeg(["-i", str(path)]).stderr  # no output file: ffmpeg always exits 1 here
    failure = _OPEN_FAILURE.search(stderr)
    if failure:
        raise RenderError(f"{path.name} is not a readable media file: {stderr_tail(stderr)}")
    return stderr


def _video_fields(description: str) -> tuple[int, int, str, float, str]:
    fields = _split_fields(description)
    size = next(filter(None, map(_SIZE.match, fields)), None)
    fps = next(filter(None, map(_FPS.match, fields)), None)
    return (
        int(size.group(1)) if size else 0,
        int(size.group(2)) if size else 0,
        fields[0].split()[0],
        float(fps.group(1)) if fps else 0.0,
        fields[1].split("(")[0].strip() if len(fields) > 1 else "",
    )


def _split_fields(description: str) -> list[str]:
    """Split a stream description on the commas that are not inside parentheses."""
    fields: list[str] = []
    depth, current = 0, ""
    for char in description:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            fields.append(current.strip())
            current = ""
        else:
            current += char
    fields.append(current.strip())
    return fields
