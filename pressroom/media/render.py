"""The video: scene images with a slow zoom, crossfades, burned-in captions and the voice-over.

Two renderers take the same `RenderJob` and write the same kind of MP4 (H.264 yuv420p + AAC):
* `render_ffmpeg`, the default: one ffmpeg call whose filtergraph (`render_filtergraph`) zooms
  each still (`scale` per frame, centred `crop`), crossfades the overlapping frames with `xfade`,
  concatenates and burns the SRT in with libass;
* `render_moviepy`, the baseline the benchmark compares against (ImageClip, TextClip,
  CompositeVideoClip).
Both lay out the same timeline (`plan_timeline`): scene i shows from its start until scene i+1
starts (the first from 0, the last until the audio ends), and each crossfade is centred on that
change. Both write to a hidden temp file beside the target, validate it (`validate_render`) and
only then rename it, so a failed render leaves no file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy
import srt
from PIL import Image, ImageFont, ImageOps

from pressroom.errors import RenderError
from pressroom.media.cards import wrap_text
from pressroom.media.ffmpeg import VideoProbe, probe, run_ffmpeg, stream_duration
from pressroom.paths import assets_dir

FORMATS: dict[str, tuple[int, int]] = {
    "9:16": (1080, 1920),
    "1:1": (1080, 1080),
    "16:9": (1920, 1080),
}

# Bumped whenever the renderers' output changes for the same inputs: part of the cache key.
RENDER_VERSION = "2"
DURATION_TOLERANCE = 0.1  # seconds between the video and the audio it carries
AUDIO_BITRATE = "192k"
# libx264 options over the `veryfast` preset, for stills that zoom slowly: diamond search and
# SAD quarter-pel refinement (superfast's) find the vectors of veryfast's hexagon search and SATD
# refinement, and weighted P-frame analysis is skipped. Measured on the benchmark's 30 s render:
# the same size and SSIM (0.9535) against the lossless frames, 28% less CPU for the whole render.
X264_OPTIONS = {"veryfast": "me=dia:subme=1:weightp=0"}

# Caption layout, in proportions of the frame. Tall frames keep the captions above the bottom
# fifth and away from the sides, where TikTok, Reels and Shorts draw their own buttons and text.
CAPTION_LINE_HEIGHT = 0.072  # of the short side: ascent + descent, how libass sizes a font
CAPTION_OUTLINE = 0.06  # of the line height
TALL_BOTTOM_MARGIN, TALL_SIDE_MARGIN = 0.22, 0.1
WIDE_BOTTOM_MARGIN, WIDE_SIDE_MARGIN = 0.08, 0.08
# libass lays out SRT captions on a 384x288 canvas that it scales to the frame.
ASS_PLAY_WIDTH, ASS_PLAY_HEIGHT = 384, 288

_FILTER_SPECIAL = re.compile(r"([\\'\[\],;])")
_OPTION_SPECIAL = re.compile(r"([\\':])")


@dataclass(frozen=True)
class RenderScene:
    """One still on the audio timeline (seconds)."""

    image: Path
    start: float
    end: float


@dataclass(frozen=True)
class RenderJob:
    scenes: tuple[RenderScene, ...]
    audio: Path
    captions: Path  # SRT
    width: int
    height: int
    fps: int = 30
    crossfade: float = 0.5  # seconds; shortened where a scene is too short for it
    zoom: float = 1.08  # scale reached at the end of each scene
    preset: str = "veryfast"  # libx264
    font_dir: Path = field(default_factory=lambda: assets_dir() / "fonts")
    font_name: str = "Inter"

    def content_key(self) -> str:
        """sha256 over every parameter and the bytes of every input file (images, audio,
        captions, fonts): the same key means the same video, whichever renderer made it."""
        parameters = {
            "version": RENDER_VERSION,
            "scenes": [[scene.start, scene.end] for scene in self.scenes],
            "size": [self.width, self.height],
            "fps": self.fps,
            "crossfade": self.crossfade,
            "zoom": self.zoom,
            "preset": self.preset,
            "font_name": self.font_name,
        }
        digest = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode())
        fonts = sorted(p for p in self.font_dir.glob("*") if p.suffix.lower() in {".otf", ".ttf"})
        for path in [*(scene.image for scene in self.scenes), self.audio, self.captions, *fonts]:
            digest.update(_file_digest(path).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class SceneClip:
    """A scene's clip on the output timeline, in frames: it starts at `start` and lasts `frames`,
    overlapping its neighbours by the crossfade."""

    image: Path
    start: int
    frames: int


@dataclass(frozen=True)
class Timeline:
    clips: tuple[SceneClip, ...]
    crossfade: int  # frames
    frames: int  # total, = the audio's length in frames


@dataclass(frozen=True)
class CaptionLayout:
    """Caption geometry in pixels of the output frame."""

    line_height: int
    outline: int
    bottom_margin: int
    side_margin: int

    @classmethod
    def for_frame(cls, width: int, height: int) -> CaptionLayout:
        line_height = round(CAPTION_LINE_HEIGHT * min(width, height))
        bottom, side = (
            (TALL_BOTTOM_MARGIN, TALL_SIDE_MARGIN)
            if height > width
            else (WIDE_BOTTOM_MARGIN, WIDE_SIDE_MARGIN)
        )
        return cls(
            line_height=line_height,
            outline=max(1, round(CAPTION_OUTLINE * line_height)),
            bottom_margin=round(bottom * height),
            side_margin=round(side * width),
        )


def plan_timeline(job: RenderJob, audio_duration: float) -> Timeline:
    """Frame-exact clips whose xfade chain lasts exactly as long as the audio."""
    _check_scenes(job, audio_duration)
    total = round(audio_duration * job.fps)
    changes = [round(scene.start * job.fps) for scene in job.scenes[1:]]
    edges = [0, *changes, total]
    spans = [end - start for start, end in pairwise(edges)]
    if min(spans) < 1:
        short = spans.index(min(spans)) + 1
        raise RenderError(f"scene {short} lasts less than one frame at {job.fps} fps")
    # A crossfade is centred on its change, so it must fit in half of the first and last scene
    # and in the whole of every other scene.
    room = [2 * spans[0], 2 * spans[-1], *spans[1:-1]] if len(spans) > 1 else []
    crossfade = min([round(job.crossfade * job.fps), *room])
    half = crossfade // 2
    starts = [0, *(change - half for change in changes)]
    ends = [*(change - half + crossfade for change in changes), total]
    clips = tuple(
        SceneClip(image=scene.image, start=start, frames=end - start)
        for scene, start, end in zip(job.scenes, starts, ends, strict=True)
    )
    return Timeline(clips=clips, crossfade=crossfade, frames=total)


def render_filtergraph(job: RenderJob, timeline: Timeline) -> str:
    """The `-filter_complex` graph: inputs 0..n-1 are the scene images, output `[video]`.

    Each zoomed clip is cut into the frames it shares with the previous clip (its head), its own
    frames (body) and the frames it shares with the next clip (tail). Each tail is crossfaded with
    the next head, and bodies and crossfades are concatenated in order: xfade only works on the
    overlapping frames, not on every frame of the video as a chain of xfade filters does."""
    chains: list[str] = []
    segments: list[str] = []
    last = len(timeline.clips) - 1
    for index, clip in enumerate(timeline.clips):
        head = timeline.crossfade if index else 0
        tail = timeline.crossfade if index < last else 0
        parts = {
            name: (first, end)
            for name, first, end in (
                ("head", 0, head),
                ("body", head, clip.frames - tail),
                ("tail", clip.frames - tail, clip.frames),
            )
            if end > first
        }
        zoomed = _zoom_chain(job, index, clip)
        if len(parts) == 1:
            chains.append(f"{zoomed}[body{index}]")
        else:
            labels = "".join(f"[z{index}{name}]" for name in parts)
            chains.append(f"{zoomed},split={len(parts)}{labels}")
            chains.extend(
                f"[z{index}{name}]trim=start_frame={first}:end_frame={end},"
                f"setpts=PTS-STARTPTS[{name}{index}]"
                for name, (first, end) in parts.items()
            )
        if head:
            chains.append(
                f"[tail{index - 1}][head{index}]xfade=transition=fade:"
                f"duration={timeline.crossfade / job.fps:.6f}:offset=0[fade{index}]"
            )
            segments.append(f"[fade{index}]")
        if "body" in parts:
            segments.append(f"[body{index}]")
    joined = "".join(segments)
    if len(segments) > 1:
        joined = f"{joined}concat=n={len(segments)}:v=1:a=0,"
    chains.append(f"{joined}{_subtitles_filter(job)}[video]")
    return ";".join(chains)


def ffmpeg_render_args(job: RenderJob, timeline: Timeline, out: Path) -> list[str]:
    # Each still is one frame at the video's rate: the loop filter repeats it frame by frame.
    framerate = str(job.fps)
    inputs = [
        arg for clip in timeline.clips for arg in ("-framerate", framerate, "-i", str(clip.image))
    ]
    return [
        "-y",
        "-loglevel",
        "error",
        *inputs,
        "-i",
        str(job.audio),
        "-filter_complex",
        render_filtergraph(job, timeline),
        "-map",
        "[video]",
        "-map",
        f"{len(timeline.clips)}:a:0",
        *encoding_args(job),
        "-f",
        "mp4",
        str(out),
    ]


def render_ffmpeg(job: RenderJob, out: Path) -> Path:
    """Render `job` to `out` with one ffmpeg call; RenderError if it fails or comes out invalid."""
    audio_duration = check_inputs(job)
    timeline = plan_timeline(job, audio_duration)
    with staged_output(out) as partial:
        run_ffmpeg(ffmpeg_render_args(job, timeline, partial), what=f"rendering {out.name}")
        validate_render(partial, job, audio_duration)
    return out


def render_moviepy(job: RenderJob, out: Path) -> Path:
    """Render `job` with moviepy: slower, kept as the benchmark's baseline and a fallback."""
    from moviepy import AudioFileClip, CompositeVideoClip

    audio_duration = check_inputs(job)
    timeline = plan_timeline(job, audio_duration)
    layers = [*_moviepy_scenes(job, timeline), *_moviepy_captions(job)]
    audio = AudioFileClip(str(job.audio))
    video = CompositeVideoClip(layers, size=(job.width, job.height))
    video = video.with_duration(timeline.frames / job.fps).with_audio(audio)
    try:
        with staged_output(out) as partial, tempfile.TemporaryDirectory() as scratch:
            try:
                video.write_videofile(
                    str(partial),
                    fps=job.fps,
                    codec="libx264",
                    preset=job.preset,
                    pixel_format="yuv420p",
                    audio_codec="aac",
                    audio_bitrate=AUDIO_BITRATE,
                    audio_fps=48000,
                    temp_audiofile_path=scratch,
                    ffmpeg_params=[*x264_options(job), "-movflags", "+faststart"],
                    logger=None,
                )
            except OSError as error:
                raise RenderError(f"moviepy could not render {out.name}: {error}") from error
            validate_render(partial, job, audio_duration)
    finally:
        video.close()
        audio.close()
    return out


RENDERERS: dict[str, Callable[[RenderJob, Path], Path]] = {
    "ffmpeg": render_ffmpeg,
    "moviepy": render_moviepy,
}


def validate_render(path: Path, job: RenderJob, audio_duration: float) -> VideoProbe:
    """Probe a rendered file and check it against its job; a bad file is deleted, then
    RenderError lists everything wrong with it."""
    try:
        found = probe(path)
    except RenderError:
        path.unlink(missing_ok=True)
        raise
    problems = _render_problems(found, job, audio_duration)
    if problems:
        path.unlink(missing_ok=True)
        raise RenderError(f"the rendered video {path.name} is not valid: " + "; ".join(problems))
    return found


def check_inputs(job: RenderJob) -> float:
    """Check every input file before rendering; the audio's length in seconds."""
    if not job.scenes:
        raise RenderError("the video has no scenes to render")
    for number, scene in enumerate(job.scenes, start=1):
        _check_image(number, scene.image)
    _read_captions(job.captions)
    try:
        return stream_duration(job.audio, "a")
    except RenderError as error:
        raise RenderError(f"the audio {job.audio} cannot be used: {error}") from error


def _check_image(number: int, path: Path) -> None:
    if not path.is_file():
        raise RenderError(f"scene {number}: image {path} does not exist")
    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, SyntaxError) as error:  # Pillow reports some broken files as SyntaxError
        raise RenderError(
            f"scene {number}: image {path} is not a readable image: {error}"
        ) from error


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """A hidden temp file beside `out`, renamed to `out` if the block succeeds, else deleted."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.parent / f".{out.stem}.{secrets.token_hex(6)}.part.mp4"
    try:
        yield partial
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def escape_filter_value(value: str) -> str:
    """Escape a filter option value for a filtergraph: first for the option parser (\\ ' :),
    then for the graph parser (\\ ' [ ] , ;), as ffmpeg's "filtergraph escaping" notes say."""
    return _FILTER_SPECIAL.sub(r"\\\1", _OPTION_SPECIAL.sub(r"\\\1", value))


def caption_style(job: RenderJob) -> str:
    """libass `force_style` for the SRT: sizes are given on libass's 384x288 canvas."""
    layout = CaptionLayout.for_frame(job.width, job.height)
    to_y = ASS_PLAY_HEIGHT / job.height
    to_x = ASS_PLAY_WIDTH / job.width
    style = {
        "FontName": job.font_name,
        "Bold": "1",
        "FontSize": f"{layout.line_height * to_y:.2f}",
        "PrimaryColour": "&H00FFFFFF",
        "OutlineColour": "&H00000000",
        "BorderStyle": "1",
        "Outline": f"{layout.outline * to_y:.2f}",
        "Shadow": "0",
        "Alignment": "2",
        "MarginV": str(round(layout.bottom_margin * to_y)),
        "MarginL": str(round(layout.side_margin * to_x)),
        "MarginR": str(round(layout.side_margin * to_x)),
    }
    return ",".join(f"{key}={value}" for key, value in style.items())


def _subtitles_filter(job: RenderJob) -> str:
    options = {
        "filename": str(job.captions),
        "fontsdir": str(job.font_dir),
        "force_style": caption_style(job),
    }
    return "subtitles=" + ":".join(f"{k}={escape_filter_value(v)}" for k, v in options.items())


def _zoom_chain(job: RenderJob, index: int, clip: SceneClip) -> str:
    """Cover the frame with the still, converted to yuv420p once, repeat it for the clip's frames,
    and zoom in from 1 to `job.zoom` around the centre: each frame is scaled (bicubic) to an even
    size that grows with the frame number `n`, then its centre is cropped. Even sizes keep the
    crop centred to the pixel, so the picture grows steadily and never wobbles."""
    width, height = job.width, job.height
    zoom = f"(1+{job.zoom - 1:.6f}*n/{max(clip.frames - 1, 1)})"
    return (
        f"[{index}:v]scale={width}:{height}:force_original_aspect_ratio=increase,"
        f"crop={width}:{height},format=yuv420p,loop=loop={clip.frames - 1}:size=1:start=0,"
        f"scale=w='2*round({width}*{zoom}/2)':h='2*round({height}*{zoom}/2)':eval=frame:"
        f"flags=bicubic,crop={width}:{height}:exact=1,setsar=1"
    )


def encoding_args(job: RenderJob) -> list[str]:
    return [
        "-c:v",
        "libx264",
        "-preset",
        job.preset,
        *x264_options(job),
        "-pix_fmt",
        "yuv420p",
        "-r",
        str(job.fps),
        "-c:a",
        "aac",
        "-b:a",
        AUDIO_BITRATE,
        "-movflags",
        "+faststart",
    ]


def x264_options(job: RenderJob) -> list[str]:
    """The `-x264-params` tuned for `job.preset` (`X264_OPTIONS`), if any."""
    options = X264_OPTIONS.get(job.preset)
    return ["-x264-params", options] if options else []


def _check_scenes(job: RenderJob, audio_duration: float) -> None:
    previous_start = 0.0
    for number, scene in enumerate(job.scenes, start=1):
        if scene.end <= scene.start:
            raise RenderError(
                f"scene {number} ends ({scene.end:.2f} s) before it starts ({scene.start:.2f} s)"
            )
        if number > 1 and not previous_start < scene.start < audio_duration:
            raise RenderError(
                f"scene {number} starts at {scene.start:.2f} s: it must start after scene "
                f"{number - 1} ({previous_start:.2f} s) and before the audio ends "
                f"({audio_duration:.2f} s)"
            )
        previous_start = scene.start


def _render_problems(found: VideoProbe, job: RenderJob, audio_duration: float) -> list[str]:
    problems = []
    if found.video_streams != 1:
        problems.append(f"{found.video_streams} video streams instead of 1")
    if found.audio_streams != 1:
        problems.append(f"{found.audio_streams} audio streams instead of 1")
    if found.video_streams:
        if found.video_codec != "h264":
            problems.append(f"video codec {found.video_codec}, not h264")
        if (found.width, found.height) != (job.width, job.height):
            problems.append(f"size {found.width}x{found.height}, not {job.width}x{job.height}")
        if abs(found.fps - job.fps) > 0.01:
            problems.append(f"{found.fps:g} fps, not {job.fps}")
        if found.pixel_format != "yuv420p":
            problems.append(f"pixel format {found.pixel_format}, not yuv420p")
        if abs(found.duration - audio_duration) > DURATION_TOLERANCE:
            problems.append(
                f"the video lasts {found.duration:.2f} s but the audio {audio_duration:.2f} s"
            )
    if found.audio_streams:
        if found.audio_codec != "aac":
            problems.append(f"audio codec {found.audio_codec}, not aac")
        if abs(found.audio_duration - audio_duration) > DURATION_TOLERANCE:
            problems.append(
                f"the audio track lasts {found.audio_duration:.2f} s, not {audio_duration:.2f} s"
            )
    return problems


def _read_captions(path: Path) -> list[srt.Subtitle]:
    try:
        return list(srt.parse(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, srt.SRTParseError) as error:
        raise RenderError(f"the captions {path} cannot be read as SRT: {error}") from error


def _file_digest(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        raise RenderError(f"cannot read the render input {path}: {error}") from error


def caption_font(job: RenderJob) -> Path:
    """The bold face of `job.font_name` in `job.font_dir` (what libass picks with Bold=1)."""
    for suffix in (".otf", ".ttf"):
        candidate = job.font_dir / f"{job.font_name}-Bold{suffix}"
        if candidate.is_file():
            return candidate
    raise RenderError(f"no {job.font_name}-Bold.otf or .ttf in the font folder {job.font_dir}")


# moviepy ---------------------------------------------------------------------------------------


def _moviepy_scenes(job: RenderJob, timeline: Timeline) -> list[Any]:
    """One full-frame clip per scene. The zoomed still is composited on a frame-sized background
    first: moviepy's crossfade mask keeps the clip's first size, so crossfading the growing clip
    itself leaves a black band (a moviepy bug)."""
    from moviepy import ColorClip, CompositeVideoClip, ImageClip, vfx

    clips: list[Any] = []
    for index, clip in enumerate(timeline.clips):
        seconds = clip.frames / job.fps
        with Image.open(clip.image) as image:
            still = ImageOps.fit(
                image.convert("RGB"), (job.width, job.height), Image.Resampling.LANCZOS
            )
        zoom = job.zoom - 1

        def scale(t: float, seconds: float = seconds, zoom: float = zoom) -> float:
            return 1 + zoom * t / seconds

        zoomed = ImageClip(numpy.asarray(still)).with_duration(seconds).resized(scale)
        background = ColorClip((job.width, job.height), color=(0, 0, 0), duration=seconds)
        scene = CompositeVideoClip(
            [background, zoomed.with_position("center")], size=(job.width, job.height)
        ).with_start(clip.start / job.fps)
        if index and timeline.crossfade:
            scene = scene.with_effects([vfx.CrossFadeIn(timeline.crossfade / job.fps)])
        clips.append(scene)
    return clips


def _moviepy_captions(job: RenderJob) -> list[Any]:
    """One TextClip per cue, wrapped here on word boundaries (moviepy's own wrapping cuts words)."""
    from moviepy import TextClip

    layout = CaptionLayout.for_frame(job.width, job.height)
    font_file = caption_font(job)
    font_size = _em_size(font_file, layout.line_height)
    font = ImageFont.truetype(str(font_file), font_size)
    max_width = job.width - 2 * layout.side_margin
    clips: list[Any] = []
    for cue in _read_captions(job.captions):
        text = "\n".join(wrap_text(" ".join(cue.content.split()), font, max_width))
        caption = TextClip(
            font=str(font_file),
            text=text,
            font_size=font_size,
            color="white",
            stroke_color="black",
            stroke_width=layout.outline,
            method="label",
            text_align="center",
            margin=(layout.outline, layout.outline),
        )
        top = job.height - layout.bottom_margin - caption.h
        clips.append(
            caption.with_start(cue.start.total_seconds())
            .with_end(cue.end.total_seconds())
            .with_position(("center", top))
        )
    return clips


def _em_size(font_file: Path, line_height: int) -> int:
    """The font size (em, as Pillow and moviepy take it) whose ascent + descent is `line_height`."""
    ascent, descent = ImageFont.truetype(str(font_file), 1000).getmetrics()
    return round(line_height * 1000 / (ascent + descent))
