"""Benchmark: /calendar/events.ics with 1,000 events (50 repeating), measured side by side in one run.

    .venv/bin/python bench/ical_feed.py [--events 1000] [--repeat 5]

Prints SQL query counts (must not grow with the number of events), the full generation time through the view
against the floor (the same events, already in memory, serialised with bare icalendar and the same VTIMEZONEs;
target <= 2x), a 304 answer and a HEAD against a full generation (target >= 20x faster), and the feed's size plain
and gzip-compressed. Runs on a throwaway test database (SQLite in memory unless DATABASE_URL points elsewhere);
never part of the test suite.
"""

import argparse
import os
import statistics
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles"]


def create_events(count: int, *, offset: int, recurring_every: int):
    from events.factories import TrainingEventPageFactory
    from events.models import EventIndexPage, EventSkippedDate, SessionChange, TrainingEventPage
    from pages.models import Topic

    index = EventIndexPage.objects.get()
    topics = list(Topic.objects.all())
    today = date.today()
    for number in range(offset, offset + count):
        repeating = number % recurring_every == 0
        page = TrainingEventPageFactory.build(
            title=f"Training session {number}: Crisis intervention for patrol officers",
            summary="A facilitator-led live virtual training; bring your agency's crisis-response policy. " * 2,
            time_zone=ZONES[number % len(ZONES)],
            start_date=today + timedelta(days=number % 365),
            start_time=time(9 + number % 8, 0),
            end_time=time(10 + number % 8, 30),
            recurrence_frequency="weekly" if repeating else "",
            recurrence_count=40 if repeating else None,
            join_url="https://zoom.example.org/j/123456789",
        )
        index.add_child(instance=page)
        page.topics.set(topics[number % len(topics) : number % len(topics) + 2])
        page.save()
        if repeating:
            sessions = page.rule_sessions(limit=4)
            EventSkippedDate.objects.create(page=page, date=sessions[2].original_date)
            SessionChange.objects.create(
                page=page, original_date=sessions[3].original_date, new_start_time=time(17), new_end_time=time(18)
            )
    TrainingEventPage.objects.update(last_published_at=datetime(2026, 1, 5, 12, tzinfo=UTC))


def floor_bytes(pages) -> bytes:
    """The same events, already loaded, serialised with bare icalendar and the same VTIMEZONEs: no privacy, no
    validators, no text cleaning or URL checks, no bounds."""
    from icalendar import Calendar, Event

    from events.ical import ICAL_STATUS, recurrence_rule, vtimezone

    calendar = Calendar()
    calendar.add("prodid", "-//floor//EN")
    calendar.add("version", "2.0")
    for tzid in sorted({page.time_zone for page in pages}):
        calendar.add_component(vtimezone(tzid))
    for page in pages:
        event = Event()
        event.add("uid", str(page.ical_uid))
        event.add("dtstamp", page.last_published_at)
        event.add("last-modified", page.last_published_at)
        event.add("sequence", page.ical_sequence)
        event.add("status", ICAL_STATUS[page.status])
        event.add("summary", page.title)
        event.add("description", page.summary)
        event.add("location", "Online (live virtual)")
        event.add("url", f"https://cms.example.org{page.url_path}")
        event.add("categories", [topic.name for topic in page.topics.all()] or ["-"])
        event.add("dtstart", page.local_start.replace(tzinfo=page.zone))
        event.add("dtend", page.local_end.replace(tzinfo=page.zone))
        calendar.add_component(event)
        if page.is_recurring:
            event.add("rrule", recurrence_rule(page))
            event.add(
                "exdate", [datetime.combine(row.date, page.start_time, page.zone) for row in page.skipped_dates.all()]
            )
            for row in page.session_changes.all():
                changed = Event()
                changed.add("uid", str(page.ical_uid))
                changed.add("dtstamp", page.last_published_at)
                changed.add("summary", page.title)
                changed.add("recurrence-id", datetime.combine(row.original_date, page.start_time, page.zone))
                changed.add(
                    "dtstart", datetime.combine(row.new_date or row.original_date, row.new_start_time, page.zone)
                )
                changed.add("dtend", datetime.combine(row.new_date or row.original_date, row.new_end_time, page.zone))
                calendar.add_component(changed)
    return calendar.to_ical()


def timed(function, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = clock.perf_counter()
        function()
        samples.append(clock.perf_counter() - started)
    return statistics.median(samples)


def query_count(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/calendar/events.ics").status_code == 200
    return len(captured)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from wagtail.models import Page, Site

    from events.factories import EventIndexPageFactory
    from events.models import TrainingEventPage
    from events.selectors import feed_events, with_feed_relations
    from pages.factories import HomePageFactory, TopicFactory

    home = HomePageFactory(parent=Page.get_first_root_node(), slug="home-bench")
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
    EventIndexPageFactory(parent=home)
    for name in ("988 Crisis Hotline", "Early Diversion", "Deflection", "Best Practices in Co-Response"):
        TopicFactory(name=name)

    client = Client()
    small = args.events // 10
    create_events(small, offset=0, recurring_every=20)
    client.get("/calendar/events.ics")  # warm caches (site root paths, VTIMEZONEs)
    queries_small = query_count(client)
    create_events(args.events - small, offset=small, recurring_every=20)
    queries_full = query_count(client)
    recurring = TrainingEventPage.objects.exclude(recurrence_frequency="").count()

    def full():
        response = client.get("/calendar/events.ics")
        assert response.status_code == 200 and len(response.content) > 100_000
        return response

    etag = full()["ETag"]

    def not_modified():
        assert client.get("/calendar/events.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304

    def head():
        assert client.head("/calendar/events.ics").status_code == 200

    loaded = list(with_feed_relations(feed_events(user=None)))
    assert len(loaded) == args.events
    full_time = timed(full, args.repeat)
    floor_time = timed(lambda: floor_bytes(loaded), args.repeat)
    not_modified_time = timed(not_modified, args.repeat * 4)
    head_time = timed(head, args.repeat * 4)
    plain = full()
    compressed = client.get("/calendar/events.ics", HTTP_ACCEPT_ENCODING="gzip")
    assert compressed["Content-Encoding"] == "gzip"

    rows = [
        ("events in the feed (repeating)", f"{args.events} ({recurring})"),
        (f"SQL queries, {small} events", str(queries_small)),
        (f"SQL queries, {args.events} events", str(queries_full)),
        (f"full generation through the view (median of {args.repeat})", f"{full_time * 1000:.1f} ms"),
        (f"floor: bare icalendar, events in memory (median of {args.repeat})", f"{floor_time * 1000:.1f} ms"),
        ("generation / floor (target <= 2.0)", f"{full_time / floor_time:.2f}x"),
        (f"304 answer to If-None-Match (median of {args.repeat * 4})", f"{not_modified_time * 1000:.2f} ms"),
        ("full generation / 304 (target >= 20)", f"{full_time / not_modified_time:.0f}x"),
        (f"HEAD (median of {args.repeat * 4})", f"{head_time * 1000:.2f} ms"),
        ("feed size / with Accept-Encoding: gzip", f"{len(plain.content):,} / {len(compressed.content):,} bytes"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure'.ljust(width)} | value")
    print(f"{'-' * width}-|-{'-' * 12}")
    for name, value in rows:
        print(f"{name.ljust(width)} | {value}")
    connection.creation.destroy_test_db(":memory:" if connection.vendor == "sqlite" else None, verbosity=0)


if __name__ == "__main__":
    main()
