"""`pressroom estimate`: a local article, the configured providers, no network."""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pressroom.cli import app
from pressroom.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "assets" / "sample" / "article.html"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt fails the test: the estimate reads a local file and calls nobody."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("estimate tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def openai_config(tmp_path: Path) -> Path:
    """A copy of configs/ whose pipeline writes with OpenAI."""
    config_dir = tmp_path / "configs"
    shutil.copytree(PROJECT_ROOT / "configs", config_dir)
    pipeline_path = config_dir / "pipeline.yaml"
    pipeline = yaml.safe_load(pipeline_path.read_text(encoding="utf-8"))
    pipeline["providers"]["text"] = "openai"
    pipeline_path.write_text(yaml.safe_dump(pipeline), encoding="utf-8")
    return config_dir


def run_estimate(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["estimate", str(SAMPLE), *args], env=env)
    return result.exit_code, result.output


def test_offline_providers_cost_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRESSROOM_CONFIG_DIR", raising=False)
    code, output = run_estimate()
    assert code == 0, output
    assert "embedded providers: no cost" in output
    assert re.search(r"^total\s.*\$0$", output, re.M), output


def test_an_openai_writer_costs_something_for_the_posts(openai_config: Path) -> None:
    env = {"PRESSROOM_CONFIG_DIR": str(openai_config), "OPENAI_API_KEY": "sk-test"}
    code, output = run_estimate("--channels", "x,linkedin", "--rounds", "2", env=env)
    assert code == 0, output
    posts = re.search(r"^posts\s+openai\s+gpt-4o-mini\s+(\d+)\s.*\s(\$\S+)\s*$", output, re.M)
    assert posts, output
    calls, cost = posts.groups()
    assert calls == "4"  # 2 channels x 2 rounds
    assert cost not in ("$0", "<$0.0001")
    assert "embedded providers" not in output
    assert "prices as of" in output


def test_a_missing_file_is_an_error_not_a_fetch() -> None:
    result = CliRunner().invoke(app, ["estimate", "no-such-article.html"])
    assert result.exit_code == 1
    assert "no such file" in result.output
