"""The bundle of record, built the project's own way: the shipped English sample article through
extraction, the offline writer and channel cards, then staged, checked, approved and published
locally."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from pressroom.compliance import check_bundle
from pressroom.media.channel_cards import channel_cards
from pressroom.models import Approval, CardImage, ChannelPost, FetchedPage, Revision, Source
from pressroom.providers import image_provider, text_provider
from pressroom.publishing import publish_local, read_bundle_content, stage_bundle
from pressroom.publishing.targets import PublishedBundle
from pressroom.settings import ChannelConfig, Settings, load_settings
from pressroom.sources import extract_source
from tests.conftest import REPO_ROOT


@dataclass(frozen=True)
class SampleArticle:
    settings: Settings
    channels: dict[str, ChannelConfig]
    source: Source
    posts: list[ChannelPost]
    cards: dict[str, CardImage]


def sample_article(url: str = "https://news.example.org/2025/03/seagrass") -> SampleArticle:
    """The shipped English sample article, written and illustrated by the offline providers."""
    settings = load_settings()
    channels = {name: settings.channel(name) for name in settings.select_channels(None)}
    body = (REPO_ROOT / "assets" / "sample" / "article-en.html").read_bytes()
    page = FetchedPage(url=url, final_url=url, status=200, content_type="text/html", body=body)
    source = extract_source(page, min_words=settings.pipeline.source.min_words)
    writer = text_provider("offline")
    plan = writer.plan_posts(source, writer.analyse_audience(source), settings.brand, channels)
    posts = writer.write_posts(source, plan, settings.brand, channels, Revision())
    cards = channel_cards(image_provider("offline"), source, settings.brand, channels)
    return SampleArticle(settings, channels, source, posts, cards)


def publish_sample(
    article: SampleArticle,
    folder: Path,
    *,
    cards: dict[str, CardImage] | None = None,
    reviewer: str = "Claire Vasseur",
    decided_at: datetime = datetime(2025, 3, 14, 16, 45, tzinfo=UTC),
    run_id: str | None = "run-1",
    gate: str = "social-round-0",
) -> PublishedBundle:
    """Stage the article (with `cards`, else its own) under folder/staging, check it, approve it
    and publish it locally to folder/out: the bundle of record, loaded back."""
    staged = stage_bundle(
        folder / "staging",
        article.source,
        article.posts,
        article.cards if cards is None else cards,
        article.channels,
    )
    content = read_bundle_content(staged, article.source.text)
    report = check_bundle(content, article.settings.brand, article.channels)
    approval = Approval(
        content_sha256=staged.content_sha256,
        reviewer=reviewer,
        decision="approve",
        run_id=run_id,
        gate=gate,
        decided_at=decided_at,
    )
    receipt = publish_local(staged, report, approval, folder / "out")
    return PublishedBundle.load(Path(unquote(urlparse(receipt.uri).path)))
