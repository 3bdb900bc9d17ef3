"""What the feeds contain, line by line: identity, times and zones, recurrence, status, text, links, bounds."""

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
from django.utils import timezone

from events import ical
from events.models import EventSkippedDate, EventStatus, SessionChange, TrainingEventPage
from events.recurrence import MAX_SESSIONS
from events.views import PUBLIC
from pages.factories import TopicFactory, paragraph
from tests.events.conftest import members_only, publish

pytestmark = pytest.mark.django_db


def feed(client, path="/calendar/events.ics") -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.content


def events_of(body: bytes) -> list:
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def test_the_same_content_gives_the_same_bytes(client, make_event):
    for index, zone in enumerate(["America/Chicago", "America/Denver", "America/New_York"]):
        make_event(title=f"Session {index}", time_zone=zone, start_date=date.today() + timedelta(days=3 - index))
    first = feed(client)
    ical.zone_transitions.cache_clear()  # a fresh process builds its zones anew
    ical.vtimezone.cache_clear()
    assert feed(client) == first
    assert b"\r\n" in first
    assert all(line.endswith(b"\r") for line in first.split(b"\n")[:-1])  # CRLF only
    assert all(len(line) <= 76 for line in first.split(b"\n"))  # 75 octets + CR: folded


def whole_calendar(pages, options=PUBLIC, components=ical.event_components) -> bytes:
    """The feed as icalendar writes it in one piece: what `build_calendar`, event by event, must equal."""
    pages = sorted(pages, key=lambda page: (page.start, str(page.ical_uid)))
    calendar = ical.new_calendar("Feed")
    for tzid in sorted({page.time_zone for page in pages}):
        calendar.add_component(ical.vtimezone(tzid))
    links = ical.PageLinks()
    for page in pages:
        for component in components(page, options=options, links=links):
            calendar.add_component(component)
    return calendar.to_ical()


def feed_pages():
    from events.selectors import feed_events, with_feed_relations

    return list(with_feed_relations(feed_events(user=None)))


def test_the_feed_written_event_by_event_is_the_calendar_written_whole(make_event):
    for index, zone in enumerate(["America/Chicago", "Europe/London", "Australia/Sydney"]):
        make_event(title=f"Session {index}", time_zone=zone, start_date=date.today() + timedelta(days=3 + index))
    weekly = make_event(
        title="Weekly", start_date=date.today() + timedelta(days=1), recurrence_frequency="weekly", recurrence_count=30
    )
    SessionChange.objects.create(page=weekly, original_date=weekly.rule_sessions()[2].original_date, note="Moved")
    weekly.topics.set([TopicFactory(name="Deflection")])
    publish(weekly)
    pages = feed_pages()
    assert ical.build_calendar(pages, name="Feed", options=PUBLIC) == whole_calendar(pages)


def test_an_event_is_written_again_only_when_something_it_is_written_from_changes(make_event, monkeypatch):
    """Events are written once per process and reused by every later feed (ical.event_bytes); a change to the
    page, its topics or its sessions writes that event again, and only that one."""
    first, second = make_event(title="First"), make_event(title="Second")
    topic = TopicFactory(name="Deflection")
    second.topics.set([topic])
    publish(second)
    ical.build_calendar(feed_pages(), name="Feed", options=PUBLIC)
    written = []
    real = ical.event_components
    monkeypatch.setattr(ical, "event_components", lambda page, **kw: written.append(page.title) or real(page, **kw))

    def build():
        written.clear()
        pages = feed_pages()
        assert ical.build_calendar(pages, name="Feed", options=PUBLIC) == whole_calendar(pages)
        return sorted(written)

    assert build() == []
    topic.name = "Jail diversion"
    topic.save()
    assert build() == ["Second"]
    SessionChange.objects.create(page=first, original_date=first.start_date, note="Room 2")
    assert build() == ["First"]
    first.title = "First, renamed"
    first.save_revision().publish()
    assert build() == ["First, renamed"]
    members = ical.FeedOptions(include_join_url=True)
    written.clear()
    ical.build_calendar(feed_pages(), name="Feed", options=members)  # the members' feed is written on its own
    assert sorted(written) == ["First, renamed", "Second"]


def test_calendar_properties(client, make_event):
    make_event()
    body = feed(client).decode()
    for line in (
        "VERSION:2.0",
        "METHOD:PUBLISH",
        "NAME;VALUE=TEXT:CIT ASSIST training events",
        "X-WR-CALNAME;VALUE=TEXT:CIT ASSIST training events",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ):
        assert line + "\r\n" in body
    assert "1:00:00" not in body


def test_identity_stamps_come_from_the_last_publish_not_now(client, make_event):
    event = make_event(title="Deflection for Patrol")
    TrainingEventPage.objects.filter(pk=event.pk).update(last_published_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    (vevent,) = events_of(feed(client))
    assert str(vevent["UID"]) == str(event.ical_uid)
    assert vevent["DTSTAMP"].dt == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert vevent["LAST-MODIFIED"].dt == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_sequence_rises_when_the_time_changes(client, make_event):
    event = make_event()
    assert events_of(feed(client))[0]["SEQUENCE"] == 0
    event.start_time = time(15, 0)
    event.end_time = time(16, 0)
    publish(event)
    (vevent,) = events_of(feed(client))
    assert vevent["SEQUENCE"] == 1
    assert str(vevent["UID"]) == str(event.ical_uid)


def test_times_carry_the_zone_and_one_rrule_style_vtimezone_per_zone(client, make_event):
    make_event(time_zone="America/Chicago", start_time=time(10, 0), end_time=time(11, 0))
    make_event(time_zone="America/Chicago")
    make_event(time_zone="America/Phoenix")
    body = feed(client).decode()
    assert "DTSTART;TZID=America/Chicago:" in body
    assert body.count("BEGIN:VTIMEZONE") == 2
    assert body.count("TZID:America/Chicago\r\n") == 1
    assert "RDATE" not in body
    chicago = body.split("TZID:America/Chicago\r\n")[1].split("END:VTIMEZONE")[0]
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in chicago
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in chicago
    phoenix = body.split("TZID:America/Phoenix\r\n")[1].split("END:VTIMEZONE")[0]
    assert "RRULE" not in phoenix
    assert "TZOFFSETFROM:-0700\r\nTZOFFSETTO:-0700" in phoenix


def test_vtimezone_follows_rule_changes():
    """Zones whose rules changed get one component per era, each closed with UNTIL (in UTC)."""
    sao_paulo = ical.vtimezone("America/Sao_Paulo").to_ical().decode()  # DST abolished in 2019
    assert "UNTIL=" in sao_paulo or sao_paulo.count("BEGIN:DAYLIGHT") >= 3
    assert sao_paulo.rstrip().endswith("END:VTIMEZONE")
    parsed = icalendar.Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + sao_paulo.encode() + b"END:VCALENDAR\r\n")
    assert parsed.walk("VTIMEZONE")


def test_recurrence_exdate_and_changed_sessions(client, make_event):
    event = make_event(
        time_zone="America/Denver",
        start_date=date.today() + timedelta(days=5),
        recurrence_frequency="weekly",
        recurrence_until=date.today() + timedelta(days=200),
    )
    sessions = event.rule_sessions()
    EventSkippedDate.objects.create(page=event, date=sessions[1].original_date)
    SessionChange.objects.create(
        page=event, original_date=sessions[2].original_date, new_start_time=time(17), new_end_time=time(18)
    )
    SessionChange.objects.create(page=event, original_date=sessions[3].original_date, status=EventStatus.CANCELLED)
    publish(event)
    body = feed(client).decode()
    master, moved, cancelled = events_of(body.encode())
    until = master["RRULE"]["UNTIL"][0]
    assert until.tzinfo is not None and until.utcoffset() == timedelta(0)
    (rrule_line,) = [line for line in body.split("\r\n") if line.startswith("RRULE:FREQ=WEEKLY")]
    assert rrule_line.startswith("RRULE:FREQ=WEEKLY;UNTIL=") and rrule_line.endswith("Z")
    assert [value.dt.date() for value in master["EXDATE"].dts] == [sessions[1].original_date]
    assert moved["RECURRENCE-ID"].dt.date() == sessions[2].original_date
    assert moved["DTSTART"].dt.time() == time(17)
    assert cancelled["STATUS"] == "CANCELLED"
    assert str(cancelled["SUMMARY"]).startswith("Cancelled: ")


def test_a_cancelled_event_stays_in_the_feed_marked_cancelled(client, make_event):
    make_event(title="Youth in Suicide Crisis", status=EventStatus.CANCELLED)
    (vevent,) = events_of(feed(client))
    assert vevent["STATUS"] == "CANCELLED"
    assert str(vevent["SUMMARY"]) == "Cancelled: Youth in Suicide Crisis"


@pytest.mark.parametrize(
    "fields",
    [
        {"recurrence_frequency": "daily", "recurrence_until": date.today() + timedelta(days=3 * 365)},
        {"recurrence_frequency": "weekly"},  # no end at all
    ],
    ids=["until-three-years-daily", "endless-weekly"],
)
def test_a_rule_with_more_than_500_sessions_is_bounded(client, make_event, fields):
    event = make_event(**fields)
    (vevent,) = events_of(feed(client))
    assert vevent["RRULE"]["COUNT"] == [MAX_SESSIONS]
    assert "UNTIL" not in vevent["RRULE"]
    assert len(event.sessions()) == MAX_SESSIONS  # the same bound as every other channel


def test_a_rule_within_the_bound_keeps_its_own_end(client, make_event):
    make_event(recurrence_frequency="daily", recurrence_until=date.today() + timedelta(days=400))
    (vevent,) = events_of(feed(client))
    assert "COUNT" not in vevent["RRULE"]
    assert vevent["RRULE"]["UNTIL"]


def test_hostile_text_is_escaped_and_stays_one_event(client, make_event):
    title = "Deflection\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected; a, b \\ c:\\Nashville\x07\x1b"
    summary = "Line one\r\nEND:VCALENDAR\nsemi; comma, backslash \\ and C:\\Nashville " + "x" * 10_000
    make_event(title=title, summary=summary[:600])
    TrainingEventPage.objects.update(summary=summary)  # past the form's limit: what an import could store
    body = feed(client)
    lines = body.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == 1
    assert lines.count(b"END:VCALENDAR") == 1
    (vevent,) = events_of(body)
    assert str(vevent["SUMMARY"]) == "Deflection END:VEVENT BEGIN:VEVENT SUMMARY:injected; a, b \\ c:\\Nashville"
    assert str(vevent["DESCRIPTION"]).startswith(
        "Line one\nEND:VCALENDAR\nsemi; comma, backslash \\ and C:\\Nashville xxx"
    )
    assert "x" * 10_000 in str(vevent["DESCRIPTION"])
    assert b"\x07" not in body and b"\x1b" not in body
    assert ical.clean_text("a\x00b\rc") == "ab\nc"  # NUL (which PostgreSQL cannot even store) and lone CR


def test_rich_text_body_becomes_plain_text(client, make_event):
    make_event(
        summary="Two sentences.",
        body=[paragraph("Bring your <b>agency&#x27;s</b> policy.</p><p>Second &amp; last")],
    )
    (vevent,) = events_of(feed(client))
    assert str(vevent["DESCRIPTION"]).startswith("Two sentences.\n\nBring your agency's policy.\nSecond & last")


def test_only_http_links_reach_the_feed(client, make_event, member):
    from events.services import member_calendar_url

    event = make_event(registration_url="https://example.org/register", join_url="https://zoom.example.org/j/1")
    TrainingEventPage.objects.filter(pk=event.pk).update(
        registration_url="javascript:alert(1)", join_url="javascript:alert(2)"
    )
    for path in ("/calendar/events.ics", member_calendar_url(member).removeprefix("https://cms.example.org")):
        body = feed(client, path).decode()
        assert "javascript" not in body
        (vevent,) = events_of(body.encode())
        assert str(vevent["URL"]).startswith("https://cms.example.org/")
        assert "CONFERENCE" not in vevent


def test_join_links_and_conference_only_in_the_members_feed(client, make_event, member):
    from events.services import member_calendar_url

    make_event(join_url="https://zoom.example.org/j/123", delivery_mode="live_virtual")
    make_event(delivery_mode="in_person", location="Chicago PD Training Academy, 1300 W Jackson Blvd")
    public = feed(client).decode()
    assert "zoom.example.org" not in public
    assert "LOCATION:Online (live virtual)" in public
    assert "LOCATION:Chicago PD Training Academy\\, 1300 W Jackson Blvd" in public
    private = feed(client, member_calendar_url(member).removeprefix("https://cms.example.org")).decode()
    virtual = next(event for event in events_of(private.encode()) if "CONFERENCE" in event)
    assert virtual["CONFERENCE"] == "https://zoom.example.org/j/123"
    assert dict(virtual["CONFERENCE"].params) == {"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Join"}
    assert virtual["LOCATION"] == "https://zoom.example.org/j/123"


def test_categories_from_topics(client, make_event):
    event = make_event()
    event.topics.set([TopicFactory(name="Deflection"), TopicFactory(name="988 Crisis Hotline")])
    publish(event)
    (vevent,) = events_of(feed(client))
    assert vevent["CATEGORIES"].cats == ["988 Crisis Hotline", "Deflection"]


def test_an_ambiguous_fall_back_time_is_written_in_utc(client, make_event):
    year = timezone.now().year + 1
    first_sunday = date(year, 11, 1) + timedelta(days=(6 - date(year, 11, 1).weekday()) % 7)
    make_event(time_zone="America/Chicago", start_date=first_sunday, start_time=time(1, 30), end_time=time(2, 30))
    (vevent,) = events_of(feed(client))
    assert vevent["DTSTART"].dt == datetime.combine(first_sunday, time(6, 30), tzinfo=UTC)  # 01:30 CDT, the first


def test_members_only_events_appear_only_in_members_feeds(client, make_event, member):
    from events.services import member_calendar_url

    make_event(title="Public webinar")
    members_only(make_event(title="CoP quarterly meeting"))
    assert b"CoP quarterly meeting" not in feed(client)
    private = feed(client, member_calendar_url(member).removeprefix("https://cms.example.org"))
    assert b"CoP quarterly meeting" in private and b"Public webinar" in private
