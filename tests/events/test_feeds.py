"""The feed URLs over HTTP: headers, conditional requests, constant queries, privacy, and hostile input."""

import time
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Page, PageLogEntry

from events.calendar_links import event_feed_path, events_feed_path, member_feed_path, topic_feed_path
from events.models import CalendarToken
from events.services import calendar_token_revoke, calendar_token_rotate, member_calendar_url
from events.views import BAD_LINK_BODY
from pages.access import MEMBERS_GROUP
from pages.factories import TopicFactory
from tests.events.conftest import members_only, publish

pytestmark = pytest.mark.django_db


def member_path(user) -> str:
    return member_calendar_url(user).removeprefix("https://cms.example.org")


CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8; method=PUBLISH"


def test_public_feed_headers(client, make_event):
    make_event()
    response = client.get(events_feed_path())
    assert response.status_code == 200
    assert response["Content-Type"] == CALENDAR_CONTENT_TYPE
    assert response["Cache-Control"].startswith("public, max-age=")
    # Weak: the same calendar is also sent gzip-compressed (tests/cms/test_compression.py).
    assert response["ETag"].startswith('W/"') and response["Last-Modified"].endswith("GMT")


def test_every_feed_says_method_publish_in_its_content_type_and_body(client, make_event, member):
    event = make_event()
    topic = TopicFactory(name="Deflection")
    event.topics.set([topic])
    publish(event)
    for path in (events_feed_path(), topic_feed_path("deflection"), event_feed_path(event.slug), member_path(member)):
        response = client.get(path)
        assert response["Content-Type"] == CALENDAR_CONTENT_TYPE, path
        assert b"\r\nMETHOD:PUBLISH\r\n" in response.content, path


def test_writes_to_a_feed_are_405_with_allow_not_a_csrf_403(make_event, member):
    """A browser-like client (CSRF checks on, no token): the feed refuses the method, not the missing token."""
    event = make_event()
    client = Client(enforce_csrf_checks=True)
    for path in (events_feed_path(), event_feed_path(event.slug), member_path(member)):
        for method in (client.post, client.put, client.delete):
            response = method(path)
            assert response.status_code == 405, (path, method)
            assert response["Allow"] == "GET, HEAD"


def test_head_costs_what_a_conditional_get_costs_and_sends_the_same_headers(client, make_event, member):
    """HEAD answers from the validators alone: as many queries as a 304, whatever the number of events."""
    for index in range(3):
        make_event(title=f"Session {index}", recurrence_frequency="weekly", recurrence_count=5)
    for path in (events_feed_path(), member_path(member)):
        full = client.get(path)
        with CaptureQueriesContext(connection) as conditional:
            assert client.get(path, HTTP_IF_NONE_MATCH=full["ETag"]).status_code == 304
        with CaptureQueriesContext(connection) as head_queries:
            head = client.head(path)
        assert head.status_code == 200
        assert len(head_queries) == len(conditional), path
        assert b"".join(head.streaming_content) == b""
        for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Disposition"):
            assert head[header] == full[header], header
        # RFC 9110 §8.6: a HEAD response carries the GET's length or none at all, never "0".
        assert not head.has_header("Content-Length")


def test_if_none_match_and_if_modified_since_give_304_cheaply(client, make_event, django_assert_max_num_queries):
    make_event()
    first = client.get(events_feed_path())
    with django_assert_max_num_queries(1):
        not_modified = client.get(events_feed_path(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == first["ETag"]
    since = client.get(events_feed_path(), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    assert client.get(events_feed_path(), HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_a_published_change_changes_the_etag(client, make_event):
    event = make_event()
    etag = client.get(events_feed_path())["ETag"]
    event.title = "Renamed session"
    publish(event)
    response = client.get(events_feed_path(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert b"Renamed session" in response.content


def test_unpublishing_and_restricting_change_the_etag(client, make_event):
    keep, other = make_event(title="Kept"), make_event(title="Goes")
    etag = client.get(events_feed_path())["ETag"]
    other.unpublish()
    response = client.get(events_feed_path(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and b"Goes" not in response.content
    members_only(keep)  # a restriction added in code (no admin log entry): the visible set still changes
    response = client.get(events_feed_path(), HTTP_IF_NONE_MATCH=response["ETag"])
    assert response.status_code == 200 and b"Kept" not in response.content


def test_queries_do_not_grow_with_the_number_of_events(client, make_event):
    def count_queries(path):
        from django.core.cache import caches
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        caches["responses"].clear()  # the build's queries, not a stored feed's
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    topic = TopicFactory(name="Deflection")
    for index in range(3):
        event = make_event(recurrence_frequency="weekly", recurrence_count=5 + index)
        event.topics.set([topic])
        publish(event)
    count_queries(events_feed_path())  # warm the site-root and content-type caches
    few = count_queries(events_feed_path())
    for _ in range(9):
        event = make_event()
        event.topics.set([topic, TopicFactory()])
        publish(event)
    assert count_queries(events_feed_path()) == few
    assert count_queries(topic_feed_path("deflection")) <= few + 1


def test_history_window(client, make_event):
    make_event(title="Last month", start_date=date.today() - timedelta(days=30))
    make_event(title="Last year", start_date=date.today() - timedelta(days=200))
    make_event(title="Still repeating", start_date=date.today() - timedelta(days=400), recurrence_frequency="weekly")
    body = client.get(events_feed_path()).content
    assert b"Last month" in body and b"Still repeating" in body
    assert b"Last year" not in body


def test_topic_feed(client, make_event):
    deflection, other = TopicFactory(name="Deflection"), TopicFactory(name="Early Diversion")
    for title, topic in (("Deflection basics", deflection), ("Unrelated", other)):
        event = make_event(title=title)
        event.topics.set([topic])
        publish(event)
    response = client.get(topic_feed_path("deflection"))
    assert response.status_code == 200
    assert b"Deflection basics" in response.content and b"Unrelated" not in response.content
    assert b"X-WR-CALNAME;VALUE=TEXT:CIT ASSIST: Deflection" in response.content


@pytest.mark.parametrize("slug", ["no-such-topic", "..%2F..%2Fetc%2Fpasswd", "x' OR '1'='1", "d\u00e9flection"])
def test_unknown_topic_is_404(client, slug):
    TopicFactory(name="Deflection")
    assert client.get(f"/calendar/topics/{slug}.ics").status_code == 404


def test_single_event_feed(client, make_event):
    event = make_event(title="Add me")
    make_event(title="Not me")
    response = client.get(event_feed_path(event.slug))
    assert response.status_code == 200
    assert b"Add me" in response.content and b"Not me" not in response.content
    assert client.get(event_feed_path("no-such-event")).status_code == 404


def test_members_only_event_never_reaches_a_public_url(client, make_event, member):
    topic = TopicFactory(name="Deflection")
    secret = members_only(make_event(title="CoP quarterly meeting"))
    secret.topics.set([topic])
    publish(secret)
    draft = make_event(title="Draft session")
    Page.objects.filter(pk=draft.pk).update(live=False)
    assert b"CoP quarterly meeting" not in client.get(events_feed_path()).content
    assert b"CoP quarterly meeting" not in client.get(topic_feed_path("deflection")).content
    assert client.get(event_feed_path(secret.slug)).status_code == 404
    assert client.get(event_feed_path(draft.slug)).status_code == 404
    client.force_login(member)  # a logged-in member still gets no members-only event from a public URL
    assert client.get(event_feed_path(secret.slug)).status_code == 404
    private = Client().get(member_path(member)).content
    assert b"CoP quarterly meeting" in private and b"Draft session" not in private


def test_member_feed_is_private(client, member, make_event):
    make_event()
    response = client.get(member_path(member))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"] == CALENDAR_CONTENT_TYPE
    assert client.get(member_path(member), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


BAD_TOKENS = {
    "empty": "",
    "malformed": "not-a-token",
    "ten-kb": "A" * 10_240,
    "non-ascii": "\u00e9t\u00e9\u2603" * 10,
    "path-traversal": "../../../../etc/passwd",
    "encoded-traversal": "..%2F..%2Fsettings",
    "sql": "x' OR '1'='1'; DROP TABLE events_calendartoken; --",
    "right-shape-unknown": "A" * 43,
}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_bad_tokens_get_the_same_404(client, member, token):
    member_calendar_url(member)
    response = client.get(member_feed_path(token))
    assert response.status_code == 404
    assert response.content == BAD_LINK_BODY
    assert response["Cache-Control"] == "private, no-store"
    assert CalendarToken.objects.count() == 1


def test_revoked_and_rotated_links_get_410_with_the_same_body(client, member, make_event):
    make_event()
    old = member_path(member)
    calendar_token_rotate(user=member)
    new = member_path(member)
    assert new != old
    gone = client.get(old)
    assert gone.status_code == 410
    assert gone.content == BAD_LINK_BODY
    assert len(gone.content) == len(client.get(member_feed_path("A" * 43)).content)
    assert client.get(new).status_code == 200
    calendar_token_revoke(user=member)
    assert client.get(new).status_code == 410


def test_an_inactive_member_link_is_gone(client, member):
    path = member_path(member)
    member.is_active = False
    member.save()
    assert client.get(path).status_code == 410


def next_second() -> None:
    """HTTP dates have one-second resolution: let the clock pass one so a change can show in Last-Modified."""
    time.sleep(1.05)


def test_a_member_feed_is_modified_when_the_member_loses_or_regains_membership(client, member, make_event):
    """A client revalidating with If-Modified-Since alone must not keep members-only sessions and join links."""
    make_event(title="Public webinar")
    members_only(make_event(title="CoP quarterly meeting", join_url="https://meet.example.org/cop"))
    path = member_path(member)
    cached = client.get(path)
    assert b"CoP quarterly meeting" in cached.content and b"meet.example.org" in cached.content
    since = cached["Last-Modified"]
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=since).status_code == 304

    next_second()
    member.groups.remove(Group.objects.get(name=MEMBERS_GROUP))
    response = client.get(path, HTTP_IF_MODIFIED_SINCE=since)
    assert response.status_code == 200
    assert b"CoP quarterly meeting" not in response.content and b"meet.example.org" not in response.content
    assert response["ETag"] != cached["ETag"]
    since = response["Last-Modified"]
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=since).status_code == 304

    next_second()
    member.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    response = client.get(path, HTTP_IF_MODIFIED_SINCE=since)
    assert response.status_code == 200 and b"CoP quarterly meeting" in response.content


def test_a_deactivated_member_revalidating_gets_410_not_304(client, member, make_event):
    make_event()
    path = member_path(member)
    cached = client.get(path)
    member.is_active = False
    member.save()
    for headers in ({"HTTP_IF_MODIFIED_SINCE": cached["Last-Modified"]}, {"HTTP_IF_NONE_MATCH": cached["ETag"]}):
        assert client.get(path, **headers).status_code == 410


def test_an_expired_event_leaves_the_feeds_at_once_and_moves_their_validators(client, make_event, member):
    """Expiry is part of the privacy rule: the worker that unpublishes expired pages may be late or down."""
    event = make_event(title="Expiring session")
    make_event(title="Staying session")
    an_hour_ago = timezone.now() - timedelta(hours=1)  # so the expiry falls in a later second than any publish
    Page.objects.update(last_published_at=an_hour_ago)
    PageLogEntry.objects.update(timestamp=an_hour_ago)
    first = client.get(events_feed_path())
    path = member_path(member)
    client.get(path)  # the link records its holder's access now: move that before the expiry too
    CalendarToken.objects.filter(user=member).update(access_changed_at=an_hour_ago)
    private = client.get(path)
    Page.objects.filter(pk=event.pk).update(expire_at=timezone.now() - timedelta(seconds=1))

    for path, before in ((events_feed_path(), first), (member_path(member), private)):
        response = client.get(path, HTTP_IF_NONE_MATCH=before["ETag"])
        assert response.status_code == 200
        assert b"Expiring session" not in response.content and b"Staying session" in response.content
        # A client that revalidates by date alone is told too.
        assert client.get(path, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]).status_code == 200
