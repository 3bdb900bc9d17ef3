"""Proof with real clients' parsers: three independent iCalendar implementations expand our feeds to the same
instants (UTC, to the second) over two years, across daylight-saving changes, and agree with the model.

- Python `icalendar` + `recurring-ical-events` (resolves TZIDs through zoneinfo, ignoring our VTIMEZONEs),
- Mozilla `ical.js`, the parser inside Thunderbird, run with node (resolves times through our VTIMEZONEs),
- `vobject` (builds dateutil zones from our VTIMEZONEs).

ical.js needs `npm ci` in tests/events/icaljs (`.ci/run` and `make install` do it); outside CI its absence skips
that comparison and names what is missing, under CI=true it fails.
"""

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
import vobject

from events.factories import TrainingEventPageFactory
from events.ical import ICAL_STATUS
from events.models import EventOccurrenceOverride, EventSkippedDate, EventStatus, TrainingEventPage

pytestmark = pytest.mark.django_db

ICALJS_DIR = Path(__file__).parent / "icaljs"
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles"]


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def dst_sunday(year: int, month: int, nth: int) -> date:
    return next_weekday(date(year, month, 1), 6) + timedelta(weeks=nth - 1)


@pytest.fixture
def make_live_event(event_index):
    """Live events made in code (no revision publish: forty of them through the workflow would take seconds)."""

    def make(**fields):
        return TrainingEventPageFactory(
            parent=event_index, last_published_at=datetime(2026, 1, 5, tzinfo=UTC), **fields
        )

    return make


@pytest.fixture
def program(make_live_event):
    """Per zone: a weekly series over two years (every DST change), a monthly 'second Thursday' CoP meeting with a
    skipped and a moved session, a daily series across next March's change, and one-off sessions right at the
    changes (the evening before, the morning after, and 01:30 on the November night that happens twice)."""
    today = date.today()
    year = today.year + 1
    events = []
    for index, zone in enumerate(ZONES):
        weekly = make_live_event(
            title=f"Weekly clinic {zone}",
            time_zone=zone,
            start_date=today + timedelta(days=index + 1),
            start_time=time(9 + index, 0),
            end_time=time(10 + index, 30),
            recurrence_frequency="weekly",
            recurrence_until=today + timedelta(days=760),
        )
        monthly = TrainingEventPage.objects.get(
            pk=make_live_event(
                title=f"CoP meeting {zone}",
                time_zone=zone,
                start_date=next_weekday(date(today.year, today.month, 1) + timedelta(days=31), 3) + timedelta(weeks=1),
                start_time=time(14, 0),
                end_time=time(15, 30),
                recurrence_frequency="monthly",
                recurrence_count=24,
            ).pk
        )
        sessions = monthly.rule_occurrences()
        EventSkippedDate.objects.create(page=monthly, date=sessions[3].original_date, reason="Holiday")
        EventOccurrenceOverride.objects.create(
            page=monthly,
            original_date=sessions[5].original_date,
            new_date=sessions[5].original_date + timedelta(days=1),
            new_start_time=time(16, 0),
            new_end_time=time(17, 0),
            note="Moved a day later",
        )
        EventOccurrenceOverride.objects.create(
            page=monthly, original_date=sessions[7].original_date, status=EventStatus.CANCELLED
        )
        daily = make_live_event(
            title=f"Daily bootcamp {zone}",
            time_zone=zone,
            start_date=dst_sunday(year, 3, 2) - timedelta(days=3),
            start_time=time(8, 0),
            end_time=time(9, 0),
            recurrence_frequency="daily",
            recurrence_count=7,
        )
        events += [weekly, monthly, daily]
        for day, clock in (
            (dst_sunday(year, 3, 2) - timedelta(days=1), time(23, 0)),
            (dst_sunday(year, 3, 2), time(3, 30)),
            (dst_sunday(year, 11, 1), time(1, 30)),
            (dst_sunday(year, 11, 1), time(3, 0)),
        ):
            events.append(
                make_live_event(
                    title=f"One-off {zone} {day} {clock}",
                    time_zone=zone,
                    start_date=day,
                    start_time=clock,
                    end_time=time(clock.hour + 1, clock.minute) if clock.hour < 23 else time(23, 59),
                )
            )
    return events


@pytest.fixture
def window():
    start = datetime.combine(date.today() - timedelta(days=7), time(0), tzinfo=UTC)
    return start, start + timedelta(days=730)


@pytest.fixture
def feed(client, program, tmp_path):
    response = client.get("/calendar/events.ics")
    assert response.status_code == 200
    path = tmp_path / "events.ics"
    path.write_bytes(response.content)
    return path


def expected_from_model(window) -> set[tuple]:
    start, end = window
    expected = set()
    for page in TrainingEventPage.objects.all():
        for session in page.occurrences():
            if session.end > start and session.start < end:
                status = ICAL_STATUS[session.status if session.is_override else page.status]
                expected.add((str(page.ical_uid), utc(session.start), utc(session.end), status))
    return expected


def expand_with_icalendar(path: Path, window) -> set[tuple]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {
        (str(e["UID"]), utc(e["DTSTART"].dt), utc(e["DTEND"].dt), str(e.get("STATUS", "")))
        for e in recurring_ical_events.of(calendar).between(*window)
    }


def expand_with_vobject(path: Path, window) -> set[tuple]:
    """vobject parses (zones from our VTIMEZONEs); RECURRENCE-ID replacement is applied here, as clients do."""
    start, end = window
    calendar = vobject.readOne(path.read_text())
    masters, overrides = {}, {}
    for event in calendar.vevent_list:
        uid = event.uid.value
        if hasattr(event, "recurrence_id"):
            overrides[(uid, event.recurrence_id.value.astimezone(UTC))] = event
        else:
            masters[uid] = event
    found = set()
    for uid, event in masters.items():
        length = event.dtend.value - event.dtstart.value
        status = event.status.value if hasattr(event, "status") else ""
        starts = event.getrruleset(addRDate=True) if hasattr(event, "rrule") else [event.dtstart.value]
        for first in starts:
            if first >= end:
                break
            override = overrides.get((uid, first.astimezone(UTC)))
            if override is not None:
                session = (override.dtstart.value, override.dtend.value, override.status.value)
            else:
                session = (first, first + length, status)
            if session[1] > start and session[0] < end:
                found.add((uid, utc(session[0]), utc(session[1]), session[2]))
    return found


def expand_with_icaljs(path: Path, window) -> set[tuple]:
    node = shutil.which("node")
    missing = [
        name
        for name, ok in (
            ("node", node),
            ("npm ci in tests/events/icaljs", (ICALJS_DIR / "node_modules/ical.js").exists()),
        )
        if not ok
    ]
    if missing:
        message = "ical.js comparison needs: " + ", ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [node, str(ICALJS_DIR / "expand.mjs"), str(path), utc(window[0]), utc(window[1])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return {(item["uid"], item["start"], item["end"], item["status"]) for item in json.loads(result.stdout)}


def test_three_parsers_expand_the_feed_to_the_models_sessions(feed, window):
    expected = expected_from_model(window)
    assert len(expected) > 5 * 100  # two years of weekly sessions per zone, plus the rest
    assert {status for *_, status in expected} == {"CONFIRMED", "CANCELLED"}
    assert expand_with_icalendar(feed, window) == expected
    assert expand_with_vobject(feed, window) == expected
    assert expand_with_icaljs(feed, window) == expected


def test_every_zone_crosses_daylight_saving_in_the_window(program, window):
    """The comparison means something: sessions of one series sit at two UTC offsets, except in Phoenix."""
    for zone in ZONES:
        page = TrainingEventPage.objects.get(title=f"Weekly clinic {zone}")
        offsets = {session.start.utcoffset() for session in page.occurrences()}
        assert len(offsets) == (1 if zone == "America/Phoenix" else 2), zone
