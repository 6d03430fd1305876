"""A brief asking for a podcast voice-over, through the editorial chain on a real Prefect backend
with the embedded providers: its script at gate 1, then its own gate, where a request for
changes redraws and speaks it again; the published bundle holds signed audio that verifies, the
transcript with the disclosure, captions, and the report it passed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from uuid import UUID

import pytest

from pressroom.audit_check import published_bundles, verify_trail
from pressroom.briefs import Brief
from pressroom.compliance.voiceover import spoken_disclosure
from pressroom.media.ffmpeg import probe
from pressroom.provenance import load_keys, verify_asset
from tasks.review import review_description_of, submit_review
from tests.integration.conftest import BackgroundRun

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_backend", "config_dir")]

NOTES = (
    "Port Alder's seagrass project counts its meadow every April.\n\n"
    "Volunteers planted 14,000 shoots by hand along the north shore. The survey found 1.6 "
    "hectares of meadow, up from 0.9 hectares two years ago. Divers counted cuttlefish eggs on "
    "the new shoots for the first time. The harbour authority now keeps boats out of the meadow "
    "from May to September."
)
DURATION = re.compile(r"^(\d+\.\d) s · language", re.MULTILINE)


def answer(run_id: str, decision: str, comments: str = "") -> None:
    submit_review(run_id, {"decision": decision, "reviewer": "Alice Martin", "comments": comments})


def _duration(description: str) -> float:
    found = DURATION.search(description)
    assert found, description
    return float(found.group(1))


def test_a_voiceover_is_planned_then_spoken_signed_and_published_at_its_own_gate(
    tmp_path: Path,
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.editorial import editorial_chain

    out = tmp_path / "out"
    brief = Brief.model_validate(
        {
            "id": "seagrass-podcast",
            "sources": [{"notes": NOTES}],
            "goal": "Tell listeners the seagrass meadow is spreading again",
            "formats": ["voiceover"],
            "language": "en",
            "slot": "2026-10-22T07:00:00+02:00",
        }
    )
    run = BackgroundRun(flow=editorial_chain, brief=brief, out_dir=str(out))

    run_id = run.wait_for_review(gate="plan")
    plan = review_description_of(run_id)
    assert "#### Voice-over script" in plan and "#### Video script" not in plan
    answer(run_id, "approve")

    run.wait_for_review(gate="voiceover")
    first = review_description_of(run_id)
    assert "podcast voice-over" in first and "✅ **No blockers.**" in first, first
    assert spoken_disclosure("en") in first and "Listen before deciding" in first
    assert "cuttlefish" in first
    answer(run_id, "request_changes", 'remove "cuttlefish"')
    run.wait_for_review(gate="voiceover", round_=1)
    second = review_description_of(run_id)
    assert "cuttlefish" not in second  # written and spoken again
    assert _duration(second) < _duration(first)
    answer(run_id, "approve")

    result = run.finish()
    assert [(g.gate, g.status) for g in result.gates] == [
        ("plan", "approved"),
        ("voiceover", "published"),
    ]
    # Both rounds' voices, one record per sentence spoken, and the script written again.
    paid = result.gates[-1].paid
    voices = [g for g in paid if g.model == "piper/en_US-joe-medium"]
    assert {g.parameters["scene"] for g in voices} >= {1, 2}
    assert [g.template_id for g in paid if g not in voices] == ["video_script/offline-extractive"]

    [bundle] = published_bundles(out)
    voiceover = json.loads((bundle / "voiceover.json").read_text())
    keys = load_keys()
    for path, media_type in [
        ("audio/voiceover.mp3", "audio/mpeg"),
        ("audio/voiceover.wav", "audio/wav"),
    ]:
        check = verify_asset((bundle / path).read_bytes(), media_type, keys=keys)
        assert check.valid and check.declares_ai, (path, check.problems)
        assert probe(bundle / path).audio_duration == pytest.approx(voiceover["duration"], abs=0.1)
    assert voiceover["voice"]["loudness_lufs"] == pytest.approx(-16.0, abs=0.5)
    assert voiceover["voice"]["peak_dbfs"] <= -1.0 and voiceover["music"] is None
    assert voiceover["segments"][0]["text"] == spoken_disclosure("en")
    assert voiceover["publish_at"] == "2026-10-22T07:00:00+02:00"  # the brief's slot
    transcript = (bundle / "transcript.md").read_text()
    assert "Label: **AI-generated content**" in transcript
    assert transcript.split("\n\n")[2] == spoken_disclosure("en")  # said first
    assert "cuttlefish" not in transcript
    srt = (bundle / "captions/captions.srt").read_text()
    vtt = (bundle / "captions/captions.vtt").read_text()
    assert srt.startswith("1\n00:00:00,000 --> ") and "This audio was written" in srt
    assert vtt.startswith("WEBVTT") and "synthetic voice." in vtt
    compliance = json.loads((bundle / "compliance.json").read_text())
    assert not [f for f in compliance["findings"] if f["severity"] == "blocker"]
    manifest = json.loads((bundle / "manifest.json").read_text())
    audio = {f["path"]: f for f in manifest["files"] if f["path"].startswith("audio/")}
    assert sorted(audio) == ["audio/voiceover.mp3", "audio/voiceover.wav"]
    assert all(f["licence"]["provider"] == "offline" and f["generation"] for f in audio.values())
    assert "`audio/voiceover.mp3`" in (bundle / "how-this-was-made.md").read_text()
    assert verify_trail(out).problems == []
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id)]))
        )
    assert {"voiceover-script", "compliance-report", "run-costs"} <= {a.key for a in artifacts}
    assert "video-script" not in {a.key for a in artifacts}
