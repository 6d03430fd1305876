"""`pressroom check`: every text rule on any draft, with exit codes a script can use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pressroom.cli import app
from tests.conftest import REPO_ROOT

SOURCE = str(REPO_ROOT / "assets" / "sample" / "article-en.html")
LABEL = "This content was drafted with the help of AI and reviewed by our team."
FAITHFUL = (
    "Seagrass is spreading again in Port Alder harbour: the meadow now covers 1.6 hectares, "
    f"up from the 1.2 hectares planted two years ago.\n\n{LABEL}"
)
INVENTED = "Seagrass now covers 9.5 hectares in Port Alder harbour, thanks to 400 volunteers."


def run(tmp_path: Path, text: str, *arguments: str) -> tuple[int, str]:
    draft = tmp_path / "draft.txt"
    draft.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["check", str(draft), "--source", SOURCE, "--channel", "linkedin", *arguments]
    )
    return result.exit_code, result.output


def test_a_faithful_labelled_draft_passes(tmp_path: Path) -> None:
    code, output = run(tmp_path, FAITHFUL)
    assert code == 0, output
    assert "no blocker" in output or "every check passed" in output


def test_an_invented_number_and_a_missing_label_are_blockers(tmp_path: Path) -> None:
    code, output = run(tmp_path, INVENTED)
    assert code == 1
    assert "H1" in output and "9.5" in output
    assert "R1" in output


def test_json_output_is_the_report(tmp_path: Path) -> None:
    code, output = run(tmp_path, INVENTED, "--json")
    report = json.loads(output)
    assert code == 1
    assert {"H1", "R1"} <= {f["rule_id"] for f in report["findings"]}


@pytest.mark.parametrize(
    "arguments",
    [
        ["check", "no-such-draft.txt", "--source", SOURCE],
        ["check", __file__, "--source", SOURCE, "--channel", "myspace"],
        ["check", __file__],
    ],
)
def test_bad_usage_exits_2(arguments: list[str]) -> None:
    assert CliRunner().invoke(app, arguments).exit_code == 2
