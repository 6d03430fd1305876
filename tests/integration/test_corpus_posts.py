"""Posts from every real page of the shared corpus: within each network's limits and with no
compliance blocker (the corpus is absent from a user's clone: these tests skip there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pressroom.channels import post_length
from pressroom.compliance import check_bundle
from pressroom.media.channel_cards import channel_cards
from pressroom.models import Revision
from pressroom.providers import image_provider, text_provider
from pressroom.publishing import read_bundle_content, stage_bundle
from pressroom.settings import load_settings
from pressroom.sources import extract_source
from pressroom.text import HASHTAG
from tests.integration.test_corpus_extraction import LANGUAGES, SCRIPT_RENDERED, corpus_page

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("name", sorted(set(LANGUAGES) - SCRIPT_RENDERED))
def test_corpus_page_gives_posts_within_limits_and_without_blockers(
    name: str, tmp_path: Path
) -> None:
    settings = load_settings()
    channels = {n: settings.channel(n) for n in settings.select_channels(None)}
    source = extract_source(corpus_page(name))
    writer = text_provider("offline")
    plan = writer.plan_posts(source, writer.analyse_audience(source), settings.brand, channels)
    posts = writer.write_posts(source, plan, settings.brand, channels, Revision())

    assert [p.channel for p in posts] == list(channels)
    for post in posts:
        cfg = channels[post.channel]
        assert 0 < post_length(post.text, cfg) <= cfg.max_chars, post.channel
        assert len(HASHTAG.findall(post.text)) <= cfg.max_hashtags, post.channel
        assert post.language == LANGUAGES[name]
        assert post.disclosure in post.text

    cards = channel_cards(image_provider("offline"), source, settings.brand, channels)
    staged = stage_bundle(tmp_path, source, posts, cards, channels)
    report = check_bundle(read_bundle_content(staged, source.text), settings.brand, channels)
    assert report.blockers == [], report.blockers
