"""Video scripts: loading, validation errors a user can act on, the content key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pressroom.errors import ScriptError
from pressroom.media.script import Scene, VideoScript, load_script
from pressroom.paths import assets_dir

GOOD = """\
language: fr
title: "Qualité de l’air à Montreval"
scenes:
  - narration: Depuis le 1er mars, deux cents foyers mesurent les particules fines.
    visual: Un capteur fixé à un balcon
    duration_hint: 8
  - narration: Une carte est mise à jour chaque heure.
    visual: Une carte de la ville
"""


def write(tmp_path: Path, text: str, name: str = "script.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ScriptError) as caught:
        load_script(path)
    return str(caught.value)


def test_a_good_script_loads_with_its_scenes_in_order(tmp_path: Path) -> None:
    script = load_script(write(tmp_path, GOOD))

    assert script.language == "fr"
    assert script.title == "Qualité de l’air à Montreval"
    assert [scene.visual for scene in script.scenes] == [
        "Un capteur fixé à un balcon",
        "Une carte de la ville",
    ]
    assert script.scenes[0].duration_hint == 8.0
    assert script.scenes[1].duration_hint is None
    assert script.source is None


@pytest.mark.parametrize(
    ("name", "language", "article"),
    [("script-fr.yaml", "fr", "article.html"), ("script-en.yaml", "en", "article-en.html")],
)
def test_the_sample_scripts_load_grounded_in_their_sample_article(
    name: str, language: str, article: str
) -> None:
    script = load_script(assets_dir() / "sample" / name)

    assert script.language == language
    assert len(script.scenes) == 3
    assert script.source == str((assets_dir() / "sample" / article).resolve())
    words = sum(len(scene.narration.split()) for scene in script.scenes)
    assert 60 <= words <= 80  # about 25-30 s at a narrator's 150 words a minute


@pytest.mark.parametrize("scenes", ["scenes: []", ""], ids=["empty-list", "missing"])
def test_a_script_without_scenes_is_refused(tmp_path: Path, scenes: str) -> None:
    path = write(tmp_path, f"language: en\n{scenes}\n")

    message = error_of(path)

    assert message.startswith(f"{path}: ")
    assert re.search(r"scenes: (no scenes|missing)", message)


def test_an_empty_narration_is_named_by_file_scene_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "language: en\nscenes:\n"
        "  - {narration: First words., visual: A harbour}\n"
        "  - {narration: '  ', visual: A diver}\n",
    )

    assert error_of(path) == f"{path}: scenes[2].narration: empty"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "language: english please\nscenes:\n"
        "  - {narration: '', visual: ''}\n"
        "  - {narration: 2025, visual: A diver, duration_hint: -1}\n",
    )

    message = error_of(path)

    for problem in (
        "language: 'english please' is not a language tag such as fr, en or fr-CA",
        "scenes[1].narration: empty",
        "scenes[1].visual: empty",
        "scenes[2].narration: must be text, got 2025 (quote it in the YAML)",
        "scenes[2].duration_hint: Input should be greater than 0",
    ):
        assert problem in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "language: en\nvoice: joe\nscenes: [{narration: Hi., visual: A wave}]\n",
            "voice: unknown field (a script has language, title, scenes, source)",
        ),
        (
            "language: en\nscenes: [{narration: Hi., visual: A wave, music: calm}]\n",
            "scenes[1].music: unknown field (a scene has narration, visual, duration_hint)",
        ),
    ],
    ids=["in-the-script", "in-a-scene"],
)
def test_an_unknown_field_is_refused_with_the_known_ones(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)

    assert error_of(path) == f"{path}: {expected}"


def test_bad_yaml_is_refused_with_the_file_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "language: en\nscenes:\n  - narration: [unclosed\n")

    message = error_of(path)

    assert message.startswith(f"{path}: not valid YAML:")
    assert "line 4" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "this file holds nothing"),
        ("- narration: Hi.\n  visual: A wave\n", "put the scenes under a 'scenes:' key"),
        ("language: en\nscenes: A wave\n", "scenes: must be a list of scenes"),
        ("language: en\nscenes: [A wave]\n", "scenes[1]: must be a mapping with narration"),
    ],
    ids=["empty-file", "a-list", "scenes-not-a-list", "scene-not-a-mapping"],
)
def test_a_file_of_the_wrong_shape_says_what_a_script_looks_like(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert expected in error_of(write(tmp_path, text))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert error_of(tmp_path / "nowhere.yaml") == f"{tmp_path / 'nowhere.yaml'}: file not found"


def test_a_file_source_is_read_beside_the_script_and_must_exist(tmp_path: Path) -> None:
    (tmp_path / "article.html").write_text("<p>Hi</p>")
    scenes = "scenes: [{narration: Hi., visual: A wave}]\n"

    script = load_script(write(tmp_path, f"language: en\nsource: article.html\n{scenes}"))
    missing = write(tmp_path, f"language: en\nsource: gone.html\n{scenes}", name="other.yaml")

    assert script.source == str(tmp_path / "article.html")
    assert error_of(missing) == f"{missing}: source: file not found: {tmp_path / 'gone.html'}"


def test_a_source_url_is_kept_and_only_the_web_is_accepted(tmp_path: Path) -> None:
    scenes = "scenes: [{narration: Hi., visual: A wave}]\n"
    url = "https://example.org/article"

    script = load_script(write(tmp_path, f"language: en\nsource: {url}\n{scenes}"))
    ftp = write(tmp_path, f"language: en\nsource: ftp://example.org/a\n{scenes}", name="ftp.yaml")

    assert script.source == url
    assert "source: 'ftp://example.org/a': only http(s) URLs or file paths" in error_of(ftp)


def test_language_tags_are_written_one_way() -> None:
    scenes = [Scene(narration="Hi.", visual="A wave", duration_hint=None)]

    assert [VideoScript(language=tag, scenes=scenes).language for tag in ("FR", "fr_ca")] == [
        "fr",
        "fr-CA",
    ]


def test_the_content_key_ignores_layout_and_source_but_not_content(tmp_path: Path) -> None:
    folded = GOOD.replace(
        "  - narration: Depuis le 1er mars, deux cents foyers mesurent les particules fines.",
        "  - narration: >-\n      Depuis le 1er mars, deux cents foyers\n"
        "      mesurent   les particules fines.",
    )
    (tmp_path / "article.html").write_text("<p>Source</p>")
    with_source = folded.replace("language: fr\n", "language: fr\nsource: article.html\n")
    changed = GOOD.replace("chaque heure", "chaque jour")

    key = load_script(write(tmp_path, GOOD)).content_key()

    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert load_script(write(tmp_path, with_source, name="folded.yaml")).content_key() == key
    assert load_script(write(tmp_path, changed, name="changed.yaml")).content_key() != key
