"""The exact bytes a partner receives for each kind of page: the contract, pinned so no refactor changes it."""

from datetime import UTC, date, datetime, time

import pytest
from wagtail.models import Page, get_page_models

from events.factories import TrainingEventPageFactory
from integrations.webhooks import selectors, services
from integrations.webhooks.models import KINDS
from media_library.factories import PublicationPageFactory, RecordingPageFactory
from pages.factories import ProgramPageFactory

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
RECORDED = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def body(page, action="updated", audience="trusted") -> str:
    message = services.page_message_record(page=page, action=action)
    message.created_at = RECORDED
    return selectors.delivery_body(message, audience)


def test_an_event_payload(event_index):
    event = TrainingEventPageFactory(
        parent=event_index,
        title="Youth in Suicide Crisis",
        slug="youth",
        start_date=date(2027, 4, 8),
        start_time=time(13, 0),
        end_time=time(14, 30),
        time_zone="America/Denver",
        last_published_at=PUBLISHED,
    )
    assert body(event) == (
        '{"type":"event.updated","timestamp":"2026-11-03T09:00:00+00:00","data":{"id":<id>,'
        '"typename":"TrainingEventPage","slug":"youth","title":"Youth in Suicide Crisis",'
        '"url":"https://cms.example.org/training-events/youth/","lastPublishedAt":"2026-11-02T15:30:00+00:00",'
        '"startsAt":"2027-04-08T13:00:00-06:00","endsAt":"2027-04-08T14:30:00-06:00","timeZone":"America/Denver",'
        '"status":"scheduled","icalSequence":0}}'
    ).replace("<id>", str(event.pk))


def test_a_publication_payload(publication_index):
    publication = PublicationPageFactory(
        parent=publication_index, title="Brief", slug="brief", publication_date=date(2025, 6, 1)
    )
    assert body(publication, "published") == (
        '{"type":"publication.published","timestamp":"2026-11-03T09:00:00+00:00","data":{"id":<id>,'
        '"typename":"PublicationPage","slug":"brief","title":"Brief","url":"https://cms.example.org/resource-library/brief/",'
        '"lastPublishedAt":null,"publishedOn":"2025-06-01"}}'
    ).replace("<id>", str(publication.pk))


def test_a_recording_payload(recording_index):
    recording = RecordingPageFactory(parent=recording_index, title="Webinar", slug="webinar")
    assert body(recording, "unpublished") == (
        '{"type":"recording.unpublished","timestamp":"2026-11-03T09:00:00+00:00","data":{"id":<id>,'
        '"typename":"RecordingPage","slug":"webinar","title":"Webinar",'
        '"url":"https://cms.example.org/meeting-and-webinar-recordings/webinar/","lastPublishedAt":null,'
        '"recordedOn":"2025-09-18"}}'
    ).replace("<id>", str(recording.pk))


def test_any_other_page_payload(home_page):
    program = ProgramPageFactory(parent=home_page, title="Program", slug="program", last_published_at=PUBLISHED)
    assert body(program) == (
        '{"type":"page.updated","timestamp":"2026-11-03T09:00:00+00:00","data":{"id":<id>,"typename":"ProgramPage",'
        '"slug":"program","title":"Program","url":"https://cms.example.org/program/",'
        '"lastPublishedAt":"2026-11-02T15:30:00+00:00"}}'
    ).replace("<id>", str(program.pk))


def test_a_deleted_page_payload_has_the_common_fields_of_its_kind(event_index):
    """Deletion sees the base Page row: the kind and typename still come from the specific class."""
    event = TrainingEventPageFactory(parent=event_index, title="Gone", slug="gone", last_published_at=PUBLISHED)
    assert body(Page.objects.get(pk=event.pk), "deleted") == (
        '{"type":"event.deleted","timestamp":"2026-11-03T09:00:00+00:00","data":{"id":<id>,'
        '"typename":"TrainingEventPage","slug":"gone","title":"Gone","url":"https://cms.example.org/training-events/gone/",'
        '"lastPublishedAt":"2026-11-02T15:30:00+00:00"}}'
    ).replace("<id>", str(event.pk))


def test_a_members_only_payload_to_a_public_endpoint_is_id_and_typename(event_index):
    event = TrainingEventPageFactory(parent=event_index)
    message = services.page_message_record(page=event, action="updated")
    message.public, message.created_at = False, RECORDED
    assert selectors.delivery_body(message, "public") == (
        '{"type":"event.updated","timestamp":"2026-11-03T09:00:00+00:00",'
        '"data":{"id":<id>,"typename":"TrainingEventPage"}}'
    ).replace("<id>", str(event.pk))


def test_every_page_model_declares_a_known_kind():
    """A kind outside KINDS would send a `type` no endpoint can subscribe to (subscriptions are validated)."""
    kinds = {model.__name__: selectors.page_kind(model()) for model in get_page_models()}
    assert set(kinds.values()) <= set(KINDS)
    assert kinds["TrainingEventPage"] == "event" and kinds["ProgramPage"] == "page"
