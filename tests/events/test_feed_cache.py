"""Feeds built once per content version (events/views.py + cms/response_cache.py): the builder runs on the first
GET after a change only; HEAD and conditional requests never run it; members' feeds are stored per member."""

from unittest import mock

import pytest

from events import views
from events.calendar_links import event_feed_path, events_feed_path, topic_feed_path
from pages.factories import TopicFactory
from tests.events.conftest import members_only, publish
from tests.events.test_feeds import member_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    calls = []
    real = views.build_calendar

    def counted(*args, **kwargs):
        calls.append(kwargs.get("name"))
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "build_calendar", counted)
    return calls


def test_each_feed_is_built_once_per_version(client, make_event, builds):
    topic = TopicFactory(name="Deflection", slug="deflection")
    event = make_event(title="Crisis response basics", slug="crisis-basics")
    event.topics.set([topic])
    publish(event)
    paths = (events_feed_path(), topic_feed_path("deflection"), event_feed_path("crisis-basics"))
    first = [client.get(path).content for path in paths]
    again = [client.get(path).content for path in paths]
    assert first == again and len(builds) == 3
    make_event(title="Just published")
    assert b"Just published" in client.get(events_feed_path()).content
    assert len(builds) == 4


def test_head_and_conditional_requests_never_build(client, make_event, builds):
    make_event(title="Crisis response basics")
    for method in (client.head, client.get):  # before anything is stored, then after
        response = client.head(events_feed_path())
        assert response.status_code == 200 and b"".join(response.streaming_content) == b""
        etag, modified = response["ETag"], response["Last-Modified"]
        assert client.get(events_feed_path(), HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(events_feed_path(), HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        method(events_feed_path())
    assert len(builds) == 1  # the one plain GET
    with mock.patch.object(views, "build_calendar", side_effect=AssertionError("built")):
        assert client.get(events_feed_path(), HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(events_feed_path()).status_code == 200  # stored


def test_members_feeds_are_stored_per_member(client, make_event, member, builds, django_user_model):
    from django.contrib.auth.models import Group

    from pages.access import MEMBERS_GROUP

    members_only(make_event(title="Members session"))
    other = django_user_model.objects.create_user("member-2", password="pw-for-tests")
    other.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    partner = django_user_model.objects.create_user("partner-cal", password="pw-for-tests")
    mine, theirs, outsider = member_path(member), member_path(other), member_path(partner)
    assert b"Members session" in client.get(mine).content
    assert b"Members session" in client.get(theirs).content
    assert b"Members session" not in client.get(outsider).content  # no member: their own stored feed, public only
    assert b"Members session" not in client.get(events_feed_path()).content
    client.get(mine)
    assert len(builds) == 4
    assert client.get(mine)["Cache-Control"] == "private, no-store"


def test_a_stored_feed_past_its_check_is_kept_while_its_validators_agree(client, make_event, builds, settings):
    """Every RESPONSE_CACHE_SECONDS a stored feed is checked against its validators (the clock alone can change a
    feed) and kept while they agree; a change no publish announced (a raw update, as a script might make) is caught
    by the check and the feed built again."""
    from django.db.models import F

    from events.models import TrainingEventPage

    event = make_event(title="Crisis response basics")
    first = client.get(events_feed_path())
    settings.RESPONSE_CACHE_SECONDS = 0  # every request is past its check
    for _ in range(3):
        again = client.get(events_feed_path())
        assert again.content == first.content and again["ETag"] == first["ETag"]
    assert len(builds) == 1
    TrainingEventPage.objects.filter(pk=event.pk).update(ical_sequence=F("ical_sequence") + 1)
    changed = client.get(events_feed_path())
    assert len(builds) == 2 and changed["ETag"] != first["ETag"]
    assert b"SEQUENCE:" + str(event.ical_sequence + 1).encode() in changed.content


def test_a_stored_feed_within_its_check_reads_no_events(client, make_event, django_assert_num_queries):
    make_event(title="Crisis response basics")
    client.get(events_feed_path())
    with django_assert_num_queries(1):  # the content version
        assert client.get(events_feed_path()).status_code == 200
