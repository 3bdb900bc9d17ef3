"""/api/v2/: Wagtail's REST API (pages only), the GraphQL benchmark's peer, with the contract's event fields."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from events.factories import TrainingEventPageFactory
from pages.factories import PersonFactory, TopicFactory

pytestmark = pytest.mark.django_db
FIELDS = "summary,start,end,time_zone,status,delivery_mode,registration_url,ical_url,topics,facilitators"


def test_lists_public_live_events_with_the_contract_fields(client, event_index):
    topic = TopicFactory(name="Deflection", slug="deflection")
    person = PersonFactory(name="Ana Ruiz", role="Facilitator", organization="CIT Intl")
    event = TrainingEventPageFactory(parent=event_index, title="Deflection for Patrol", slug="deflection-patrol")
    event.topics.set([topic])
    event.facilitators.set([person])
    event.save_revision().publish()
    members_only = TrainingEventPageFactory(parent=event_index, title="CoP Quarterly Meeting")
    restriction = PageViewRestriction.objects.create(page=members_only, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name="CoP Members")])
    TrainingEventPageFactory(parent=event_index, title="Unpublished Draft", live=False)

    response = client.get("/api/v2/pages/", {"type": "events.TrainingEventPage", "fields": FIELDS})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["title"] for item in items] == ["Deflection for Patrol"]
    item = items[0]
    assert item["topics"] == [{"name": "Deflection", "slug": "deflection"}]
    assert item["facilitators"] == [{"name": "Ana Ruiz", "role": "Facilitator", "organization": "CIT Intl"}]
    assert item["ical_url"] == "https://cms.example.org/calendar/events/deflection-patrol.ics"
    assert item["time_zone"] == event.time_zone


def test_live_pages_below_an_unpublished_parent_are_not_listed(client, event_index):
    """Wagtail's `.public()` alone would list them; the shared privacy rule does not, here as everywhere."""
    TrainingEventPageFactory(parent=event_index, title="Deflection for Patrol")
    event_index.unpublish()

    response = client.get("/api/v2/pages/", {"type": "events.TrainingEventPage"})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_documents_and_images_endpoints_are_not_served(client):
    assert client.get("/api/v2/documents/").status_code == 404
    assert client.get("/api/v2/images/").status_code == 404
