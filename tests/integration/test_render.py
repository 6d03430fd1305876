"""The video renderers with the real ffmpeg (imageio-ffmpeg) and moviepy, on 4 s clips at low
resolution: what comes out is probed, captions are checked in the pixels, and bad inputs or a
bad file fail clearly without leaving a file behind.

Inputs live in a folder whose name holds a space, a comma, a colon and an apostrophe, so every
path crosses ffmpeg's filtergraph escaping."""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path

import numpy
import pytest
from PIL import Image

from pressroom.errors import RenderError
from pressroom.media.ffmpeg import VideoProbe, ffmpeg_exe, probe
from pressroom.media.render import (
    CaptionLayout,
    RenderJob,
    RenderScene,
    render_ffmpeg,
    render_moviepy,
    validate_render,
)

pytestmark = pytest.mark.integration

AUDIO_SECONDS = 4.0
SCENE_COLOURS = ((150, 40, 40), (40, 120, 60), (40, 60, 150))
CUE_TIME = 1.0  # inside the first cue, which the "quiet" captions file does not have
CAPTIONS = """\
1
00:00:00,300 --> 00:00:01,900
Ferries every twenty minutes from June

2
00:00:02,100 --> 00:00:03,800
Qualité de l’air : ça marche ?
"""
QUIET_CAPTIONS = """\
1
00:00:03,500 --> 00:00:03,900
End
"""


def write_wav(path: Path, seconds: float) -> Path:
    rate = 48_000
    t = numpy.arange(round(seconds * rate)) / rate
    samples = (0.2 * numpy.sin(2 * numpy.pi * 220 * t) * 32767).astype(numpy.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def write_still(path: Path, colour: tuple[int, int, int], width: int, height: int) -> Path:
    """A mid-tone gradient: no pixel is near white, so white pixels can only be captions."""
    ramp = numpy.linspace(0.8, 1.2, height)[:, None, None]
    pixels = numpy.clip(numpy.array(colour)[None, None, :] * ramp, 0, 200)
    Image.fromarray(numpy.repeat(pixels, width, axis=1).astype(numpy.uint8)).save(path)
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("render") / "my renders, take 2: it's"
    folder.mkdir()
    for index, colour in enumerate(SCENE_COLOURS):
        write_still(folder / f"scene {index}.png", colour, 432, 768)
    write_wav(folder / "voice.wav", AUDIO_SECONDS)
    (folder / "captions.srt").write_text(CAPTIONS, encoding="utf-8")
    (folder / "quiet.srt").write_text(QUIET_CAPTIONS, encoding="utf-8")
    return folder


def make_job(folder: Path, width: int = 216, height: int = 384, **changes: object) -> RenderJob:
    starts = (0.0, 1.3, 2.6)
    scenes = tuple(
        RenderScene(folder / f"scene {i}.png", start, start + 1.3) for i, start in enumerate(starts)
    )
    options: dict[str, object] = {
        "scenes": scenes,
        "audio": folder / "voice.wav",
        "captions": folder / "captions.srt",
        "width": width,
        "height": height,
        "preset": "ultrafast",
        **changes,
    }
    return RenderJob(**options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def ffmpeg_render(inputs: Path) -> Path:
    return render_ffmpeg(make_job(inputs), inputs / "out" / "video, final.mp4")


def frame_at(video: Path, seconds: float, width: int, height: int) -> numpy.ndarray:
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-ss", f"{seconds}", "-i", str(video), "-frames:v", "1"]
        + ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return numpy.frombuffer(raw, dtype=numpy.uint8).reshape(height, width, 3).astype(int)


def assert_valid(found: VideoProbe, width: int, height: int) -> None:
    assert (found.video_streams, found.audio_streams) == (1, 1)
    assert (found.video_codec, found.audio_codec) == ("h264", "aac")
    assert (found.width, found.height) == (width, height)
    assert found.fps == 30
    assert found.pixel_format == "yuv420p"
    assert found.duration == pytest.approx(AUDIO_SECONDS, abs=0.1)
    assert found.audio_duration == pytest.approx(AUDIO_SECONDS, abs=0.1)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*part*"))


def test_the_ffmpeg_renderer_writes_h264_and_aac_at_the_jobs_size_as_long_as_the_audio(
    ffmpeg_render: Path,
) -> None:
    assert ffmpeg_render.name == "video, final.mp4"
    assert_valid(probe(ffmpeg_render), 216, 384)
    assert leftovers(ffmpeg_render.parent) == []


def test_the_ffmpeg_renderer_burns_the_captions_into_the_band_above_the_bottom_margin(
    inputs: Path, ffmpeg_render: Path
) -> None:
    quiet = render_ffmpeg(make_job(inputs, captions=inputs / "quiet.srt"), inputs / "quiet.mp4")
    with_text = frame_at(ffmpeg_render, CUE_TIME, 216, 384)
    without = frame_at(quiet, CUE_TIME, 216, 384)

    layout = CaptionLayout.for_frame(216, 384)
    bottom = 384 - layout.bottom_margin
    band = slice(bottom - 3 * layout.line_height, bottom)
    white = (with_text[band] > 230).all(axis=2)
    assert white.sum() > 100  # text drawn in white...
    assert not (without[band] > 230).all(axis=2).any()  # ...where the scene has none
    below = slice(bottom + layout.line_height, 384)
    assert not (with_text[below] > 230).all(axis=2).any()  # nothing in the platforms' UI zone
    assert numpy.abs(with_text[:100] - without[:100]).mean() < 2  # the rest is the same picture


def test_the_scenes_follow_the_timeline_with_a_crossfade_between_them(ffmpeg_render: Path) -> None:
    top_colour = [frame_at(ffmpeg_render, t, 216, 384)[:50].mean(axis=(0, 1)) for t in (0.5, 3.5)]
    fading = frame_at(ffmpeg_render, 1.3, 216, 384)[:50].mean(axis=(0, 1))

    assert numpy.argmax(top_colour[0]) == 0  # red scene first
    assert numpy.argmax(top_colour[1]) == 2  # blue scene last
    # Mid-fade between red and green, the frame holds some of both.
    assert fading[0] > 60 and fading[1] > 60


def test_the_moviepy_renderer_still_writes_a_valid_video_with_captions(inputs: Path) -> None:
    job = make_job(inputs, width=240, height=240)
    out = render_moviepy(job, inputs / "moviepy" / "square.mp4")

    assert_valid(probe(out), 240, 240)
    frame = frame_at(out, CUE_TIME, 240, 240)
    layout = CaptionLayout.for_frame(240, 240)
    bottom = 240 - layout.bottom_margin
    assert (frame[bottom - 3 * layout.line_height : bottom] > 230).all(axis=2).sum() > 100
    assert leftovers(out.parent) == []


def test_a_single_wide_scene_renders_without_crossfade(inputs: Path) -> None:
    job = make_job(inputs, width=320, height=180)
    job = RenderJob(**{**job.__dict__, "scenes": (RenderScene(job.scenes[0].image, 0.0, 4.0),)})
    assert_valid(probe(render_ffmpeg(job, inputs / "wide.mp4")), 320, 180)


@pytest.mark.parametrize("renderer", [render_ffmpeg, render_moviepy])
def test_a_missing_image_is_named_and_leaves_no_file(
    inputs: Path, tmp_path: Path, renderer: Callable[[RenderJob, Path], Path]
) -> None:
    job = make_job(inputs)
    missing = RenderScene(inputs / "nowhere.png", 1.3, 2.6)
    job = RenderJob(**{**job.__dict__, "scenes": (job.scenes[0], missing, job.scenes[2])})

    with pytest.raises(RenderError, match=r"scene 2: image .*nowhere\.png does not exist"):
        renderer(job, tmp_path / "video.mp4")
    assert list(tmp_path.iterdir()) == []


def test_an_unreadable_audio_file_is_named_and_leaves_no_file(inputs: Path, tmp_path: Path) -> None:
    broken = tmp_path / "voice.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really")
    job = make_job(inputs, audio=broken)

    with pytest.raises(RenderError, match=r"the audio .*voice\.wav cannot be used"):
        render_ffmpeg(job, tmp_path / "out" / "video.mp4")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("renderer", [render_ffmpeg, render_moviepy])
def test_a_corrupt_image_is_named_before_rendering(
    inputs: Path, tmp_path: Path, renderer: Callable[[RenderJob, Path], Path]
) -> None:
    corrupt = tmp_path / "scene.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    job = make_job(inputs)
    job = RenderJob(**{**job.__dict__, "scenes": (RenderScene(corrupt, 0.0, 4.0),)})

    with pytest.raises(RenderError, match=r"scene 1: image .*scene\.png is not a readable image"):
        renderer(job, tmp_path / "out" / "video.mp4")
    assert not (tmp_path / "out").exists()


def test_when_ffmpeg_fails_the_error_quotes_it_and_no_partial_file_remains(
    inputs: Path, tmp_path: Path
) -> None:
    job = make_job(inputs, preset="warp-speed")

    with pytest.raises(
        RenderError, match=r"rendering video\.mp4 failed \(ffmpeg exit code"
    ) as error:
        render_ffmpeg(job, tmp_path / "out" / "video.mp4")
    assert "warp-speed" in str(error.value)  # ffmpeg's own words, from its stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_validation_rejects_a_video_whose_length_differs_from_the_audio_and_deletes_it(
    inputs: Path, ffmpeg_render: Path, tmp_path: Path
) -> None:
    copy = shutil.copy(ffmpeg_render, tmp_path / "video.mp4")
    with pytest.raises(RenderError, match=r"the video lasts 4\.00 s but the audio 5\.00 s"):
        validate_render(Path(copy), make_job(inputs), audio_duration=5.0)
    assert not Path(copy).exists()


def test_validation_lists_a_wrong_size_and_frame_rate(
    inputs: Path, ffmpeg_render: Path, tmp_path: Path
) -> None:
    copy = Path(shutil.copy(ffmpeg_render, tmp_path / "video.mp4"))
    job = make_job(inputs, width=240, height=240, fps=25)
    with pytest.raises(RenderError, match=r"size 216x384, not 240x240; 30 fps, not 25"):
        validate_render(copy, job, audio_duration=AUDIO_SECONDS)
    assert not copy.exists()


def test_validation_rejects_a_file_without_audio(inputs: Path, tmp_path: Path) -> None:
    silent = tmp_path / "silent.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=216x384:r=30:d=4"]
        + ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(silent)],
        check=True,
    )
    with pytest.raises(RenderError, match="0 audio streams instead of 1"):
        validate_render(silent, make_job(inputs), audio_duration=AUDIO_SECONDS)
    assert not silent.exists()
