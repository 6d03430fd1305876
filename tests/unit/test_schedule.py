"""The publication calendar: each channel's post at its first good moment after the slot."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from pressroom.schedule import first_good_time, publication_schedule, when
from pressroom.settings import Settings

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_ONLY = ["monday", "tuesday", "wednesday", "thursday", "friday"]


def test_a_post_goes_out_at_its_channels_first_good_time_after_the_slot() -> None:
    monday_10 = datetime(2026, 10, 19, 10, 0, tzinfo=PARIS)
    times = [time(12, 0), time(8, 30)]
    assert first_good_time(monday_10, ["monday"], times) == monday_10.replace(hour=12)
    late = monday_10.replace(hour=18)  # after the day's last time: the next allowed day
    assert first_good_time(late, WEEKDAYS_ONLY, times) == datetime(
        2026, 10, 20, 8, 30, tzinfo=PARIS
    )
    friday_evening = datetime(2026, 10, 23, 20, 0, tzinfo=PARIS)
    assert first_good_time(friday_evening, WEEKDAYS_ONLY, times) == datetime(
        2026, 10, 26, 8, 30, tzinfo=PARIS
    )
    assert first_good_time(monday_10, ["monday"], []) == monday_10  # no times: at the slot
    exactly = monday_10.replace(hour=12)
    assert first_good_time(exactly, ["monday"], times) == exactly


def test_the_time_is_local_across_a_dst_change() -> None:
    saturday = datetime(2026, 10, 24, 20, 0, tzinfo=PARIS)  # CEST; Sunday 25th back to CET
    monday = first_good_time(saturday, ["monday"], [time(8, 30)])
    assert (monday.hour, monday.minute, monday.utcoffset()) == (8, 30, timedelta(hours=1))


def test_a_slot_with_a_fixed_offset_keeps_it() -> None:
    slot = datetime(2026, 10, 19, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    at = first_good_time(slot, ["tuesday"], [time(9, 0)])
    assert at.isoformat() == "2026-10-20T09:00:00+02:00"


def test_every_piece_of_a_brief_has_its_moment(settings: Settings) -> None:
    slot = datetime(2026, 10, 19, 10, 0, tzinfo=PARIS)  # a Monday
    channels = settings.channels
    schedule = publication_schedule(
        slot,
        ["posts", "article", "video"],
        {"linkedin": channels["linkedin"], "x": channels["x"]},
        {"tiktok": channels["tiktok"]},
    )
    assert schedule.times("article") == {"article": slot}
    posts = schedule.times("post")
    assert set(posts) == {"linkedin", "x"}
    assert all(at >= slot for at in posts.values())
    expected = first_good_time(
        slot, channels["linkedin"].best_days, channels["linkedin"].best_times
    )
    assert posts["linkedin"] == expected
    assert set(schedule.times("video")) == {"tiktok"}
    assert schedule.times("newsletter") == {}  # not asked for
    table = schedule.markdown()
    assert "| article | article | Mon 19 Oct 2026 10:00 (+02:00) |" in table
    assert table.index("| article |") < table.index("| post | linkedin |")  # in time order


def test_without_a_slot_everything_goes_out_on_approval(settings: Settings) -> None:
    schedule = publication_schedule(
        None, ["posts", "newsletter"], {"x": settings.channels["x"]}, {}
    )
    assert [(p.piece, p.target, p.at) for p in schedule.pieces] == [
        ("newsletter", "newsletter", None),
        ("post", "x", None),
    ]
    assert schedule.times("post") == {}
    assert when(None) in schedule.markdown()
