"""Configuration loading: the shipped configs load; every mistake names the file and the field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pressroom.errors import ConfigError
from pressroom.settings import (
    PROJECT_ROOT,
    ChannelsFile,
    PipelineConfig,
    Settings,
    default_config_dir,
    load_model,
    load_settings,
)

SHIPPED = PROJECT_ROOT / "configs"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped `configs/`, free to break."""
    target = tmp_path / "configs"
    shutil.copytree(SHIPPED, target)
    return target


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def config_error(config_dir: Path, brand: str = "default") -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(brand, config_dir=config_dir)
    return str(caught.value)


# ---------------------------------------------------------------- the shipped configuration


def test_shipped_configs_load(settings: Settings) -> None:
    assert settings.config_dir == SHIPPED
    assert list(settings.channels) == [
        "linkedin",
        "x",
        "instagram",
        "facebook",
        "tiktok",
        "youtube",
    ]
    assert settings.pipeline.default_channels == list(settings.channels)[:5]  # YouTube: videos
    assert settings.pipeline.video.channels == ["tiktok", "instagram", "youtube"]
    assert settings.channel("youtube").ai_flag == "containsSyntheticMedia"
    assert settings.brand.name == "Pressroom Demo"
    assert settings.channel("x").counting == "twitter"
    assert settings.channel("x").max_chars == 280
    assert settings.channel("instagram").link_policy == "bio"
    assert settings.channel("tiktok").link_policy == "none"
    assert settings.brand.disclosure_for("fr").short == "Contenu généré par IA"


def test_every_shipped_channel_aims_within_its_limit(settings: Settings) -> None:
    for name, channel in settings.channels.items():
        assert 0 < channel.target_chars <= channel.max_chars, name


def test_unknown_language_falls_back_to_english(settings: Settings) -> None:
    brand = settings.brand
    assert brand.disclosure_for("pt") == brand.disclosure["en"]
    assert brand.localized(brand.call_to_action, "pt") == brand.call_to_action["en"]
    assert brand.localized(brand.call_to_action, "fr") == "Lire l'article complet :"


def test_config_dir_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, config_dir: Path
) -> None:
    monkeypatch.setenv("PRESSROOM_CONFIG_DIR", str(config_dir))
    assert default_config_dir() == config_dir
    assert load_settings().config_dir == config_dir
    monkeypatch.delenv("PRESSROOM_CONFIG_DIR")
    assert default_config_dir() == SHIPPED


def test_load_model_validates_one_file() -> None:
    channels = load_model(SHIPPED / "channels.yaml", ChannelsFile)
    assert channels.channels["linkedin"].max_chars == 3000
    pipeline = load_model(SHIPPED / "pipeline.yaml", PipelineConfig)
    assert pipeline.review.max_revision_rounds == 3


# ---------------------------------------------------------------- errors name file and field


def test_broken_yaml_names_the_file(config_dir: Path) -> None:
    path = config_dir / "channels.yaml"
    path.write_text("channels:\n  x: [unclosed\n", encoding="utf-8")
    message = config_error(config_dir)
    assert message.startswith(f"{path}: ")
    assert "not valid YAML" in message


def test_missing_file_names_the_file(config_dir: Path) -> None:
    path = config_dir / "pipeline.yaml"
    path.unlink()
    message = config_error(config_dir)
    assert str(path) in message
    assert "not found" in message


def test_missing_field_names_file_and_dotted_field(config_dir: Path) -> None:
    path = config_dir / "channels.yaml"
    edit_yaml(path, lambda data: data["channels"]["linkedin"].pop("label"))
    message = config_error(config_dir)
    assert str(path) in message
    assert "channels.linkedin.label" in message
    assert "required" in message.lower()


def test_empty_file_reports_its_required_fields(config_dir: Path) -> None:
    path = config_dir / "pipeline.yaml"
    path.write_text("", encoding="utf-8")
    message = config_error(config_dir)
    assert str(path) in message
    assert "default_channels" in message


@pytest.mark.parametrize("bad_value", [-1, 0, "abc", 12.5])
def test_bad_max_chars_names_file_and_dotted_field(config_dir: Path, bad_value: object) -> None:
    path = config_dir / "channels.yaml"
    edit_yaml(path, lambda data: data["channels"]["x"].update(max_chars=bad_value))
    message = config_error(config_dir)
    assert str(path) in message
    assert "channels.x.max_chars" in message


def test_unknown_field_is_refused_by_name(config_dir: Path) -> None:
    path = config_dir / "channels.yaml"
    edit_yaml(path, lambda data: data["channels"]["x"].update(max_char=300))  # a typo
    message = config_error(config_dir)
    assert str(path) in message
    assert "channels.x.max_char" in message


def test_bad_link_policy_names_file_and_field(config_dir: Path) -> None:
    path = config_dir / "channels.yaml"
    edit_yaml(path, lambda data: data["channels"]["instagram"].update(link_policy="maybe"))
    message = config_error(config_dir)
    assert str(path) in message
    assert "channels.instagram.link_policy" in message


def test_target_above_limit_names_file_channel_and_both_fields(config_dir: Path) -> None:
    path = config_dir / "channels.yaml"
    edit_yaml(path, lambda data: data["channels"]["x"].update(target_chars=300))
    message = config_error(config_dir)
    assert str(path) in message
    assert "channels.x" in message
    assert "target_chars (300)" in message
    assert "max_chars (280)" in message


def test_unknown_default_channel_names_pipeline_file_and_field(config_dir: Path) -> None:
    path = config_dir / "pipeline.yaml"
    edit_yaml(path, lambda data: data.update(default_channels=["linkedin", "mastodon"]))
    message = config_error(config_dir)
    assert str(path) in message
    assert "default_channels" in message
    assert "mastodon" in message
    assert "linkedin'" not in message  # only the unknown one is blamed


def test_empty_default_channels_is_refused(config_dir: Path) -> None:
    path = config_dir / "pipeline.yaml"
    edit_yaml(path, lambda data: data.update(default_channels=[]))
    message = config_error(config_dir)
    assert str(path) in message
    assert "default_channels" in message


def test_bad_pipeline_number_names_the_nested_field(config_dir: Path) -> None:
    path = config_dir / "pipeline.yaml"
    edit_yaml(path, lambda data: data["review"].update(max_revision_rounds=99))
    message = config_error(config_dir)
    assert str(path) in message
    assert "review.max_revision_rounds" in message


@pytest.mark.parametrize("colour", ["#fff", "f4b942", "#f4b94z", "yellow"])
def test_bad_colour_names_brand_file_and_field(config_dir: Path, colour: str) -> None:
    path = config_dir / "brands" / "default.yaml"
    edit_yaml(path, lambda data: data["colors"].update(accent=colour))
    message = config_error(config_dir)
    assert str(path) in message
    assert "colors.accent" in message


def test_hashtag_without_hash_names_brand_file_and_field(config_dir: Path) -> None:
    path = config_dir / "brands" / "default.yaml"
    edit_yaml(path, lambda data: data.update(signature_hashtags=["Pressroom"]))
    message = config_error(config_dir)
    assert str(path) in message
    assert "signature_hashtags" in message
    assert "Pressroom" in message


def test_brand_without_english_disclosure_is_refused(config_dir: Path) -> None:
    path = config_dir / "brands" / "default.yaml"
    edit_yaml(path, lambda data: data["disclosure"].pop("en"))
    message = config_error(config_dir)
    assert str(path) in message
    assert "disclosure" in message
    assert "'en'" in message


def test_too_short_disclosure_names_the_dotted_field(config_dir: Path) -> None:
    path = config_dir / "brands" / "default.yaml"
    edit_yaml(path, lambda data: data["disclosure"]["fr"].update(short="."))
    message = config_error(config_dir)
    assert str(path) in message
    assert "disclosure.fr.short" in message


def test_unknown_brand_names_the_missing_file_and_lists_the_brands(config_dir: Path) -> None:
    message = config_error(config_dir, brand="acme")
    assert str(config_dir / "brands" / "acme.yaml") in message
    assert "no such brand" in message
    assert "default" in message


def test_second_brand_is_found(config_dir: Path) -> None:
    shutil.copy(config_dir / "brands" / "default.yaml", config_dir / "brands" / "acme-news.yaml")
    edit_yaml(config_dir / "brands" / "acme-news.yaml", lambda data: data.update(name="Acme"))
    assert load_settings("acme-news", config_dir=config_dir).brand.name == "Acme"


@pytest.mark.parametrize("brand", ["../default", "brands/default", "default.yaml", ""])
def test_brand_name_cannot_be_a_path(config_dir: Path, brand: str) -> None:
    message = config_error(config_dir, brand=brand)
    assert "brand name" in message


# ---------------------------------------------------------------- channel selection


def test_select_channels_keeps_config_order(settings: Settings) -> None:
    assert settings.select_channels(["tiktok", "x", "linkedin"]) == ["linkedin", "x", "tiktok"]
    assert settings.select_channels(["instagram"]) == ["instagram"]


def test_select_channels_defaults_to_the_pipeline_defaults(config_dir: Path) -> None:
    edit_yaml(
        config_dir / "pipeline.yaml", lambda data: data.update(default_channels=["tiktok", "x"])
    )
    settings = load_settings(config_dir=config_dir)
    assert settings.select_channels(None) == ["x", "tiktok"]
    assert settings.select_channels([]) == ["x", "tiktok"]


def test_select_channels_refuses_unknown_names(settings: Settings) -> None:
    with pytest.raises(ConfigError) as caught:
        settings.select_channels(["x", "mastodon", "threads"])
    message = str(caught.value)
    assert "mastodon" in message
    assert "threads" in message
    assert "linkedin" in message  # the known channels are listed
