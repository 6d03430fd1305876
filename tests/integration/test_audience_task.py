"""The audience step as a Prefect task: its artifact, and its hint in the cache key."""

from __future__ import annotations

import uuid
from uuid import UUID

import pytest
from prefect import flow
from prefect.context import get_run_context

from pressroom.models import AudienceProfile, Source
from pressroom.settings import ProviderSettings
from tasks.editorial import analyse_audience
from tests.unit.conftest import EN_TEXT, EN_TITLE, make_source

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("prefect_backend")]

SOURCE = make_source(EN_TEXT, title=EN_TITLE, language="en")


@flow
def profile_twice(source: Source, hints: list[str]) -> tuple[list[AudienceProfile], str]:
    profiles = [analyse_audience(source, "offline", ProviderSettings(), hint) for hint in hints]
    return profiles, str(get_run_context().flow_run.id)  # type: ignore[union-attr]


def artifacts_of(run_id: str) -> list[str]:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(run_id)]))
        )
    return [str(a.data) for a in artifacts if a.key == "audience"]


def test_the_audience_task_leaves_its_artifact_and_keys_its_cache_on_the_hint() -> None:
    marker = uuid.uuid4().hex[:8]  # no earlier run of the session has these inputs
    hint = f"Island commuters ({marker}) who find ferry tickets too expensive"

    (with_hint, again, without), run_id = profile_twice(SOURCE, [hint, hint, f"{marker}"])

    assert again == with_hint  # the same inputs: served from the cache
    assert with_hint.summary != without.summary  # another hint: another profile
    assert with_hint.objections[0].endswith("(audience hint)")
    shown = artifacts_of(run_id)
    assert len(shown) == 2  # the cached call made none
    [markdown] = [text for text in shown if "expensive" in text]
    assert f"**Audience hint (from the brief):** {hint}" in markdown
    for objection in with_hint.objections:
        assert f"* {objection}" in markdown
    for part in ("**Needs:**", "**Vocabulary:**", "**Reading level:** general"):
        assert part in markdown
