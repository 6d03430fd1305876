"""The markdown a reviewer reads: every post verbatim, the hash, the findings, the cards."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from pressroom.channels import post_length
from pressroom.compliance import check_bundle
from pressroom.models import CardImage, ChannelPost, ComplianceReport, Finding, Source, StagedBundle
from pressroom.publishing import read_bundle_content, stage_bundle
from pressroom.review import compliance_table, review_description, thumbnail_data_uri
from pressroom.settings import Settings

WriteFn = Callable[..., list[ChannelPost]]
CardFn = Callable[..., CardImage]
DATA_URI = re.compile(r"!\[([^\]]*)\]\((data:image/jpeg;base64,([A-Za-z0-9+/=]+))\)")


@pytest.fixture
def staged(
    tmp_path: Path,
    fr_source: Source,
    write: WriteFn,
    fake_card: CardFn,
    settings: Settings,
) -> tuple[list[ChannelPost], dict[str, CardImage], StagedBundle]:
    posts = write(fr_source)
    cards = {p.channel: fake_card(alt_text=f"Carte {p.channel} | Montreval") for p in posts}
    return posts, cards, stage_bundle(tmp_path, fr_source, posts, cards, settings.channels)


def post_sections(text: str, settings: Settings) -> dict[str, str]:
    """channel -> its part of the description, from its "<label> · n/max characters" line on."""
    by_label = {cfg.label: name for name, cfg in settings.channels.items()}
    heading = re.compile(
        r"^[^\w\n]*(?P<label>[\w ]+?)[^\w\n]* · (?P<n>\d+)/(?P<max>\d+) characters$", re.M
    )
    matches = list(heading.finditer(text))
    sections = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        sections[by_label[match["label"]]] = text[match.start() : end]
    return sections


def describe(
    source: Source,
    posts: list[ChannelPost],
    cards: dict[str, CardImage],
    staged: StagedBundle,
    report: ComplianceReport,
    settings: Settings,
) -> str:
    return review_description(
        source=source,
        posts=posts,
        cards=cards,
        channels=settings.channels,
        report=report,
        staged=staged,
        round_=1,
        max_rounds=3,
        destination="the local folder out/",
    )


def test_description_shows_every_post_verbatim_and_the_hash(
    fr_source: Source,
    staged: tuple[list[ChannelPost], dict[str, CardImage], StagedBundle],
    settings: Settings,
) -> None:
    posts, cards, bundle = staged
    report = ComplianceReport(content_sha256=bundle.content_sha256)
    text = describe(fr_source, posts, cards, bundle, report, settings)
    sections = post_sections(text, settings)
    assert list(sections) == [p.channel for p in posts]
    for post in posts:
        cfg = settings.channel(post.channel)
        assert f"```text\n{post.text}\n```" in sections[post.channel]
        assert (
            f" · {post_length(post.text, cfg)}/{cfg.max_chars} characters" in sections[post.channel]
        )
    assert f"`{bundle.content_sha256[:12]}`" in text
    assert fr_source.title in text
    assert fr_source.url in text
    assert "revision round 1 of 3" in text
    assert "the local folder out/" in text
    assert "No findings" in text
    assert "did not understand" not in text


def test_description_has_one_thumbnail_per_card(
    fr_source: Source,
    staged: tuple[list[ChannelPost], dict[str, CardImage], StagedBundle],
    settings: Settings,
) -> None:
    posts, cards, bundle = staged
    report = ComplianceReport(content_sha256=bundle.content_sha256)
    without_tiktok = {c: card for c, card in cards.items() if c != "tiktok"}
    text = describe(fr_source, posts, without_tiktok, bundle, report, settings)
    images = DATA_URI.findall(text)
    assert len(images) == len(without_tiktok) == 4
    for alt, _uri, payload in images:
        assert alt.startswith("Carte ")
        assert "\\|" in alt  # a pipe in alt text cannot break the markdown
        with Image.open(io.BytesIO(base64.b64decode(payload))) as thumbnail:
            assert thumbnail.format == "JPEG"
    # each thumbnail sits in its own post's section
    sections = post_sections(text, settings)
    assert {c: len(DATA_URI.findall(s)) for c, s in sections.items()} == {
        "linkedin": 1,
        "x": 1,
        "instagram": 1,
        "facebook": 1,
        "tiktok": 0,
    }
    assert "Carte x" in DATA_URI.search(sections["x"])[1]


def test_thumbnail_is_shrunk_to_the_thumbnail_width() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (1200, 627), "#12263a").save(buffer, format="PNG")
    uri = thumbnail_data_uri(buffer.getvalue())
    assert uri.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))) as thumbnail:
        assert thumbnail.size == (240, 125)


def test_description_lists_blockers_before_warnings(
    fr_source: Source,
    staged: tuple[list[ChannelPost], dict[str, CardImage], StagedBundle],
    settings: Settings,
) -> None:
    posts, cards, bundle = staged
    # instagram: a banned term (S1 blocker) and a URL (L3 warning); x: blank alt text (A1 warning)
    instagram = posts[2]
    assert instagram.channel == "instagram"
    extra = "\n\nUn résultat miracle ! https://example.org/y"
    bad = [*posts[:2], instagram.model_copy(update={"text": instagram.text + extra}), *posts[3:]]
    bad_cards = {**cards, "x": cards["x"].model_copy(update={"alt_text": " "})}
    restaged = stage_bundle(
        Path(bundle.path).parent,
        fr_source,
        bad,
        bad_cards,
        settings.channels,
    )
    report = check_bundle(
        read_bundle_content(restaged, fr_source.text), settings.brand, settings.channels
    )
    assert report.blockers and report.warnings
    text = describe(fr_source, bad, bad_cards, restaged, report, settings)
    rows = [line for line in text.splitlines() if line.startswith("| ⛔") or line.startswith("| ⚠")]
    assert len(rows) == len(report.findings)
    kinds = ["blocker" if row.startswith("| ⛔") else "warning" for row in rows]
    assert kinds == sorted(kinds)  # "blocker" < "warning"
    assert kinds.count("blocker") == len(report.blockers)
    assert "blocker(s): this content cannot be published" in text
    assert any("| S1 | instagram |" in row and "[miracle]" in row for row in rows)
    assert any("| L3 | instagram |" in row for row in rows)
    assert any("| A1 | x image |" in row for row in rows)
    assert f"`{restaged.content_sha256[:12]}`" in text


def test_compliance_table_without_blockers() -> None:
    report = ComplianceReport(
        content_sha256="0" * 64,
        findings=[
            Finding(
                rule_id="L3",
                severity="warning",
                message="Links | are not clickable",
                evidence="a\nb",
                location="instagram",
            )
        ],
    )
    table = compliance_table(report)
    assert table.startswith("✅ **No blockers.**")
    assert "| L3 | instagram | Links \\| are not clickable | a b |" in table


def test_description_reports_comments_not_understood(
    fr_source: Source,
    write: WriteFn,
    fake_card: CardFn,
    settings: Settings,
    tmp_path: Path,
) -> None:
    posts = write(fr_source, "plus court\nFaites-le rimer\nx: ajoutez une blague", round_=1)
    bundle = stage_bundle(tmp_path, fr_source, posts, {}, settings.channels)
    report = ComplianceReport(content_sha256=bundle.content_sha256)
    text = describe(fr_source, posts, {}, bundle, report, settings)
    line = next(line for line in text.splitlines() if "did not understand" in line)
    assert "“Faites-le rimer”" in line
    assert "“ajoutez une blague”" in line
    assert "plus court" not in line
    assert line.count("“Faites-le rimer”") == 1  # one mention, however many posts carry it
    assert "x: shorter" in text  # the offline writer's help is shown
