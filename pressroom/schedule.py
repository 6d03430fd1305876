"""When each piece of a brief goes out: the publication calendar slot per channel and format.

The brief's slot (a calendar slot, or the brief's own) is when the article goes live. The posts
link to it, so each channel's post goes out at that channel's first good moment at or after the
slot: `best_days` and `best_times` in `configs/channels.yaml`, local times in the slot's zone (a
channel without `best_times` posts at the slot). The video goes to each of its channels the same
way; the article, the newsletter and the voice-over go out at the slot. Without a slot, each
piece goes out as soon as it is approved.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from pydantic import AwareDatetime, BaseModel

from pressroom.settings import WEEKDAYS, ChannelConfig, Weekday

Piece = Literal["post", "article", "newsletter", "video", "voiceover"]


class ScheduledPiece(BaseModel):
    piece: Piece
    target: str  # the channel, or the format for what has no channel
    at: AwareDatetime | None  # None: as soon as it is approved


class PublicationSchedule(BaseModel):
    slot: AwareDatetime | None
    pieces: list[ScheduledPiece]

    def times(self, piece: Piece) -> dict[str, datetime]:
        """Target → time, for the pieces of one kind that have a time."""
        return {p.target: p.at for p in self.pieces if p.piece == piece and p.at is not None}

    def markdown(self) -> str:
        if not self.pieces:
            return "Nothing to schedule."
        lines = ["| Piece | Where | When |", "|---|---|---|"]
        lines += [
            f"| {p.piece} | {p.target} | {when(p.at)} |" for p in sorted(self.pieces, key=_in_order)
        ]
        return "\n".join(lines)


def _in_order(piece: ScheduledPiece) -> tuple[int, datetime | None, str]:
    return (piece.at is None, piece.at, piece.target)


def when(at: datetime | None) -> str:
    """`Mon 19 Oct 2026 12:00 (+02:00)`, or what happens without a time."""
    if at is None:
        return "as soon as approved"
    offset = at.strftime("%z")
    return f"{at:%a %d %b %Y %H:%M} ({offset[:3]}:{offset[3:]})"


def first_good_time(after: datetime, days: list[Weekday], times: list[time]) -> datetime:
    """The earliest of `times` on one of `days` at or after `after`, in `after`'s zone; `after`
        itself when no times are given. A local time a DST change skips moves forward (a slot read
    back from JSON has a fixed UTC offset, not its named zone: then the offset is kept)."""
    if not times:
        return after
    zone = after.tzinfo
    start = after.date()
    candidates = (
        local_time(start + timedelta(days=offset), at, zone)
        for offset in range(8)
        for at in sorted(times)
        if WEEKDAYS[(start + timedelta(days=offset)).weekday()] in days
    )
    return next(moment for moment in candidates if moment >= after)


def local_time(day: date, at: time, zone: tzinfo | None) -> datetime:
    """`day` at local time `at` in `zone`; a time skipped by a DST change moves forward
    (02:30 on the last Sunday of March is 03:30 CEST), an ambiguous one is the first."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC).astimezone(zone)


def publication_schedule(
    slot: datetime | None,
    formats: list[str],
    post_channels: dict[str, ChannelConfig],
    video_channels: dict[str, ChannelConfig],
) -> PublicationSchedule:
    """Every piece a brief asks for, with when it goes out."""

    def at(channel: ChannelConfig | None) -> datetime | None:
        if slot is None:
            return None
        if channel is None:
            return slot
        return first_good_time(slot, channel.best_days, channel.best_times)

    pieces = [
        ScheduledPiece(piece=piece, target=piece, at=at(None))
        for piece in ("article", "newsletter", "voiceover")
        if piece in formats
    ]
    if "posts" in formats:
        pieces += [
            ScheduledPiece(piece="post", target=name, at=at(cfg))
            for name, cfg in post_channels.items()
        ]
    if "video" in formats:
        pieces += [
            ScheduledPiece(piece="video", target=name, at=at(cfg))
            for name, cfg in video_channels.items()
        ]
    return PublicationSchedule(slot=slot, pieces=pieces)
