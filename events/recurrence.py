"""Recurrence in editor terms (frequency, interval, end) turned into dateutil rules over local wall-clock time.

Rules run over naive local datetimes in the event's own time zone so a 10:00 meeting stays at 10:00 across
daylight-saving changes; each session is made aware only when it is emitted.

What a session is when its local time meets a clock change: it starts at the rule's local time and lasts as long
as the first session did (elapsed time, RFC 5545 §3.8.5.3). A start in a skipped hour is read with the offset
before the change, so it moves forward by the gap (02:30 on the March change is 03:30 EDT), as RFC 5545 §3.3.5 says
and most calendar apps do; a start in a repeated hour is the first of the two. So no session comes out zero or two
hours long, and its end is wherever that length takes it on the wall clock.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule

# Bounded work per request: no caller expands more than this many sessions of one event.
MAX_SESSIONS = 500

FREQUENCIES = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY, "yearly": rrule.YEARLY}
WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


def nth_weekday_of_month(day: date) -> int:
    """1 for the first Thursday of a month ... 4 for the fourth; -1 for a fifth, which means 'the last'."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def build_rule(
    *,
    frequency: str,
    interval: int,
    monthly_by_weekday: bool,
    local_start: datetime,
    count: int | None,
    until: date | None,
) -> rrule.rrule:
    kwargs = {"freq": FREQUENCIES[frequency], "interval": max(interval, 1), "dtstart": local_start}
    if frequency == "monthly" and monthly_by_weekday:
        kwargs["byweekday"] = WEEKDAYS[local_start.weekday()](nth_weekday_of_month(local_start.date()))
    if count:
        kwargs["count"] = count
    if until:
        kwargs["until"] = datetime.combine(until, time.max)
    return rrule.rrule(**kwargs)


def local_to_aware(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return resolve_local(datetime.combine(day, clock), zone)


def resolve_local(local: datetime, zone: ZoneInfo) -> datetime:
    """The instant a wall-clock time names in `zone`, with the wall clock it really shows: a skipped time moves
    forward by the gap, a repeated time is the first of the two (see the module docstring)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time between two aware datetimes (subtracting two in the same zone would compare wall clocks)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def later(start: datetime, length: timedelta) -> datetime:
    """`start` plus `length` of real time, in `start`'s zone (adding to an aware datetime adds wall-clock time)."""
    return (start.astimezone(UTC) + length).astimezone(start.tzinfo)


def exists_in_zone(local: datetime, zone: ZoneInfo) -> bool:
    """False for wall-clock times skipped by a daylight-saving jump (e.g. 02:30 on the March change)."""
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None) == local


@dataclass(frozen=True)
class Session:
    """One dated instance of an event; `original_date` identifies it (iCal RECURRENCE-ID) when it was moved."""

    original_date: date
    start: datetime
    end: datetime
    status: str
    is_changed: bool = False
    note: str = ""

    @property
    def duration(self) -> timedelta:
        return elapsed(self.start, self.end)
