"""A recording's link to the event it records (`relatedEvent`), through the privacy rule: a public recording of a
members-only or draft event never reveals the event to anonymous callers or partners; the list stays at a constant
number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.factories import TrainingEventPageFactory
from media_library.factories import RecordingPageFactory
from pages.access import MEMBERS_GROUP
from tests.integrations.graphql.helpers import data, members_only, user_in

pytestmark = pytest.mark.django_db

RECORDINGS = "{ recordings { items { title relatedEvent { title slug contentKind } } } }"
RECORDING = "query ($slug: String) { recording(slug: $slug) { relatedEvent { title } } }"


@pytest.fixture
def recordings(event_index, recording_index):
    public_event = TrainingEventPageFactory(parent=event_index, title="Open webinar", slug="open-webinar")
    members_event = TrainingEventPageFactory(parent=event_index, title="CoP meeting", slug="cop-meeting")
    members_only(members_event)
    draft_event = TrainingEventPageFactory(parent=event_index, title="Draft session", slug="draft-session", live=False)
    for title, event in (
        ("Of the webinar", public_event),
        ("Of the meeting", members_event),
        ("Of the draft", draft_event),
    ):
        RecordingPageFactory(
            parent=recording_index, title=title, slug=title.lower().replace(" ", "-"), related_event=event
        )


def events_by_recording(user=None):
    items = data(RECORDINGS, user=user)["recordings"]["items"]
    return {item["title"]: item["relatedEvent"] and item["relatedEvent"]["title"] for item in items}


@pytest.mark.parametrize("caller", ["anonymous", "partner", "member of another group"])
def test_a_public_recording_never_reveals_a_members_only_or_draft_event(recordings, caller):
    user = {
        "anonymous": None,
        "partner": user_in("Partners", "partner"),
        "member of another group": user_in("Editors", "ed"),
    }[caller]
    assert events_by_recording(user) == {"Of the webinar": "Open webinar", "Of the meeting": None, "Of the draft": None}
    assert data(RECORDING, user=user, slug="of-the-meeting")["recording"]["relatedEvent"] is None
    assert data(RECORDING, user=user, slug="of-the-draft")["recording"]["relatedEvent"] is None


def test_members_see_the_members_only_event_but_never_a_draft(recordings):
    member = user_in(MEMBERS_GROUP, "member")
    assert events_by_recording(member) == {
        "Of the webinar": "Open webinar",
        "Of the meeting": "CoP meeting",
        "Of the draft": None,
    }


def test_recordings_with_their_events_run_a_constant_number_of_queries(event_index, recording_index):
    def add(count):
        for _ in range(count):
            RecordingPageFactory(parent=recording_index, related_event=TrainingEventPageFactory(parent=event_index))

    def count():
        with CaptureQueriesContext(connection) as queries:
            items = data(RECORDINGS)["recordings"]["items"]
        assert all(item["relatedEvent"]["contentKind"] == "EVENT" for item in items)
        return len(queries)

    add(2)
    few = count()
    add(10)
    assert count() == few
