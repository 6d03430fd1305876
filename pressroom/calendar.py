"""The weekly plan (`configs/calendar.yaml`): a brief per slot, a slot being a weekday and a
local time in an explicit timezone, plus how the weekly batch runs them.

Brief files are named relative to the calendar's folder (`../briefs/x.yaml`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pressroom.briefs import Brief, brief_from_data, load_brief
from pressroom.errors import BriefError, ConfigError
from pressroom.schedule import local_time
from pressroom.settings import WEEKDAYS, LocalTime, Weekday, default_config_dir, load_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlotConfig(_Strict):
    day: Weekday
    time: LocalTime
    brief: str | dict[str, Any] = Field(
        description="A brief file (relative to the calendar's folder) or the brief itself"
    )


class BatchSettings(_Strict):
    concurrency: int = Field(default=2, ge=1, le=32, description="Briefs running at once")
    settle_timeout_minutes: float = Field(
        default=120,
        gt=0,
        description="How long the weekly run waits for a brief to publish, fail or reach review",
    )
    poll_seconds: float = Field(default=5, gt=0, le=300)


class CalendarFile(_Strict):
    timezone: str = "Europe/Paris"
    batch: BatchSettings = BatchSettings()
    slots: list[SlotConfig] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {name!r} (an IANA name, e.g. Europe/Paris)"
            ) from None
        return name


class Slot(BaseModel):
    model_config = ConfigDict(frozen=True)

    day: Weekday
    time: time
    brief: Brief


class Calendar(BaseModel):
    model_config = ConfigDict(frozen=True)

    timezone: str
    batch: BatchSettings
    slots: list[Slot]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def default_calendar_path() -> Path:
    return default_config_dir() / "calendar.yaml"


def load_calendar(path: Path | None = None, config_dir: Path | None = None) -> Calendar:
    """The calendar with every slot's brief loaded; BriefError names every bad slot's problems."""
    path = path or default_calendar_path()
    try:
        raw = load_model(path, CalendarFile)
    except ConfigError as error:
        raise BriefError(str(error)) from None
    slots: list[Slot] = []
    problems: list[str] = []
    for i, slot in enumerate(raw.slots):
        try:
            brief = _slot_brief(slot, f"{path}: slots[{i}].brief", path.parent, config_dir)
        except BriefError as error:
            problems.append(str(error))
            continue
        slots.append(Slot(day=slot.day, time=slot.time, brief=brief))
    if problems:
        raise BriefError("\n".join(problems))
    return Calendar(timezone=raw.timezone, batch=raw.batch, slots=slots)


def _slot_brief(slot: SlotConfig, where: str, folder: Path, config_dir: Path | None) -> Brief:
    if isinstance(slot.brief, str):
        file = folder / slot.brief
        brief = load_brief(file, config_dir)
        default_id = file.stem
    else:
        brief = brief_from_data(slot.brief, where, folder, config_dir)
        default_id = f"{slot.day}-{slot.time:%H%M}"
    return brief if brief.id else brief.model_copy(update={"id": default_id})


def briefs_for_week(calendar: Calendar, week_start: date) -> list[tuple[datetime, Brief]]:
    """Every slot of the 7 days from `week_start`, in time order; the calendar's slot is the
    brief's publication slot (it replaces one the brief file may carry)."""
    runs: list[tuple[datetime, Brief]] = []
    for slot in calendar.slots:
        offset = (WEEKDAYS.index(slot.day) - week_start.weekday()) % 7
        when = local_time(week_start + timedelta(days=offset), slot.time, calendar.zone)
        runs.append((when, slot.brief.model_copy(update={"slot": when})))
    return sorted(runs, key=lambda run: run[0])


def coming_week_start(now: datetime, zone: ZoneInfo) -> date:
    """Today if it is a Monday where the calendar lives, else next Monday."""
    today = now.astimezone(zone).date()
    return today + timedelta(days=(7 - today.weekday()) % 7)
