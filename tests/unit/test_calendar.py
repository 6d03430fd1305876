"""The weekly calendar: slots in an explicit timezone, expanded into one week's runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from pressroom.calendar import briefs_for_week, coming_week_start, load_calendar
from pressroom.errors import BriefError
from tests.conftest import REPO_ROOT

PARIS = ZoneInfo("Europe/Paris")


def _calendar(folder: Path, slots: list[dict[str, object]], **extra: object) -> Path:
    path = folder / "calendar.yaml"
    path.write_text(yaml.safe_dump({"slots": slots, **extra}), encoding="utf-8")
    return path


def _inline(goal: str) -> dict[str, object]:
    return {"sources": [{"notes": goal}], "goal": goal, "language": "fr"}


def test_the_shipped_calendar_loads_with_file_and_inline_briefs() -> None:
    calendar = load_calendar(REPO_ROOT / "configs" / "calendar.yaml")
    assert calendar.timezone == "Europe/Paris"
    ids = [slot.brief.id for slot in calendar.slots]
    assert ids == ["qualite-air-montreval", "sensors-weekly-recap"]


def test_a_week_across_the_october_dst_change_keeps_local_times(tmp_path: Path) -> None:
    path = _calendar(
        tmp_path,
        [
            {"day": "sunday", "time": "09:00", "brief": _inline("dimanche")},
            {"day": "monday", "time": "09:00", "brief": _inline("lundi")},
        ],
    )
    # 2026-10-25 is the last Sunday of October: CEST (+02:00) becomes CET (+01:00).
    week = briefs_for_week(load_calendar(path), date(2026, 10, 19))
    (monday, first), (sunday, second) = week
    assert (first.goal, second.goal) == ("lundi", "dimanche")
    assert monday == datetime(2026, 10, 19, 9, tzinfo=PARIS) and sunday.date() == date(2026, 10, 25)
    assert monday.astimezone(UTC).hour == 7 and sunday.astimezone(UTC).hour == 8
    assert (monday.timetz(), sunday.timetz()) == (time(9, tzinfo=PARIS), time(9, tzinfo=PARIS))
    assert first.slot == monday and first.id == "monday-0900"


def test_a_slot_skipped_by_the_march_dst_change_moves_forward(tmp_path: Path) -> None:
    path = _calendar(
        tmp_path,
        [
            {"day": "sunday", "time": "02:30", "brief": _inline("nuit")},
            {"day": "saturday", "time": "02:30", "brief": _inline("veille")},
        ],
    )
    # 2027-03-28 is the last Sunday of March: 02:00 CET jumps to 03:00 CEST.
    (saturday, _), (sunday, _) = briefs_for_week(load_calendar(path), date(2027, 3, 22))
    assert saturday.astimezone(UTC) == datetime(2027, 3, 27, 1, 30, tzinfo=UTC)
    assert sunday.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert (sunday.hour, sunday.minute, sunday.utcoffset()) == (3, 30, PARIS.utcoffset(sunday))


def test_a_week_may_start_on_any_day_and_times_may_be_unquoted(tmp_path: Path) -> None:
    path = tmp_path / "calendar.yaml"
    path.write_text(
        "timezone: America/New_York\nslots:\n"
        "  - {day: monday, time: 10:00, brief: {sources: [{notes: n}], goal: g, language: en}}\n",
        encoding="utf-8",
    )
    [(when, _)] = briefs_for_week(load_calendar(path), date(2026, 6, 3))  # a Wednesday
    assert when == datetime(2026, 6, 8, 10, tzinfo=ZoneInfo("America/New_York"))


def test_every_bad_slot_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"goal": "g", "language": "fr"}))
    path = _calendar(
        tmp_path,
        [
            {"day": "monday", "time": "09:00", "brief": "bad.yaml"},
            {"day": "tuesday", "time": "09:00", "brief": {**_inline("x"), "channels": ["fax"]}},
        ],
    )
    with pytest.raises(BriefError) as refused:
        load_calendar(path)
    message = str(refused.value)
    assert f"{tmp_path / 'bad.yaml'}: sources: Field required" in message
    assert f"{path}: slots[1].brief: channels[0]: unknown channel 'fax'" in message


def test_a_bad_timezone_or_weekday_is_refused(tmp_path: Path) -> None:
    path = _calendar(
        tmp_path,
        [{"day": "funday", "time": "09:00", "brief": _inline("x")}],
        timezone="Mars/Olympus",
    )
    with pytest.raises(BriefError) as refused:
        load_calendar(path)
    assert "timezone: Value error, unknown timezone 'Mars/Olympus'" in str(refused.value)
    assert "slots.0.day" in str(refused.value)


def test_the_coming_week_starts_today_on_a_monday_else_next_monday() -> None:
    monday_morning = datetime(2026, 10, 19, 7, 0, tzinfo=UTC)  # 09:00 in Paris
    assert coming_week_start(monday_morning, PARIS) == date(2026, 10, 19)
    sunday_late = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # already Monday in Paris
    assert coming_week_start(sunday_late, PARIS) == date(2026, 10, 26)
    assert coming_week_start(datetime(2026, 10, 21, 12, tzinfo=UTC), PARIS) == date(2026, 10, 26)
