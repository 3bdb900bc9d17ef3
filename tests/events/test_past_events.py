"""The past-events archive over GraphQL: `events(upcoming: false, order: "-start")` lists events that are over,
newest first, with their sessions (`sessions(upcoming: false)`), filtered by several topics; members-only and
draft events stay out for anonymous callers and partners."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from events.factories import TrainingEventPageFactory
from pages.access import MEMBERS_GROUP
from pages.factories import TopicFactory
from tests.integrations.graphql.helpers import data, members_only, user_in

pytestmark = pytest.mark.django_db

ARCHIVE = """query ($topics: [String!], $match: TopicMatch) {
  events(upcoming: false, order: "-start", topics: $topics, topicMatch: $match) {
    items { title sessions(upcoming: false) { startsAt } }
    pagination { total }
  }
}"""


@pytest.fixture
def archive(event_index):
    today = timezone.localdate()
    deflection, youth = TopicFactory(slug="deflection"), TopicFactory(slug="youth")
    made = {}
    for title, days_ago, topics in (
        ("Last year", 365, [deflection]),
        ("Last month", 30, [deflection, youth]),
        ("Last week", 7, [youth]),
        ("Next week", -7, [deflection]),
    ):
        event = TrainingEventPageFactory(parent=event_index, title=title, start_date=today - timedelta(days=days_ago))
        event.topics.set(topics)
        event.save()
        made[title] = event
    return made


def titles(user=None, **variables):
    return [item["title"] for item in data(ARCHIVE, user=user, **variables)["events"]["items"]]


def test_past_events_newest_first_with_their_sessions(archive):
    found = data(ARCHIVE)["events"]
    assert [item["title"] for item in found["items"]] == ["Last week", "Last month", "Last year"]
    assert all(len(item["sessions"]) == 1 for item in found["items"])
    assert found["pagination"]["total"] == 3


def test_the_archive_by_several_topics(archive):
    assert titles(topics=["youth"]) == ["Last week", "Last month"]
    assert titles(topics=["youth", "deflection"], match="ALL") == ["Last month"]


@pytest.mark.parametrize("caller", ["anonymous", "partner"])
def test_members_only_past_events_stay_out_of_the_archive(archive, event_index, caller):
    members_only(archive["Last month"])
    TrainingEventPageFactory(parent=event_index, title="Draft past", start_date=date(2024, 1, 10), live=False)
    user = user_in("Partners", "partner") if caller == "partner" else None
    assert titles(user) == ["Last week", "Last year"]
    assert titles(user_in(MEMBERS_GROUP, "member")) == ["Last week", "Last month", "Last year"]
