"""The video renderers' pure parts: the frame-exact timeline, the ffmpeg filtergraph and command
line, filter escaping, the caption style and the render cache key. No ffmpeg runs here."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest

from pressroom.errors import RenderError
from pressroom.media.render import (
    ASS_PLAY_HEIGHT,
    CaptionLayout,
    RenderJob,
    RenderScene,
    Timeline,
    caption_style,
    escape_filter_value,
    ffmpeg_render_args,
    plan_timeline,
    render_filtergraph,
)

# A ; or , that ends a filter or chain: one not escaped with a backslash.
_UNESCAPED_SEMICOLON = re.compile(r"(?<!\\);")


def make_job(tmp_path: Path, starts: list[float], **options: object) -> RenderJob:
    scenes = tuple(
        RenderScene(tmp_path / f"scene{i}.png", start, start + 1.0)
        for i, start in enumerate(starts)
    )
    return RenderJob(
        scenes=scenes,
        audio=tmp_path / "voice.wav",
        captions=tmp_path / "captions.srt",
        width=216,
        height=384,
        **options,  # type: ignore[arg-type]
    )


def write_inputs(job: RenderJob) -> None:
    for index, scene in enumerate(job.scenes):
        scene.image.write_bytes(b"png %d" % index)
    job.audio.write_bytes(b"wav")
    job.captions.write_text("1\n00:00:00,500 --> 00:00:01,500\nHello\n", encoding="utf-8")


def test_the_clips_chained_by_crossfades_last_exactly_as_long_as_the_audio(tmp_path: Path) -> None:
    job = make_job(tmp_path, [0.0, 2.0, 5.5])
    timeline = plan_timeline(job, audio_duration=9.0)

    assert timeline.frames == 270
    assert timeline.crossfade == 15
    overlaps = (len(timeline.clips) - 1) * timeline.crossfade
    assert sum(clip.frames for clip in timeline.clips) - overlaps == timeline.frames
    last = timeline.clips[-1]
    assert last.start + last.frames == timeline.frames


def test_each_crossfade_is_centred_on_the_start_of_the_next_scene(tmp_path: Path) -> None:
    job = make_job(tmp_path, [0.0, 2.0, 5.5])
    timeline = plan_timeline(job, audio_duration=9.0)

    first, second, third = timeline.clips
    assert first.start == 0
    assert second.start == 60 - 7  # scene 2 starts at frame 60; half the 15-frame fade before
    assert third.start == 165 - 7
    # Each clip lasts until the next one has fully faded in.
    assert first.start + first.frames == second.start + timeline.crossfade
    assert second.start + second.frames == third.start + timeline.crossfade


def test_the_crossfade_is_shortened_to_fit_a_short_scene(tmp_path: Path) -> None:
    job = make_job(tmp_path, [0.0, 3.0, 3.2], crossfade=1.0)
    timeline = plan_timeline(job, audio_duration=6.0)

    assert timeline.crossfade == 6  # the middle scene lasts 0.2 s = 6 frames
    assert all(clip.frames > 0 for clip in timeline.clips)
    assert sum(c.frames for c in timeline.clips) - 2 * timeline.crossfade == timeline.frames


@pytest.mark.parametrize(
    ("scenes", "message"),
    [
        ([RenderScene(Path("a.png"), 1.0, 1.0)], "scene 1 ends"),
        (
            [RenderScene(Path("a.png"), 0.0, 2.0), RenderScene(Path("b.png"), 0.0, 3.0)],
            "scene 2 starts at 0.00 s",
        ),
        (
            [RenderScene(Path("a.png"), 0.0, 2.0), RenderScene(Path("b.png"), 4.5, 6.0)],
            "before the audio ends (4.00 s)",
        ),
    ],
)
def test_a_timeline_that_cannot_be_rendered_is_refused_naming_the_scene(
    tmp_path: Path, scenes: list[RenderScene], message: str
) -> None:
    job = RenderJob(tuple(scenes), tmp_path / "a.wav", tmp_path / "c.srt", 216, 384)
    with pytest.raises(RenderError, match=re.escape(message)):
        plan_timeline(job, audio_duration=4.0)


def graph_chains(job: RenderJob, timeline: Timeline) -> list[str]:
    return _UNESCAPED_SEMICOLON.split(render_filtergraph(job, timeline))


def zoomed_widths(chain: str, frames: int) -> list[int]:
    """The width the zoom's `scale` gives each of a clip's frames (its expression in `n`)."""
    expression = re.search(r",scale=w='([^']+)'", chain)
    assert expression is not None
    return [int(eval(expression.group(1), {"round": round, "n": n})) for n in range(frames)]


def test_each_still_zooms_steadily_to_the_jobs_zoom_around_the_centre(tmp_path: Path) -> None:
    job = make_job(tmp_path, [0.0, 2.0, 5.5], zoom=1.1)
    timeline = plan_timeline(job, audio_duration=9.0)
    chains = graph_chains(job, timeline)

    for index, clip in enumerate(timeline.clips):
        (chain,) = [c for c in chains if c.startswith(f"[{index}:v]")]
        assert f"loop=loop={clip.frames - 1}:size=1" in chain  # one still, the clip's frames
        widths = zoomed_widths(chain, clip.frames)
        assert widths[0] == 216
        assert widths[-1] == pytest.approx(216 * 1.1, abs=2)
        assert widths == sorted(widths)  # it only grows...
        assert all(width % 2 == 0 for width in widths)  # ...by whole pixels on each side
        assert max(b - a for a, b in pairwise(widths)) <= 2
        zoom = chain.split(",scale=w=")[1]
        assert ",crop=216:384:exact=1,setsar=1" in zoom  # then the centre, at the frame size


def test_only_the_overlapping_frames_are_crossfaded_then_all_is_joined_and_captioned(
    tmp_path: Path,
) -> None:
    job = make_job(tmp_path, [0.0, 2.0, 5.5])
    timeline = plan_timeline(job, audio_duration=9.0)
    chains = graph_chains(job, timeline)

    trims: dict[str, tuple[int, int]] = {}  # trimmed piece -> its frames in the clip
    for chain in chains:
        found = re.search(r"trim=start_frame=(\d+):end_frame=(\d+),.*\[(\w+)\]$", chain)
        if found:
            trims[found.group(3)] = (int(found.group(1)), int(found.group(2)))
    # Each clip is cut, in order and without gap, into head (the frames it shares with the
    # previous clip), body and tail (those it shares with the next).
    for index, clip in enumerate(timeline.clips):
        pieces = sorted(span for label, span in trims.items() if label.endswith(str(index)))
        assert pieces[0][0] == 0 and pieces[-1][1] == clip.frames
        assert all(a[1] == b[0] for a, b in pairwise(pieces))
    fades = [chain for chain in chains if "xfade" in chain]
    assert [fade.split("xfade")[0] for fade in fades] == ["[tail0][head1]", "[tail1][head2]"]
    for index in (1, 2):
        assert trims[f"head{index}"][1] - trims[f"head{index}"][0] == timeline.crossfade
        assert trims[f"tail{index - 1}"][1] - trims[f"tail{index - 1}"][0] == timeline.crossfade
    assert all(f"duration={timeline.crossfade / 30:.6f}:offset=0[" in fade for fade in fades)
    # Bodies and crossfades, in order, make exactly the timeline's frames; captions go on last.
    joined = chains[-1]
    segments = re.findall(r"\[(\w+)\]", joined.split("concat=")[0])
    assert segments == ["body0", "fade1", "body1", "fade2", "body2"]
    lengths = [
        timeline.crossfade if label.startswith("fade") else trims[label][1] - trims[label][0]
        for label in segments
    ]
    assert sum(lengths) == timeline.frames
    assert "concat=n=5:v=1:a=0,subtitles=filename=" in joined
    assert joined.endswith("[video]")


def test_a_single_scene_needs_no_crossfade(tmp_path: Path) -> None:
    job = make_job(tmp_path, [0.0])
    graph = render_filtergraph(job, plan_timeline(job, audio_duration=3.0))

    assert not {"xfade", "trim", "concat"} & set(re.findall(r"[a-z]+(?==)", graph))
    assert "loop=loop=89:" in graph  # 90 frames
    assert "[body0]subtitles=" in graph


def test_without_crossfade_the_clips_are_concatenated_end_to_end(tmp_path: Path) -> None:
    job = make_job(tmp_path, [0.0, 2.0], crossfade=0)
    timeline = plan_timeline(job, audio_duration=4.0)
    graph = render_filtergraph(job, timeline)

    assert [(clip.start, clip.frames) for clip in timeline.clips] == [(0, 60), (60, 60)]
    assert "xfade" not in graph and "trim" not in graph
    assert "[body0][body1]concat=n=2:v=1:a=0,subtitles=" in graph


def test_a_scene_shorter_than_a_frame_is_refused(tmp_path: Path) -> None:
    job = make_job(tmp_path, [0.0, 1.0, 1.01])
    with pytest.raises(RenderError, match="scene 2 lasts less than one frame at 30 fps"):
        plan_timeline(job, audio_duration=4.0)


def test_paths_and_styles_are_escaped_for_the_option_and_the_graph_parsers() -> None:
    # The example of ffmpeg's "Notes on filtergraph escaping".
    text = "this is a 'string': may contain one, or more, special characters"
    assert escape_filter_value(text) == (
        r"this is a \\\'string\\\'\\: may contain one\, or more\, special characters"
    )
    assert escape_filter_value("/tmp/my renders, v2/a;b[1].srt") == (
        r"/tmp/my renders\, v2/a\;b\[1\].srt"
    )


def test_the_subtitles_filter_names_the_escaped_captions_font_folder_and_style(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "my renders, v2"
    job = RenderJob(
        scenes=(RenderScene(folder / "a.png", 0.0, 3.0),),
        audio=folder / "voice.wav",
        captions=folder / "it's: captions.srt",
        width=216,
        height=384,
        font_dir=folder / "fonts",
    )
    graph = render_filtergraph(job, plan_timeline(job, audio_duration=3.0))

    subtitles = graph.split("subtitles=", 1)[1]
    assert subtitles.startswith(
        "filename=" + str(folder).replace(",", r"\,") + r"/it\\\'s\\: captions.srt:"
    )
    assert ":fontsdir=" + str(folder).replace(",", r"\,") + "/fonts:" in subtitles
    assert r":force_style=FontName=Inter\,Bold=1\,FontSize=" in subtitles


def test_captions_are_sized_from_the_frame_and_kept_clear_of_the_vertical_platforms_ui() -> None:
    tall = RenderJob((), Path("a"), Path("c"), 1080, 1920)
    wide = RenderJob((), Path("a"), Path("c"), 1920, 1080)
    tall_style = dict(item.split("=") for item in caption_style(tall).split(","))
    wide_style = dict(item.split("=") for item in caption_style(wide).split(","))

    # Same line height on the short side: 78 px, given on libass's 288-high canvas.
    assert float(tall_style["FontSize"]) * 1920 / ASS_PLAY_HEIGHT == pytest.approx(78, abs=0.1)
    assert float(wide_style["FontSize"]) * 1080 / ASS_PLAY_HEIGHT == pytest.approx(78, abs=0.1)
    # 9:16: captions end above the bottom fifth (where the platforms print the post's text).
    assert int(tall_style["MarginV"]) * 1920 / ASS_PLAY_HEIGHT >= 0.2 * 1920
    assert int(wide_style["MarginV"]) * 1080 / ASS_PLAY_HEIGHT < 0.1 * 1080
    assert tall_style["FontName"] == "Inter"
    assert CaptionLayout.for_frame(1080, 1920).bottom_margin == round(0.22 * 1920)


def test_the_ffmpeg_command_encodes_h264_yuv420p_and_aac_into_a_faststart_mp4(
    tmp_path: Path,
) -> None:
    job = make_job(tmp_path, [0.0, 2.0], preset="ultrafast", fps=25)
    timeline: Timeline = plan_timeline(job, audio_duration=4.0)
    args = ffmpeg_render_args(job, timeline, tmp_path / "out.mp4")

    def value(option: str) -> str:
        return args[args.index(option) + 1]

    assert [args[i + 1] for i, a in enumerate(args) if a == "-i"] == [
        str(job.scenes[0].image),
        str(job.scenes[1].image),
        str(job.audio),
    ]
    # Each still is read as one frame at the video's rate, for the loop filter to repeat.
    framerates = [i for i, a in enumerate(args) if a == "-framerate"]
    assert [(args[i + 1], args[i + 2]) for i in framerates] == [("25", "-i"), ("25", "-i")]
    assert args[args.index("-map") : args.index("-map") + 4] == ["-map", "[video]", "-map", "2:a:0"]
    assert value("-c:v") == "libx264"
    assert value("-preset") == "ultrafast"
    assert value("-pix_fmt") == "yuv420p"
    assert value("-r") == "25"
    assert (value("-c:a"), value("-b:a")) == ("aac", "192k")
    assert value("-movflags") == "+faststart"
    assert "-shortest" not in args
    assert args[-1] == str(tmp_path / "out.mp4")


def test_only_the_default_preset_gets_the_lighter_motion_search(tmp_path: Path) -> None:
    def args(**options: object) -> list[str]:
        job = make_job(tmp_path, [0.0], **options)
        return ffmpeg_render_args(job, plan_timeline(job, 3.0), tmp_path / "out.mp4")

    default = args()
    assert default[default.index("-preset") + 1] == "veryfast"
    params = dict(item.split("=") for item in default[default.index("-x264-params") + 1].split(":"))
    assert params["me"] == "dia"  # diamond search, superfast's
    assert int(params["subme"]) < 2  # below veryfast's sub-pixel refinement
    for preset in ("ultrafast", "medium"):  # a preset chosen in the settings is taken as it is
        assert "-x264-params" not in args(preset=preset)


def test_the_cache_key_covers_every_input_byte_and_every_parameter(tmp_path: Path) -> None:
    job = make_job(tmp_path, [0.0, 2.0])
    write_inputs(job)
    key = job.content_key()

    assert job.content_key() == key
    assert make_job(tmp_path, [0.0, 2.0], zoom=1.2).content_key() != key
    assert make_job(tmp_path, [0.0, 2.5]).content_key() != key
    job.scenes[1].image.write_bytes(b"another picture")
    assert job.content_key() != key
    job.scenes[1].image.write_bytes(b"png 1")
    job.captions.write_text("1\n00:00:00,500 --> 00:00:01,500\nHello!\n", encoding="utf-8")
    assert job.content_key() != key


def test_the_cache_key_of_a_job_with_a_missing_input_names_the_file(tmp_path: Path) -> None:
    job = make_job(tmp_path, [0.0])
    write_inputs(job)
    job.audio.unlink()
    with pytest.raises(RenderError, match="voice.wav"):
        job.content_key()
