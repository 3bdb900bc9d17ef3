"""/api/v2/: Wagtail's REST API (pages only), the GraphQL benchmark's peer, with the contract's event fields."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction
from wagtail.search.index import insert_or_update_object

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


@pytest.fixture
def searchable(event_index):
    """One public event, and drafts, members-only, password, login-only and expired events matching the same words."""
    public = TrainingEventPageFactory(parent=event_index, title="Deflection for Patrol")
    TrainingEventPageFactory(parent=event_index, title="Deflection draft", live=False)
    for kind in (PageViewRestriction.GROUPS, PageViewRestriction.LOGIN, PageViewRestriction.PASSWORD):
        restricted = TrainingEventPageFactory(parent=event_index, title=f"Deflection {kind}")
        restriction = PageViewRestriction.objects.create(page=restricted, restriction_type=kind, password="pw")
        restriction.groups.set([Group.objects.get(name="CoP Members")])
    TrainingEventPageFactory(parent=event_index, title="Deflection expired", expire_at=timezone.now() - timedelta(1))
    for page in Page.objects.filter(title__startswith="Deflection"):
        insert_or_update_object(page.specific)
    return public


@pytest.mark.parametrize("params", [{}, {"type": "events.TrainingEventPage"}, {"type": "wagtailcore.Page"}])
def test_search_finds_public_pages_and_never_restricted_drafts_or_expired_ones(client, searchable, params):
    response = client.get("/api/v2/pages/", {"search": "deflection", **params})
    assert response.status_code == 200, response.content
    assert [item["title"] for item in response.json()["items"]] == ["Deflection for Patrol"]


def test_search_with_hostile_words_is_answered_not_a_server_error(client, searchable):
    """Punctuation never reaches the database's full-text syntax (an unbalanced quote was a 5xx on SQLite)."""
    for words in ('"deflection', "deflection*", "(deflection", "deflection OR 1=1", "'deflection'", "deflection -x"):
        response = client.get("/api/v2/pages/", {"search": words})
        assert response.status_code == 200, (words, response.content)
        assert {item["title"] for item in response.json()["items"]} <= {"Deflection for Patrol"}
    for words, message in (('"', "at least one word"), ("%*", "at least one word"), ("a" * 201, "too long")):
        response = client.get("/api/v2/pages/", {"search": words})
        assert response.status_code == 400
        assert message in response.json()["message"]


def test_expired_pages_leave_the_listing_and_their_detail_at_once(client, event_index):
    event = TrainingEventPageFactory(parent=event_index, title="Deflection for Patrol")
    assert client.get(f"/api/v2/pages/{event.pk}/").status_code == 200
    Page.objects.filter(pk=event.pk).update(expire_at=timezone.now() - timedelta(seconds=1))

    assert client.get("/api/v2/pages/", {"type": "events.TrainingEventPage"}).json()["items"] == []
    assert client.get(f"/api/v2/pages/{event.pk}/").status_code == 404
