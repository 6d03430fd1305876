"""Editorial steps, each through the configured text provider (never a vendor SDK)."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact

from pressroom.models import (
    AudienceProfile,
    ChannelPost,
    EditorialPlan,
    Generation,
    Revision,
    Source,
)
from pressroom.providers import text_provider
from pressroom.settings import BrandConfig, ChannelConfig
from pressroom.text import code_block


@task(persist_result=True)
def analyse_audience(source: Source, provider: str) -> AudienceProfile:
    return text_provider(provider).analyse_audience(source)


@task(persist_result=True)
def plan_posts(
    source: Source,
    audience: AudienceProfile,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    provider: str,
) -> EditorialPlan:
    return text_provider(provider).plan_posts(source, audience, brand, channels)


@task(persist_result=True)
def write_posts(
    source: Source,
    plan: EditorialPlan,
    brand: BrandConfig,
    channels: dict[str, ChannelConfig],
    revision: Revision,
    provider: str,
) -> list[ChannelPost]:
    """Draft one post per channel; a reviewer's edit replaces the draft of its channel."""
    posts = text_provider(provider).write_posts(source, plan, brand, channels, revision)
    posts = [_apply_edit(post, revision) for post in posts]
    create_markdown_artifact(
        key="social-drafts",
        markdown="\n\n".join(f"### {p.channel}\n\n{code_block(p.text)}" for p in posts),
        description=f"Drafts, revision round {revision.round}",
    )
    return posts


def _apply_edit(post: ChannelPost, revision: Revision) -> ChannelPost:
    edited = revision.edits.get(post.channel)
    if edited is None or edited == post.text:
        return post
    return post.model_copy(
        update={
            "text": edited,
            "hashtags": [h for h in post.hashtags if h in edited],
            "generation": Generation(
                provider="human",
                model="reviewer-edit",
                template_id="edit",
                template_version="1",
                parameters={
                    "revision_round": revision.round,
                    "edited_from": post.generation.provider,
                },
            ),
        }
    )
