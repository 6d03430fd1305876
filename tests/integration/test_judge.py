"""The LLM judge with the real `openai` client against the loopback fake: the evidence filter on
a real answer, a server error, what the prompt carries, and the Prefect task's caching."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect import flow

from pressroom.compliance.judge import CLAIM_RULE, STATUS_RULE, Judgement, judge_posts
from pressroom.models import Revision, Source
from pressroom.providers.offline_text import OfflineWriter
from pressroom.publishing import stage_bundle
from pressroom.settings import OpenAISettings, ProviderSettings, Settings, load_settings
from tasks.compliance import judge_posts as judge_posts_task
from tests.fakes.openai_server import SOURCE_BLOCK, FakeOpenAI, Reply
from tests.fixtures.compliance.corpus import frame
from tests.unit.conftest import EN_TEXT, EN_TITLE, make_source

pytestmark = pytest.mark.integration

KEY = "sk-test-judge"
EMAIL, PHONE = "anna.martin@example.org", "+44 20 7946 0958"
SOURCE = make_source(
    f"{EN_TEXT}\n\nQuestions about the timetable go to {EMAIL} or {PHONE}.",
    title=EN_TITLE,
    language="en",
)
BODY = (
    "Ferries between Port Alder and Kelby Island will carry up to 3,500 passengers a day. "
    f"Questions: {PHONE}."
)
SUPPORTED = {
    "channel": "linkedin",
    "span": "up to 3,500 passengers a day",
    "verdict": "contradicted",
    "evidence": "the new timetable will carry up to 3,200 passengers a day",
    "reason": "The article says 3,200 passengers.",
}
FABRICATED = {
    "channel": "x",
    "span": "up to 3,500 passengers a day",
    "verdict": "contradicted",
    "evidence": "the harbour authority expects 3,000 passengers a day",
    "reason": "The article says 3,000 passengers.",
}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY) as server:
        yield server


def openai_settings(fake: FakeOpenAI) -> OpenAISettings:
    return OpenAISettings(base_url=f"{fake.base_url}/v1", timeout_seconds=5, max_attempts=2)


def judge(fake: FakeOpenAI, settings: Settings, waits: list[float] | None = None) -> Judgement:
    posts = [frame(BODY, "en", channel, settings) for channel in ("linkedin", "x")]
    return judge_posts(
        posts,
        SOURCE,
        brand=settings.brand,
        provider="openai",
        settings=openai_settings(fake),
        api_key=KEY,
        sleep=(waits if waits is not None else []).append,
    )


def test_only_a_claim_whose_evidence_is_in_the_source_counts(
    fake: FakeOpenAI, settings: Settings
) -> None:
    fake.script(Reply.structured({"claims": [SUPPORTED, FABRICATED]}))

    judgement = judge(fake, settings)

    kept, note = judgement.findings
    assert (kept.rule_id, kept.severity, kept.location) == (CLAIM_RULE, "warning", "linkedin")
    assert kept.evidence == (
        "“up to 3,500 passengers a day” — the source says: "
        "“the new timetable will carry up to 3,200 passengers a day”"
    )
    assert (note.rule_id, note.severity) == (STATUS_RULE, "info")
    assert note.message.startswith("Judge evidence not found in source: 1 dropped.")
    assert note.evidence == (
        "“up to 3,500 passengers a day” (x): the evidence is not in the source"
    )
    generation = judgement.generation
    assert generation is not None
    assert (generation.provider, generation.model) == ("openai", "gpt-4o-mini-2024-07-18")
    assert (generation.template_id, generation.template_version) == ("judge", "1")
    assert generation.input_tokens > 0 and generation.output_tokens > 0
    assert generation.attempts == 1
    assert generation.parameters["kept"] == 1 and generation.parameters["dropped"] == 1
    # the source's e-mail and phone, and the phone in each of the two posts
    assert generation.redacted == {"email": 1, "phone": 3}


def test_the_prompt_carries_no_personal_data_and_the_source_as_untrusted_data(
    fake: FakeOpenAI, settings: Settings
) -> None:
    fake.script(Reply.structured({"claims": []}))

    judge(fake, settings)

    (request,) = fake.requests
    sent = request.text()
    digits = re.sub(r"\D", "", PHONE)
    assert EMAIL not in sent and PHONE not in sent and digits not in re.sub(r"\D", "", sent)
    assert "[EMAIL_1]" in sent and "[PHONE_1]" in sent
    conversation = "\n".join(str(m["content"]) for m in request.messages)
    block = SOURCE_BLOCK.search(conversation)
    assert block is not None and block.group(2).startswith(EN_TITLE)
    assert f"<<<SOURCE {block.group(1)}>>>" in request.messages[0]["content"]  # named in system
    assert "- [linkedin]\nFerries between Port Alder" in conversation
    assert settings.brand.disclosure_for("en").long not in conversation  # the frame stays home
    assert request.json["response_format"]["json_schema"]["name"] == "Verdict"


def test_a_server_error_is_a_warning_and_the_review_goes_on(
    fake: FakeOpenAI, settings: Settings
) -> None:
    fake.script(Reply.failure(500, "boom"), Reply.failure(500, "boom"))
    waits: list[float] = []

    judgement = judge(fake, settings, waits)

    ((rule, severity, message),) = [(f.rule_id, f.severity, f.message) for f in judgement.findings]
    assert (rule, severity) == (STATUS_RULE, "warning")
    assert message.startswith(
        "The judge could not run: openai: OpenAI is unavailable (500): boom (after 2 attempts)"
    )
    assert judgement.error and judgement.generation is None
    assert len(fake.requests) == 2 and len(waits) == 1  # retried once, then gave up


@flow
def judge_thrice(staged_path: str, source: Source, providers: ProviderSettings) -> list[Judgement]:
    settings = load_settings()
    channels = {name: settings.channel(name) for name in ("linkedin", "x")}
    writer = OfflineWriter()
    plan = writer.plan_posts(source, writer.analyse_audience(source), settings.brand, channels)
    posts = writer.write_posts(source, plan, settings.brand, channels, Revision())
    staged = stage_bundle(Path(staged_path), source, posts, {}, channels)
    return [judge_posts_task(staged, source, settings.brand, "openai", providers) for _ in range(3)]


@pytest.mark.usefixtures("prefect_backend")
def test_the_task_is_cached_on_its_inputs_unless_the_judge_could_not_run(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    failing = Reply.failure(500, "boom", retry_after="0")
    fake.script(failing, failing, Reply.structured({"claims": []}))
    providers = ProviderSettings(text="openai", openai=openai_settings(fake))

    failed, judged, cached = judge_thrice(str(tmp_path / "staging"), SOURCE, providers)

    assert failed.error and failed.generation is None
    assert judged.error is None and judged.generation is not None
    assert judged.generation.cost_usd > 0  # priced with configs/pricing.yaml
    assert cached == judged
    assert len(fake.requests) == 3  # two failed attempts, one answer, then the cache
