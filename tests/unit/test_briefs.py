"""Briefs: one model for the YAML file and the Prefect form; a bad brief names every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pressroom.briefs import Brief, FileSource, NotesSource, UrlSource, load_brief
from pressroom.errors import BriefError
from tests.conftest import REPO_ROOT


def _write(folder: Path, data: object, name: str = "x.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["air-quality-fr.yaml", "seagrass-explainer-en.yaml"])
def test_the_shipped_example_briefs_load(name: str) -> None:
    brief = load_brief(REPO_ROOT / "briefs" / name)
    assert brief.id and brief.sources and brief.language in ("fr", "en")


def test_a_source_is_a_url_a_file_or_notes_without_saying_which(tmp_path: Path) -> None:
    (tmp_path / "facts.txt").write_text("facts", encoding="utf-8")
    path = _write(
        tmp_path,
        {
            "sources": [{"url": "https://example.org/a"}, {"file": "facts.txt"}, {"notes": "n"}],
            "goal": "Explain",
            "language": "en",
        },
    )
    brief = load_brief(path)
    url, file, notes = brief.sources
    assert isinstance(url, UrlSource) and url.url == "https://example.org/a"
    assert isinstance(file, FileSource) and Path(file.file) == (tmp_path / "facts.txt").resolve()
    assert isinstance(notes, NotesSource)
    assert brief.formats == ["posts"] and brief.brand == "default" and brief.urls() == [url.url]


def test_every_problem_is_named_with_its_file_and_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "sources": [
                {"url": "https://example.org/ok"},
                {"url": "ftp://example.org/x"},
                {"file": "missing.txt"},
                {"url": "https://example.org/b", "notes": "two kinds"},
            ],
            "goal": "",
            "channels": ["linkedin", "myspace"],
            "formats": ["posts", "podcast"],
            "language": "de",
            "brand": "acme",
            "surprise": True,
        },
    )
    with pytest.raises(BriefError) as refused:
        load_brief(path)
    lines = str(refused.value).splitlines()
    fields = [line.removeprefix(f"{path}: ").split(":")[0] for line in lines]
    assert all(line.startswith(f"{path}: ") for line in lines), lines
    assert sorted(fields) == sorted(
        [
            "sources[1].url",
            "sources[2].file",
            "sources[3]",
            "goal",
            "channels[1]",
            "formats[1]",
            "language",
            "brand",
            "surprise",
        ]
    )
    message = str(refused.value)
    assert "unknown channel 'myspace'; known channels: linkedin, x" in message
    assert "no brand 'acme'" in message and "known: default" in message
    assert "give exactly one of url, file or notes" in message


def test_a_brief_that_is_not_a_mapping_or_not_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BriefError, match="a brief is a mapping"):
        load_brief(_write(tmp_path, ["a", "list"]))
    broken = tmp_path / "broken.yaml"
    broken.write_text("goal: [unclosed", encoding="utf-8")
    with pytest.raises(BriefError, match="not valid YAML"):
        load_brief(broken)
    with pytest.raises(BriefError, match="no such brief file"):
        load_brief(tmp_path / "absent.yaml")


def test_the_form_schema_holds_the_constraints_the_ui_enforces() -> None:
    schema = Brief.model_json_schema()
    properties = schema["properties"]
    assert properties["language"]["enum"] == ["fr", "en"]
    assert set(properties["formats"]["items"]["enum"]) == {
        "posts",
        "article",
        "newsletter",
        "video",
        "voiceover",
    }
    sources = properties["sources"]
    assert sources["minItems"] == 1
    assert set(sources["items"]["discriminator"]["mapping"]) == {"url", "file", "notes"}
    assert schema["$defs"]["UrlSource"]["properties"]["url"]["pattern"] == r"^https?://\S+$"
    assert properties["goal"]["title"] == "Goal" and "description" in properties["audience"]


def test_a_slot_needs_its_zone(tmp_path: Path) -> None:
    data = {"sources": [{"notes": "n"}], "goal": "Explain", "language": "en"}
    naive = _write(tmp_path, {**data, "slot": "2026-10-19T10:00:00"}, "naive.yaml")
    with pytest.raises(BriefError, match=r"naive\.yaml: slot: Input should have timezone info"):
        load_brief(naive)
    aware = load_brief(_write(tmp_path, {**data, "slot": "2026-10-19T10:00:00+02:00"}))
    assert aware.slot is not None and aware.slot.utcoffset() is not None
