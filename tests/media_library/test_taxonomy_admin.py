"""Editors set a publication's type, a recording's kind and the event a recording is of in the admin: saved when
valid, refused with a clear message when missing or forged, nothing saved."""

import pytest
from django.urls import reverse
from wagtail.models import Collection
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from events.factories import TrainingEventPageFactory
from media_library.factories import DocumentFactory
from media_library.models import PublicationPage, RecordingPage
from tests.media_library.test_members_only_recording_files import add_recording, form_errors, video

pytestmark = pytest.mark.django_db


def add_publication(admin_client, parent, **overrides):
    data = nested_form_data(
        {
            "title": "Measuring CIT Outcomes",
            "slug": "measuring-cit-outcomes",
            "publication_type": "toolkit",
            "publication_date": "2026-05-01",
            "cover_image": "",
            "abstract": rich_text("Forms and checklists for CIT data collection."),
            "document": str(DocumentFactory().pk),
            "comments": inline_formset([]),
            **overrides,
        }
    )
    url = reverse("wagtailadmin_pages:add", args=["media_library", "publicationpage", parent.pk])
    return admin_client.post(url, data)


def test_a_publication_is_saved_with_its_type(admin_client, publication_index):
    assert add_publication(admin_client, publication_index).status_code == 302
    assert PublicationPage.objects.get().publication_type == "toolkit"


# A draft may be saved with required fields still empty (Wagtail defers them to publishing): publishing is checked.
PUBLISH = {"action-publish": "action-publish"}


@pytest.mark.parametrize("value", ["", "newsletter", "TOOLKIT", "x" * 5000])
def test_a_missing_or_forged_publication_type_is_refused(admin_client, publication_index, value):
    response = add_publication(admin_client, publication_index, publication_type=value, **PUBLISH)
    assert response.status_code == 200 and "publication_type" in form_errors(response)
    assert not PublicationPage.objects.exists()


def test_a_recording_is_saved_with_its_kind_and_event(admin_client, recording_index, event_index):
    event = TrainingEventPageFactory(parent=event_index)
    response = add_recording(
        admin_client,
        recording_index,
        video(Collection.get_first_root_node()),
        recording_kind="training_session",
        related_event=str(event.pk),
    )
    assert response.status_code == 302
    recording = RecordingPage.objects.get()
    assert (recording.recording_kind, recording.related_event_id) == ("training_session", event.pk)


@pytest.mark.parametrize(
    ("field", "value"), [("recording_kind", ""), ("recording_kind", "podcast"), ("related_event", "99999999")]
)
def test_a_missing_kind_or_a_forged_event_is_refused(admin_client, recording_index, field, value):
    response = add_recording(
        admin_client, recording_index, video(Collection.get_first_root_node()), **{field: value, **PUBLISH}
    )
    assert response.status_code == 200 and field in form_errors(response)
    assert not RecordingPage.objects.exists()
