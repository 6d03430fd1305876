"""URL → social on real-provider settings: the real `openai` client writes the posts, talking to
a loopback server that speaks the chat-completions wire format, on a real Prefect backend."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
import yaml

from pressroom.audit_check import published_bundles
from pressroom.cli import serve_folder
from pressroom.providers.resilience import ProviderError
from tasks.review import submit_review
from tests.fakes.openai_server import FakeOpenAI, Reply
from tests.integration.conftest import BackgroundRun, write_config

pytestmark = [
    pytest.mark.integration,
    pytest.mark.usefixtures("prefect_backend", "allow_loopback"),
]

KEY = "sk-test-flow"
EMAIL, PHONE = "claire.martin@mairie-montreval.fr", "02 47 31 12 34"
PARAGRAPH = (
    "The harbour board of Portalder opened a new ferry line to the islands on Monday, after "
    "two years of works on the northern pier. The crossing now takes forty minutes instead of "
    "an hour, and four boats a day will run in summer. Residents had asked for the line since "
    "the old ferry stopped in 2019, and local shops expect more visitors this year. "
)
ARTICLE = f"""<!doctype html><html lang="en"><head><title>A new ferry for Portalder</title></head>
<body><article><h1>A new ferry for Portalder</h1>
<p>{PARAGRAPH}</p><p>{PARAGRAPH}</p>
<p>Questions go to the harbour office: write to {EMAIL} or call {PHONE} on weekdays.</p>
</article></body></html>"""


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY) as server:
        yield server


@pytest.fixture
def article_url(tmp_path: Path) -> Iterator[str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "ferry.html").write_text(ARTICLE, encoding="utf-8")
    with serve_folder(site) as base_url:
        yield f"{base_url}/ferry.html"


@pytest.fixture
def openai_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeOpenAI) -> None:
    directory = write_config(tmp_path / "configs")
    path = directory / "pipeline.yaml"
    pipeline = yaml.safe_load(path.read_text())
    pipeline["providers"] = {
        "text": "auto",
        "openai": {"base_url": f"{fake.base_url}/v1", "timeout_seconds": 5, "max_attempts": 2},
    }
    pipeline["default_channels"] = ["linkedin", "x"]
    path.write_text(yaml.safe_dump(pipeline, allow_unicode=True))
    monkeypatch.setenv("PRESSROOM_CONFIG_DIR", str(directory))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


def _approve(run: BackgroundRun) -> None:
    submit_review(run.wait_for_review(), {"decision": "approve", "reviewer": "Maya Lind"})


@pytest.mark.usefixtures("openai_config")
def test_posts_written_by_openai_are_published_with_their_records_and_costs(
    fake: FakeOpenAI, article_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    run = BackgroundRun(url=article_url, out_dir=str(out))
    _approve(run)
    result = run.finish()

    [bundle] = published_bundles(out)
    manifest = json.loads((bundle / "manifest.json").read_text())
    linkedin = manifest["post_generations"]["linkedin"]
    assert linkedin["provider"] == "openai"
    assert linkedin["model"].startswith("gpt-4o-mini")
    assert (linkedin["template_id"], linkedin["template_version"]) == ("social_posts", "1")
    assert linkedin["cost_usd"] > 0 and linkedin["input_tokens"] > 0
    assert linkedin["redacted"]["email"] >= 1 and linkedin["redacted"]["phone"] >= 1
    posts = json.loads((bundle / "posts.json").read_text())["posts"]
    assert all(p["disclosure"] in p["text"] for p in posts)
    assert result.status == "published"

    # Data minimisation: the personal data in the source never reached the provider.
    assert fake.requests
    for request in fake.requests:
        sent = request.text()
        assert EMAIL not in sent and PHONE not in sent and "02 47" not in sent


@pytest.mark.usefixtures("openai_config")
def test_a_second_run_with_the_same_inputs_sends_no_request(
    fake: FakeOpenAI, article_url: str, tmp_path: Path
) -> None:
    url = f"{article_url}?run=twice"  # a URL no other run used: nothing cached before
    first = BackgroundRun(url=url, out_dir=str(tmp_path / "first"))
    _approve(first)
    first.finish()
    calls = len(fake.requests)
    assert calls >= 3  # audience, plan, posts

    second = BackgroundRun(url=url, out_dir=str(tmp_path / "second"))
    _approve(second)
    assert second.finish().status == "published"
    assert len(fake.requests) == calls


@pytest.mark.usefixtures("openai_config")
def test_a_rejected_key_fails_the_run_clearly_and_publishes_nothing(
    fake: FakeOpenAI, article_url: str, tmp_path: Path
) -> None:
    fake.script(Reply.failure(401, "Incorrect API key provided"))
    out = tmp_path / "out"
    # A URL no other run used: paid steps are cached across runs on their inputs.
    run = BackgroundRun(url=f"{article_url}?run=rejected-key", out_dir=str(out))
    with pytest.raises(ProviderError, match=r"OpenAI rejected the key \(401\)"):
        run.finish()
    assert len(fake.requests) == 1
    assert not out.exists() or published_bundles(out) == []


@pytest.mark.usefixtures("openai_config")
def test_the_run_ends_with_a_cost_summary_and_respects_the_vendor_limit(
    fake: FakeOpenAI, article_url: str, tmp_path: Path
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
    )

    run = BackgroundRun(url=f"{article_url}?run=costs", out_dir=str(tmp_path / "out"))
    run_id = run.wait_for_review()
    submit_review(run_id, {"decision": "approve", "reviewer": "Maya Lind"})
    run.finish()
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(  # this run's table, not another test's
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["run-costs"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id)]),
            )
        )
        limit = client.read_global_concurrency_limit_by_name("provider-openai")
    rows = json.loads(str(artifact.data))
    assert {row["step"] for row in rows} >= {"audience", "plan", "posts", "total"}
    assert limit.limit == 4  # providers.openai.concurrency


def test_a_key_can_come_from_a_prefect_secret_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.blocks.system import Secret

    from pressroom.settings import OpenAISettings, ProviderSettings
    from tasks.providers import api_keys

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("ELEVENLABS_API_KEY", raising=False)
    Secret(value="sk-from-block").save("pressroom-test-openai", overwrite=True)
    settings = ProviderSettings(openai=OpenAISettings(api_key_block="pressroom-test-openai"))
    assert api_keys(settings) == {"openai": "sk-from-block"}
    assert api_keys(ProviderSettings()) == {}
