"""`viewer` for token holders: members get their private calendar link (which serves their feed), others none;
documents carry the MIME type the media library sniffed from their content."""

from urllib.parse import urlsplit

import pytest

from events.factories import TrainingEventPageFactory
from media_library.factories import DocumentFactory, PublicationPageFactory
from tests.integrations.graphql.helpers import data, members_only, user_in

pytestmark = pytest.mark.django_db

VIEWER = "{ viewer { name isMember calendarUrl calendarWebcalUrl } }"


def test_anonymous_callers_have_no_viewer():
    assert data(VIEWER) == {"viewer": None}


def test_partners_get_no_calendar_link():
    viewer = data(VIEWER, user=user_in("Partners", "cit-international"))["viewer"]
    assert viewer == {"name": "cit-international", "isMember": False, "calendarUrl": None, "calendarWebcalUrl": None}


def test_members_calendar_link_is_https_stable_and_serves_their_private_feed(client, event_index):
    member = user_in("CoP Members", "sgt-rivera")
    members_only(TrainingEventPageFactory(parent=event_index, title="CoP Quarterly Meeting"))

    first = data(VIEWER, user=member)["viewer"]
    assert first["calendarUrl"].startswith("https://cms.example.org/calendar/members/")
    assert first["calendarWebcalUrl"] == "webcal://" + first["calendarUrl"].removeprefix("https://")
    assert data(VIEWER, user=member)["viewer"]["calendarUrl"] == first["calendarUrl"]  # same link every time

    response = client.get(urlsplit(first["calendarUrl"]).path)
    assert response.status_code == 200
    assert b"CoP Quarterly Meeting" in response.content


def test_document_content_type_is_sniffed_not_guessed_from_the_name(publication_index):
    document = DocumentFactory(title="Deflection toolkit")
    PublicationPageFactory(parent=publication_index, title="Deflection toolkit", document=document)
    publication = data('{ publication(slug: "deflection-toolkit") { document { contentType sha256 pageCount } } }')[
        "publication"
    ]
    document.refresh_from_db()
    assert publication["document"] == {
        "contentType": "application/pdf",
        "sha256": document.sha256,
        "pageCount": document.page_count,
    }
    assert len(document.sha256) == 64
