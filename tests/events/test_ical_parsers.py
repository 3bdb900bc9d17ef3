"""Proof with real clients' parsers: three independent iCalendar implementations expand our feeds to the same
instants (UTC, to the second) over two years, across daylight-saving changes, and agree with the model: in US zones,
in zones at UTC+0 with summer time (London, Dublin, Lisbon), and south of the equator (Sydney), including weekly
sessions that land in the hour a change skips or repeats.

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
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from events.factories import TrainingEventPageFactory
from events.ical import ICAL_STATUS, is_ambiguous
from events.models import EventSkippedDate, EventStatus, SessionChange, TrainingEventPage
from pages.factories import TopicFactory

pytestmark = pytest.mark.django_db

ICALJS_DIR = Path(__file__).parent / "icaljs"
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Australia/Sydney",
]


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@dataclass(frozen=True)
class ClockChange:
    """A daylight-saving change as a local clock sees it: `start` to `end` is skipped (spring) or repeated (autumn)."""

    start: datetime
    end: datetime
    skipped: bool


def clock_changes(zone: str, year: int) -> list[ClockChange]:
    """The zone's offset changes in `year` (found in 15-minute steps: every change here is on a quarter hour)."""
    tz = ZoneInfo(zone)
    changes = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year == year:
        moment += timedelta(minutes=15)
        new_offset = moment.astimezone(tz).utcoffset()
        if new_offset != offset:
            skipped = new_offset > offset
            before, after = (moment + offset).replace(tzinfo=None), (moment + new_offset).replace(tzinfo=None)
            changes.append(ClockChange(min(before, after), max(before, after), skipped))
            offset = new_offset
    return changes


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
    skipped and a moved session, a daily series across next spring's change, one-off sessions right at the changes
    (the evening before, just after the skipped hour, in the hour that happens twice, after it), and weekly
    sessions on the changes' weekday that start in the skipped and in the repeated hour."""
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
        sessions = monthly.rule_sessions()
        EventSkippedDate.objects.create(page=monthly, date=sessions[3].original_date, reason="Holiday")
        SessionChange.objects.create(
            page=monthly,
            original_date=sessions[5].original_date,
            new_date=sessions[5].original_date + timedelta(days=1),
            new_start_time=time(16, 0),
            new_end_time=time(17, 0),
            note="Moved a day later",
        )
        SessionChange.objects.create(
            page=monthly, original_date=sessions[7].original_date, status=EventStatus.CANCELLED
        )
        events += [weekly, monthly]
        changes = clock_changes(zone, year)
        if not changes:  # Phoenix
            continue
        spring = next(change for change in changes if change.skipped)
        autumn = next(change for change in changes if not change.skipped)
        events.append(
            make_live_event(
                title=f"Daily bootcamp {zone}",
                time_zone=zone,
                start_date=spring.start.date() - timedelta(days=3),
                start_time=time(8, 0),
                end_time=time(9, 0),
                recurrence_frequency="daily",
                recurrence_count=7,
            )
        )
        hour = timedelta(hours=1)
        for moment in (
            datetime.combine(spring.start.date() - timedelta(days=1), time(22, 0)),
            spring.end + timedelta(minutes=30),
            autumn.start + timedelta(minutes=30),  # happens twice
            autumn.end + hour,
        ):
            events.append(
                make_live_event(
                    title=f"One-off {zone} {moment}",
                    time_zone=zone,
                    start_date=moment.date(),
                    start_time=moment.time(),
                    end_time=(moment + hour).time(),
                )
            )
        first = min(spring.start, autumn.start).date()
        for label, clock in {"skipped": spring.start.time(), "repeated": autumn.start.time()}.items():
            start = (datetime.combine(first, clock) + timedelta(minutes=30)).time()
            events.append(
                make_live_event(
                    title=f"Weekly at the change {zone} {label}",
                    time_zone=zone,
                    start_date=first - timedelta(weeks=2),
                    start_time=start,
                    end_time=(datetime.combine(first, start) + hour).time(),
                    recurrence_frequency="weekly",
                    recurrence_count=60,  # both changes of the year
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
        for session in page.sessions():
            if session.end > start and session.start < end:
                status = ICAL_STATUS[session.status if session.is_changed else page.status]
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
    masters, changes = {}, {}
    for event in calendar.vevent_list:
        uid = event.uid.value
        if hasattr(event, "recurrence_id"):
            changes[(uid, event.recurrence_id.value.astimezone(UTC))] = event
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
            change = changes.get((uid, first.astimezone(UTC)))
            if change is not None:
                session = (change.dtstart.value, change.dtend.value, change.status.value)
            else:
                session = (first, first + length, status)
            if session[1] > start and session[0] < end:
                found.add((uid, utc(session[0]), utc(session[1]), session[2]))
    return found


def run_icaljs(script: str, *arguments: str):
    """The JSON a script in tests/events/icaljs prints (skipped, or failed under CI, without node and ical.js)."""
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
        [node, str(ICALJS_DIR / script), *arguments], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(result.stdout)


def expand_with_icaljs(path: Path, window) -> set[tuple]:
    items = run_icaljs("expand.mjs", str(path), utc(window[0]), utc(window[1]))
    return {(item["uid"], item["start"], item["end"], item["status"]) for item in items}


def test_three_parsers_expand_the_feed_to_the_models_sessions(feed, window):
    expected = expected_from_model(window)
    assert len(expected) > 5 * 100  # two years of weekly sessions per zone, plus the rest
    assert {status for *_, status in expected} == {"CONFIRMED", "CANCELLED"}
    assert expand_with_icalendar(feed, window) == expected
    assert expand_with_vobject(feed, window) == expected
    assert expand_with_icaljs(feed, window) == expected


def test_every_zone_crosses_daylight_saving_in_the_window(program, window):
    """The comparison means something: sessions of one series sit at two UTC offsets, except in Phoenix, and the
    series at the change meet the skipped and the repeated hour."""
    for zone in ZONES:
        page = TrainingEventPage.objects.get(title=f"Weekly clinic {zone}")
        offsets = {session.start.utcoffset() for session in page.sessions()}
        assert len(offsets) == (1 if zone == "America/Phoenix" else 2), zone
        if zone == "America/Phoenix":
            continue
        skipped = TrainingEventPage.objects.get(title=f"Weekly at the change {zone} skipped")
        assert any(session.start.time() != skipped.start_time for session in skipped.sessions()), zone
        repeated = TrainingEventPage.objects.get(title=f"Weekly at the change {zone} repeated")
        assert any(is_ambiguous(session.start) for session in repeated.sessions()), zone


def test_summer_is_daylight_with_the_tz_databases_names(feed):
    """As vobject reads our VTIMEZONEs: each zone's summer half is DAYLIGHT and winter STANDARD, with the tz
    database's names and offsets. Europe/Dublin is the odd one: its data calls IST (summer) standard time and GMT
    (winter) a negative DST, which clients would show the wrong way round."""
    zones = {zone.tzid.value: zone.gettzinfo() for zone in vobject.readOne(feed.read_text()).vtimezone_list}
    year = date.today().year + 1
    for zone in ZONES:
        reference = ZoneInfo(zone)
        winter, summer = sorted(
            (datetime(year, 1, 15, 12), datetime(year, 7, 15, 12)),
            key=lambda moment: moment.replace(tzinfo=reference).utcoffset(),
        )
        for moment in (winter, summer):
            expected = moment.replace(tzinfo=reference)
            assert zones[zone].utcoffset(moment) == expected.utcoffset(), (zone, moment)
            assert zones[zone].tzname(moment) == expected.tzname(), (zone, moment)
        assert zones[zone].dst(winter) == timedelta(0), zone
        if zone != "America/Phoenix":
            assert zones[zone].dst(summer) > timedelta(0), zone
    dublin = vobject.readOne(feed.read_text()).vtimezone_list
    dublin = next(zone for zone in dublin if zone.tzid.value == "Europe/Dublin")
    assert {(part.name, part.tzname.value) for part in dublin.getChildren() if part.name != "TZID"} >= {
        ("DAYLIGHT", "IST"),
        ("STANDARD", "GMT"),
    }


def test_the_calendar_name_reads_back_unchanged_in_every_parser(client, make_live_event, tmp_path):
    """NAME and X-WR-CALNAME with the characters RFC 5545 escapes in text (comma, semicolon, backslash) and one it
    does not (colon): the name each parser shows is the topic's, without backslashes."""
    topic = TopicFactory(name=r"Crisis lines, 988; co-response \ CIT")
    make_live_event(title="Crisis lines webinar").topics.set([topic])
    path = tmp_path / "topic.ics"
    path.write_bytes(client.get(f"/calendar/topics/{topic.slug}.ics").content)
    name = f"CIT ASSIST: {topic.name}"

    parsed = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(parsed.calendar_name) == name
    assert str(parsed["NAME"]) == str(parsed["X-WR-CALNAME"]) == name
    calendar = vobject.readOne(path.read_text())
    assert calendar.contents["name"][0].value == calendar.contents["x-wr-calname"][0].value == name
    assert run_icaljs("calendar-name.mjs", str(path)) == {"name": name, "x-wr-calname": name}
