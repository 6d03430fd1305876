"""Script → video on a real Prefect backend with real ffmpeg, Piper and espeak-ng: the video is
rendered, signed, checked and reviewed like any bundle, and published only once approved."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from pressroom.audit_check import published_bundles
from pressroom.errors import ReviewError, ScriptError
from pressroom.media.ffmpeg import probe
from pressroom.media.script import load_script
from tasks.review import review_description_of, submit_review
from tests.conftest import REPO_ROOT
from tests.integration.conftest import BackgroundRun

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_backend")]

SCENES = [
    {
        "narration": "Volunteer divers went back to count the seagrass in Port Alder harbour.",
        "visual": "Divers slipping into a grey harbour",
    },
    {
        "narration": "Their survey found 1.6 hectares of meadow.",
        "visual": "A green seagrass meadow on a sandy seabed",
    },
]


@pytest.fixture
def video_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from tests.integration.conftest import write_config

    directory = write_config(tmp_path / "configs")
    path = directory / "pipeline.yaml"
    pipeline = yaml.safe_load(path.read_text())
    pipeline["video"].update({"preset": "ultrafast", "music": True})
    path.write_text(yaml.safe_dump(pipeline, allow_unicode=True))
    monkeypatch.setenv("PRESSROOM_CONFIG_DIR", str(directory))
    return directory


def write_script(folder: Path, scenes: list[dict[str, str]], **fields: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "assets" / "sample" / "article-en.html", folder / "article-en.html")
    script = {
        "language": "en",
        "title": "Seagrass returns to Port Alder",
        "source": "article-en.html",
    }
    path = folder / f"script-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(yaml.safe_dump({**script, **fields, "scenes": scenes}, allow_unicode=True))
    return path


def VideoRun(**parameters: Any) -> BackgroundRun:  # noqa: N802 - reads like the class it makes
    from flows.video import script_to_video

    return BackgroundRun(flow=script_to_video, **parameters)


@pytest.mark.usefixtures("video_config")
def test_a_script_becomes_a_signed_checked_video_published_once_approved(tmp_path: Path) -> None:
    script = write_script(tmp_path / "scripts", SCENES)
    out = tmp_path / "out"
    run = VideoRun(script=str(script), out_dir=str(out))
    run_id = run.wait_for_review(gate="video")

    description = review_description_of(run_id)
    assert "Seagrass returns to Port Alder" in description and "**Scene 2**" in description
    assert "Their survey found 1.6 hectares of meadow." in description
    assert "piper/en_US-joe-medium" in description and "low quality" not in description
    assert "✅ **No blockers.**" in description, description  # grounded, signed (R5), labelled
    # The embedded English voice's licence is unclear for commercial use: said, not hidden.
    assert "| C3 | audio/voiceover.wav |" in description
    assert published_bundles(out) == []

    assert "Quarantined" in description  # the sample article hides an injection
    submit_review(
        run_id, {"decision": "approve", "reviewer": "Alice Martin", "source_checked": True}
    )
    result = run.finish()
    assert result.status == "published" and result.videos == ["video/9x16.mp4"]

    [bundle] = published_bundles(out)
    found = probe(bundle / "video" / "9x16.mp4")
    assert (found.width, found.height, found.video_codec, found.audio_codec) == (
        1080,
        1920,
        "h264",
        "aac",
    )
    video = json.loads((bundle / "video.json").read_text())
    assert abs(found.duration - video["duration"]) <= 0.1
    assert video["platform_flags"] == {
        "tiktok": {"is_aigc": True},
        "instagram": {"is_ai_generated": True},
        "youtube": {"containsSyntheticMedia": True},
    }
    assert video["disclosure"] == "AI-generated content"
    srt = (bundle / "captions" / "captions.srt").read_text()
    assert "Volunteer divers" in srt and "00:00:00,000 --> 00:00:00,000" not in srt
    manifest = json.loads((bundle / "manifest.json").read_text())
    files = {entry["path"]: entry for entry in manifest["files"]}
    for path in ("video/9x16.mp4", "audio/voiceover.wav", "images/scene-1.png"):
        assert files[path]["generation"] and files[path]["licence"], path
    assert files["video/9x16.mp4"]["licence"]["provider"] == "pressroom"
    assert files["images/scene-2.png"]["alt_text"]
    page = (bundle / "how-this-was-made.md").read_text()
    assert "| audio/voiceover.wav | offline | piper/en_US-joe-medium |" in page


@pytest.mark.usefixtures("video_config")
def test_a_french_script_speaks_with_espeak_labelled_low_quality_and_a_reject_publishes_nothing(
    tmp_path: Path,
) -> None:
    scenes = [{"narration": "Les plongeurs ont compté les herbiers du port.", "visual": "Le port"}]
    script = write_script(tmp_path / "scripts", scenes, language="fr", title="Herbiers")
    script_text = yaml.safe_load(script.read_text())
    del script_text["source"]
    script.write_text(yaml.safe_dump(script_text, allow_unicode=True))
    out = tmp_path / "out"
    run = VideoRun(script=str(script), out_dir=str(out))
    run_id = run.wait_for_review(gate="video")
    description = review_description_of(run_id)
    assert "espeak-ng" in description and "**low quality**" in description
    assert "| H0 |" in description  # no source: grounding not checked, and said so
    submit_review(run_id, {"decision": "reject", "reviewer": "Sam Lee", "comments": "robotic"})
    with pytest.raises(
        ReviewError, match="video: rejected by Sam Lee: robotic; nothing was published"
    ):
        run.finish()
    assert not out.exists() or published_bundles(out) == []


def test_a_bad_script_is_refused_naming_the_scene(tmp_path: Path) -> None:
    script = write_script(tmp_path / "scripts", [*SCENES, {"narration": " ", "visual": "x"}])
    with pytest.raises(ScriptError, match=r"scenes\[3\]\.narration"):
        load_script(script)
