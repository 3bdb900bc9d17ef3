"""The contract's root fields: what they return, filters, ordering allow-lists and pagination bounds."""

from datetime import date, timedelta

import pytest

from events.factories import TrainingEventPageFactory
from pages.factories import PersonFactory, TopicFactory
from tests.integrations.graphql_helpers import data, error_messages

pytestmark = pytest.mark.django_db

EVENTS = """
query ($topic: String, $order: String, $page: Int, $perPage: Int, $upcoming: Boolean) {
  events(topic: $topic, order: $order, page: $page, perPage: $perPage, upcoming: $upcoming) {
    items { id title slug url urlPath summary startsAt endsAt timeZone status deliveryMode registrationUrl
            icalUrl webcalUrl googleCalendarUrl topics { name slug } facilitators { name role organization } }
    pagination { total count perPage currentPage totalPages prevPage nextPage }
  }
}
"""


@pytest.fixture
def crisis_line():
    return TopicFactory(name="988 Crisis Hotline", slug="988-crisis-hotline")


@pytest.fixture
def two_events(event_index, crisis_line):
    later = TrainingEventPageFactory(
        parent=event_index, title="Youth in Suicide Crisis", start_date=date.today() + timedelta(days=60)
    )
    sooner = TrainingEventPageFactory(
        parent=event_index,
        title="988 and CIT",
        slug="988-and-cit",
        start_date=date.today() + timedelta(days=10),
        time_zone="America/Chicago",
    )
    sooner.topics.add(crisis_line)
    sooner.facilitators.add(PersonFactory(name="Ana Ruiz", role="Facilitator", organization="NCPI"))
    sooner.save()  # parental relations are written on save
    return sooner, later


def test_events_list_the_contract_fields_soonest_first(two_events):
    result = data(EVENTS)["events"]
    first = result["items"][0]
    assert [item["title"] for item in result["items"]] == ["988 and CIT", "Youth in Suicide Crisis"]
    assert first["timeZone"] == "America/Chicago"
    assert first["status"] == "SCHEDULED"
    assert first["deliveryMode"] == "LIVE_VIRTUAL"
    assert first["url"] == "https://cms.example.org/training-events/988-and-cit/"
    assert first["urlPath"] == "/training-events/988-and-cit/"
    assert first["icalUrl"] == "https://cms.example.org/calendar/events/988-and-cit.ics"
    assert first["webcalUrl"] == "webcal://cms.example.org/calendar/events/988-and-cit.ics"
    assert first["googleCalendarUrl"].startswith("https://calendar.google.com/calendar/render?cid=webcal")
    assert first["topics"] == [{"name": "988 Crisis Hotline", "slug": "988-crisis-hotline"}]
    assert first["facilitators"] == [{"name": "Ana Ruiz", "role": "Facilitator", "organization": "NCPI"}]
    assert result["pagination"] == {
        "total": 2,
        "count": 2,
        "perPage": 20,
        "currentPage": 1,
        "totalPages": 1,
        "prevPage": None,
        "nextPage": None,
    }


def test_events_filter_by_topic_and_order_from_the_allow_list(two_events):
    assert [i["title"] for i in data(EVENTS, topic="988-crisis-hotline")["events"]["items"]] == ["988 and CIT"]
    titles = [i["title"] for i in data(EVENTS, order="-start")["events"]["items"]]
    assert titles == ["Youth in Suicide Crisis", "988 and CIT"]


def test_events_pages(two_events):
    result = data(EVENTS, perPage=1, page=2)["events"]
    assert [i["title"] for i in result["items"]] == ["Youth in Suicide Crisis"]
    assert result["pagination"]["totalPages"] == 2
    assert result["pagination"]["prevPage"] == 1


@pytest.mark.parametrize("order", ["owner__password", "start; DROP TABLE x", "-owner", "draft_title", ""])
def test_order_outside_the_allow_list_is_a_clear_error(two_events, order):
    (message,) = error_messages(EVENTS, order=order)
    assert message.startswith("Unknown order")
    assert "start, -start, title, -title" in message


@pytest.mark.parametrize(
    ("page", "per_page", "expected"),
    [
        (1, 101, "perPage must be between 1 and 100."),
        (1, 1000000, "perPage must be between 1 and 100."),
        (1, 0, "perPage must be between 1 and 100."),
        (1, -5, "perPage must be between 1 and 100."),
        (0, 10, "page must be 1 or more."),
        (-3, 10, "page must be 1 or more."),
        (2**31 - 1, 100, "page is too far into the list"),
    ],
)
def test_pagination_bounds_are_clear_errors(two_events, page, per_page, expected):
    (message,) = error_messages(EVENTS, page=page, perPage=per_page)
    assert message.startswith(expected)


def test_topics_with_their_feed_links(crisis_line):
    TopicFactory(name="Deflection", slug="deflection")
    topics = data("{ topics { name slug kind icalUrl webcalUrl googleCalendarUrl } }")["topics"]
    assert [topic["slug"] for topic in topics] == ["988-crisis-hotline", "deflection"]
    assert topics[1]["icalUrl"] == "https://cms.example.org/calendar/topics/deflection.ics"
    assert topics[1]["webcalUrl"] == "webcal://cms.example.org/calendar/topics/deflection.ics"
    assert topics[1]["kind"] == "TRAINING"
