"""Video render: the ffmpeg renderer against the moviepy renderer and a lower bound.

One job (default: 30 s at 1080x1920, 6 scenes, one caption cue every 3 s, a 48 kHz WAV) is
generated into a temp folder and rendered three ways, each in a fresh Python process:
* ffmpeg: `render_ffmpeg`, one ffmpeg call (per-frame scale + crop zoom, xfade on the
  overlapping frames, concat, libass subtitles);
* moviepy: `render_moviepy`, ImageClip + CompositeVideoClip + TextClip;
* lower bound: one still and the same audio, encoded with the same codec settings
  (`encoding_args`: preset and x264 options; the still is decoded and converted to yuv420p once,
  then repeated by the `loop` filter: nearly all the work is the encoder's).
For each: wall time; CPU time (user + sys of the worker process and every process it started,
from RUSAGE_CHILDREN deltas here); peak RSS of the worker's own Python and of the largest process
it started (ffmpeg). The machine is shared: figures move with its load. Asserts nothing.

    python benchmarks/render.py [--seconds 30] [--width 1080] [--height 1920]
"""

from __future__ import annotations

import argparse
import json
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy
import srt
from PIL import Image, ImageDraw

from pressroom.media.ffmpeg import run_ffmpeg
from pressroom.media.render import (
    RENDERERS,
    RenderJob,
    RenderScene,
    check_inputs,
    encoding_args,
    validate_render,
)

SCENES = 6
CUE_SECONDS = 3.0
SAMPLE_RATE = 48_000
WAYS = ("ffmpeg", "moviepy", "lower bound")
CAPTION_WORDS = (
    "the harbour authority says new electric ferries will sail every twenty minutes from June "
    "carrying up to three thousand passengers a day while the council adds parking near the quay"
)


@dataclass(frozen=True)
class Figures:
    wall: float
    cpu: float
    worker_rss_mib: float
    children_rss_mib: float


def make_job(folder: Path, seconds: float, width: int, height: int) -> RenderJob:
    folder.mkdir(parents=True, exist_ok=True)
    audio = write_voice_like_wav(folder / "voice.wav", seconds)
    captions = write_captions(folder / "captions.srt", seconds)
    length = seconds / SCENES
    scenes = tuple(
        RenderScene(
            image=draw_scene(folder / f"scene {index}, v1.png", index, width, height),
            start=index * length,
            end=(index + 1) * length,
        )
        for index in range(SCENES)
    )
    return RenderJob(scenes=scenes, audio=audio, captions=captions, width=width, height=height)


def draw_scene(path: Path, seed: int, width: int, height: int) -> Path:
    """A photo-like still: smooth colour fields, soft noise and a few shapes (flat cards would
    flatter the encoder)."""
    rng = numpy.random.default_rng(seed)
    coarse = rng.integers(0, 256, size=(9, 6, 3), dtype=numpy.uint8)
    image = Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC)
    grain = rng.normal(0, 4, size=(height, width, 1))
    pixels = numpy.clip(numpy.asarray(image, dtype=numpy.float64) + grain, 0, 255)
    image = Image.fromarray(pixels.astype(numpy.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.integers(0, width), rng.integers(0, height)
        radius = int(rng.integers(width // 20, width // 5))
        colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=colour, width=6)
    image.save(path)
    return path


def write_voice_like_wav(path: Path, seconds: float) -> Path:
    """Tones whose loudness rises and falls like speech, 48 kHz 16-bit mono."""
    t = numpy.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    envelope = 0.5 + 0.5 * numpy.sin(2 * numpy.pi * 3.0 * t) ** 2
    voice = sum(numpy.sin(2 * numpy.pi * f * t) / k for k, f in enumerate((140, 280, 420), 1))
    samples = (0.25 * envelope * voice * 32767).astype(numpy.int16)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(samples.tobytes())
    return path


def write_captions(path: Path, seconds: float) -> Path:
    words = CAPTION_WORDS.split()
    cues = []
    for index in range(int(seconds // CUE_SECONDS)):
        start = index * CUE_SECONDS
        text = " ".join(words[(index * 7 + k) % len(words)] for k in range(9))
        cues.append(
            srt.Subtitle(
                index=index + 1,
                start=srt.timedelta(seconds=start + 0.1),
                end=srt.timedelta(seconds=start + CUE_SECONDS - 0.1),
                content=text.capitalize() + ".",
            )
        )
    path.write_text(srt.compose(cues), encoding="utf-8")
    return path


def render_lower_bound(job: RenderJob, out: Path) -> Path:
    """The first scene's still, unchanged for the whole audio, with the renderers' encoding."""
    audio_seconds = check_inputs(job)
    frames = round(audio_seconds * job.fps)
    run_ffmpeg(
        [
            "-y",
            "-loglevel",
            "error",
            "-framerate",
            str(job.fps),
            "-i",
            str(job.scenes[0].image),
            "-i",
            str(job.audio),
            "-filter_complex",
            f"[0:v]format=yuv420p,loop=loop={frames - 1}:size=1:start=0[video]",
            "-map",
            "[video]",
            "-map",
            "1:a:0",
            *encoding_args(job),
            str(out),
        ],
        what="the lower bound",
    )
    validate_render(out, job, audio_seconds)
    return out


def run_worker(way: str, job_file: Path, out: Path) -> None:
    """In the worker process: render one way, print this process's and its children's peak RSS."""
    job = pickle.loads(job_file.read_bytes())
    render = render_lower_bound if way == "lower bound" else RENDERERS[way]
    render(job, out)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"worker_rss_mib": own / 1024, "children_rss_mib": children / 1024}))


def measure(way: str, job_file: Path, out: Path) -> Figures:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", way, str(job_file), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"{way} failed:\n{completed.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss = json.loads(completed.stdout.strip().splitlines()[-1])
    return Figures(wall=wall, cpu=cpu, **rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--width", type=int, default=1080)
    parser.add_argument("--height", type=int, default=1920)
    parser.add_argument("--worker", nargs=3, metavar=("WAY", "JOB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        way, job_file, out = args.worker
        run_worker(way, Path(job_file), Path(out))
        return

    work = Path(tempfile.mkdtemp(prefix="pressroom-bench-render-"))
    job = make_job(work / "inputs", args.seconds, args.width, args.height)
    job_file = work / "job.pickle"
    job_file.write_bytes(pickle.dumps(job))
    print(
        f"{args.seconds:g} s at {args.width}x{args.height}, {job.fps} fps, {SCENES} scenes, "
        f"preset {job.preset}; each way in a fresh process, one after the other"
    )
    figures = {}
    for way in WAYS:
        figures[way] = measure(way, job_file, work / f"{way.replace(' ', '-')}.mp4")
        f = figures[way]
        print(
            f"{way:<12} wall {f.wall:7.1f} s  cpu {f.cpu:7.1f} s  "
            f"peak RSS: python {f.worker_rss_mib:6.0f} MiB, ffmpeg {f.children_rss_mib:6.0f} MiB",
            flush=True,
        )
    ffmpeg, moviepy, bound = figures["ffmpeg"], figures["moviepy"], figures["lower bound"]
    print(
        f"\nmoviepy / ffmpeg:      wall x{moviepy.wall / ffmpeg.wall:.1f}, "
        f"cpu x{moviepy.cpu / ffmpeg.cpu:.1f}  (goal: >= x5)"
    )
    print(
        f"ffmpeg / lower bound:  wall x{ffmpeg.wall / bound.wall:.1f}, "
        f"cpu x{ffmpeg.cpu / bound.cpu:.1f}  (goal: <= x2)"
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
