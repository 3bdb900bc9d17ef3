"""The "Training events" listing in the admin: what an editor plans from.

Soonest upcoming first, each row with its next session in the event's own time zone, its delivery and event status;
filters for upcoming/past, topic, event status and delivery.
"""

import re
from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.factories import TrainingEventPageFactory
from events.models import TrainingEventPage
from pages.editorial import EDITORS
from pages.models import Topic

pytestmark = pytest.mark.django_db

URL = reverse("training_events:index")
TODAY = date.today()


def titles_in_order(html: str) -> list[str]:
    return re.findall(r'id="page_\d+_title">\s*([^<]+?)\s*</span>', html)


@pytest.fixture
def planned(event_index):
    later = TrainingEventPageFactory(parent=event_index, title="Event later", start_date=TODAY + timedelta(days=60))
    past = TrainingEventPageFactory(parent=event_index, title="Event past", start_date=TODAY - timedelta(days=10))
    soon = TrainingEventPageFactory(
        parent=event_index,
        title="Event soon",
        start_date=TODAY + timedelta(days=3),
        start_time=time(9, 30),
        end_time=time(11, 0),
        time_zone="Europe/London",
        delivery_mode="in_person",
        location="Royal Armouries, Leeds",
    )
    long_past = TrainingEventPageFactory(
        parent=event_index, title="Event long past", start_date=TODAY - timedelta(days=400), status="cancelled"
    )
    weekly = TrainingEventPageFactory(
        parent=event_index,
        title="Event weekly",
        # Sessions 13 and 6 days ago, then tomorrow: the third is ahead whatever the time of day the test runs at.
        start_date=TODAY - timedelta(days=13),
        recurrence_frequency="weekly",
        recurrence_count=8,
    )
    return {"soon": soon, "later": later, "past": past, "long_past": long_past, "weekly": weekly}


def test_upcoming_events_come_first_soonest_first_then_past_events_newest_first(admin_client, planned):
    response = admin_client.get(URL)

    assert response.status_code == 200
    # The weekly series began 13 days ago but still has sessions ahead, so it is upcoming (ordered by its start).
    assert titles_in_order(response.content.decode()) == [
        "Event weekly",
        "Event soon",
        "Event later",
        "Event past",
        "Event long past",
    ]


def test_each_row_shows_the_next_session_in_the_events_own_time_zone_and_its_status(admin_client, planned):
    html = admin_client.get(URL).content.decode()

    soon_day = TODAY + timedelta(days=3)
    assert f"{soon_day:%a %b %-d, %Y}, 9:30 AM" in html
    assert re.search(rf"{soon_day:%b %-d, %Y}, 9:30 AM (GMT|BST)", html)  # London time, not the server's
    assert "In person" in html and "Cancelled" in html
    next_weekly = planned["weekly"].sessions()[2]  # two sessions are behind it, the third is ahead
    assert f"{next_weekly.start.astimezone(planned['weekly'].zone):%a %b %-d, %Y}" in html
    past_day = TODAY - timedelta(days=10)
    assert f"{past_day:%a %b %-d, %Y}, 1:00 PM" in html and "(past)" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"when": "upcoming"}, {"Event weekly", "Event soon", "Event later"}),
        ({"when": "past"}, {"Event past", "Event long past"}),
        ({"event_status": "cancelled"}, {"Event long past"}),
        ({"delivery_mode": "in_person"}, {"Event soon"}),
    ],
)
def test_filters(admin_client, planned, query, expected):
    response = admin_client.get(URL, query)

    assert response.status_code == 200
    assert set(titles_in_order(response.content.decode())) == expected


def test_topic_filter(admin_client, planned):
    deflection = Topic.objects.create(name="Deflection", slug="deflection")
    planned["later"].topics.add(deflection)
    planned["later"].save()

    html = admin_client.get(URL, {"topics": [deflection.pk]}).content.decode()

    assert titles_in_order(html) == ["Event later"]


@pytest.mark.parametrize(
    "query",
    [
        {"when": "tomorrow"},
        {"topics": ["not-a-number"]},
        {"event_status": "<script>alert(1)</script>"},
        {"ordering": "password"},
        {"p": "999999"},
    ],
)
def test_hostile_query_strings_get_the_listing_not_an_error(admin_client, planned, query):
    response = admin_client.get(URL, query)

    assert response.status_code in (200, 404)  # a page past the end is Wagtail's 404
    assert b"<script>alert(1)</script>" not in response.content


def test_an_editor_sees_the_listing_and_its_menu_item(client, planned, users):
    client.force_login(users[EDITORS])

    assert client.get(URL).status_code == 200
    assert "/admin/training_events/" in client.get(reverse("wagtailadmin_home")).content.decode()  # sidebar menu


def test_the_listing_costs_the_same_queries_for_5_and_20_events(admin_client, planned, event_index):
    admin_client.get(URL)  # warm the per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as five:
        admin_client.get(URL)
    for day in range(15):
        TrainingEventPageFactory(parent=event_index, start_date=TODAY + timedelta(days=day + 90))
    assert TrainingEventPage.objects.count() == 20
    with CaptureQueriesContext(connection) as twenty:
        admin_client.get(URL)

    assert len(twenty) == len(five)
