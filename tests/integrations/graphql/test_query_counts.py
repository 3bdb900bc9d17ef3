"""No N+1: each contract list runs the same number of SQL queries for 5 items as for 50, with its relations,
StreamField blocks (images, documents, topics, rich-text links) and the viewer's privacy checks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.factories import TrainingEventPageFactory
from media_library.factories import (
    CaptionsFactory,
    DocumentFactory,
    ImageFactory,
    PublicationPageFactory,
    RecordingPageFactory,
)
from pages.access import MEMBERS_GROUP
from pages.factories import PersonFactory, TopicFactory
from tests.integrations.graphql.helpers import data, user_in

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EVENTS = """
query ($perPage: Int) {
  events(perPage: $perPage) {
    items { id title slug url summary startsAt endsAt timeZone status deliveryMode registrationUrl joinUrl icalUrl
            sessions { startsAt status }
            topics { name slug icalUrl } facilitators { name role organization photo { title alt } }
            body { blockType ... on RichTextBlock { html } ... on ImageBlock { image { title } alt }
                   ... on DocumentLinkBlock { label document { url fileSize contentType } }
                   ... on TopicListBlock { topics { slug } } } }
    pagination { total }
  }
}
"""
PUBLICATIONS = """
query ($perPage: Int) {
  publications(perPage: $perPage) {
    items { title publishedOn abstract documentUrl document { fileSize contentType } coverImage { alt }
            authors { name photo { title } } topics { slug } }
    pagination { total }
  }
}
"""
RECORDINGS = """
query ($perPage: Int) {
  recordings(perPage: $perPage) {
    items { title recordedOn duration videoUrl captionsUrl transcript presenters { name } topics { slug }
            relatedEvent { title topics { slug } } }
    pagination { total }
  }
}
"""


@pytest.fixture
def shared(home_page):
    return {
        "topics": [TopicFactory(name=f"Topic {n}") for n in range(3)],
        "people": [PersonFactory(photo=ImageFactory()) for _ in range(3)],
        "image": ImageFactory(),
        "document": DocumentFactory(),
    }


def make_events(event_index, shared, count):
    for n in range(count):
        link = f'<p><a linktype="page" id="{event_index.pk}">All events</a> '
        link += f'<a linktype="document" id="{shared["document"].pk}">notes</a></p>'
        event = TrainingEventPageFactory(
            parent=event_index,
            title=f"Event {n}",
            join_url="https://meet.example.org/x",
            body=[
                ("paragraph", link),
                ("image", {"image": ImageFactory(), "alt_text": "", "decorative": False}),
                ("document", {"document": DocumentFactory(), "label": ""}),
                ("topic_list", {"heading": "Topics", "topics": shared["topics"][:2]}),
            ],
        )
        event.topics.set(shared["topics"])
        event.facilitators.set(shared["people"][: 1 + n % 3])
        event.save()


def count_queries(query, *, user=None, **variables) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        result = data(query, user=user, **variables)
    return len(queries), result


@pytest.mark.parametrize("member", [False, True])
def test_events_query_count_does_not_grow_with_the_page_size(event_index, shared, member):
    user = user_in(MEMBERS_GROUP, "member") if member else None
    make_events(event_index, shared, 50)
    few, small = count_queries(EVENTS, user=user, perPage=5)
    many, large = count_queries(EVENTS, user=user, perPage=50)
    assert len(small["events"]["items"]) == 5
    assert len(large["events"]["items"]) == 50
    assert large["events"]["items"][0]["body"][1]["image"] is not None
    assert few == many, f"{few} queries for 5 events, {many} for 50"


def test_events_query_count_is_pinned(event_index, shared, django_assert_num_queries):
    make_events(event_index, shared, 5)
    member = user_in(MEMBERS_GROUP, "member")
    # count, events, topics, facilitators, default site root, block documents, images (+renditions: the
    # facilitators' photos and the blocks' images in one query), block topics, linked pages, member check, skipped
    # and changed sessions, which events are public (a member's calendar links differ for members-only ones).
    with django_assert_num_queries(14):
        data(EVENTS, user=member, perPage=5)


def test_images_nobody_asks_for_are_not_loaded(event_index, shared, django_assert_num_queries):
    make_events(event_index, shared, 5)
    # count, events, facilitators: the facilitators have photos and the events topics, the query selects neither.
    with django_assert_num_queries(3):
        result = data("{ events(perPage: 5) { items { title facilitators { name } } } }")
    assert len(result["events"]["items"]) == 5


def test_publications_query_count_does_not_grow_with_the_page_size(publication_index, shared):
    for n in range(50):
        publication = PublicationPageFactory(parent=publication_index, title=f"Brief {n}", cover_image=ImageFactory())
        publication.authors.set(shared["people"])
        publication.topics.set(shared["topics"])
        publication.save()
    few, _small = count_queries(PUBLICATIONS, perPage=5)
    many, large = count_queries(PUBLICATIONS, perPage=50)
    assert len(large["publications"]["items"]) == 50
    assert large["publications"]["items"][0]["coverImage"] is not None
    assert few == many, f"{few} queries for 5 publications, {many} for 50"


def test_recordings_query_count_does_not_grow_with_the_page_size(event_index, recording_index, shared):
    event = TrainingEventPageFactory(parent=event_index, title="CoP meeting")
    event.topics.set(shared["topics"])
    event.save()
    for n in range(50):
        recording = RecordingPageFactory(
            parent=recording_index, title=f"Recording {n}", related_event=event, captions=CaptionsFactory()
        )
        recording.presenters.set(shared["people"])
        recording.topics.set(shared["topics"])
        recording.save()
    few, _small = count_queries(RECORDINGS, perPage=5)
    many, large = count_queries(RECORDINGS, perPage=50)
    assert len(large["recordings"]["items"]) == 50
    assert large["recordings"]["items"][0]["relatedEvent"]["topics"]
    assert few == many, f"{few} queries for 5 recordings, {many} for 50"


def test_children_and_courses_query_counts_do_not_grow(home_page, course_index, shared):
    from pages.factories import CoursePageFactory, ProgramPageFactory

    for n in range(50):
        program = ProgramPageFactory(parent=home_page, title=f"Program {n}")
        program.topics.set(shared["topics"])
        program.save()
        course = CoursePageFactory(parent=course_index, title=f"Course {n}")
        course.topics.set(shared["topics"])
        course.save()
    children = """query ($perPage: Int) { page(urlPath: "/") { children(perPage: $perPage) { items {
      title url ... on ProgramPage { topics { slug } body { blockType } } } } } }"""
    courses = "query ($perPage: Int) { courses(perPage: $perPage) { items { title topics { slug } } } }"
    for query in (children, courses):
        count_queries(query, perPage=1)  # warm Django's process-wide content-type cache
        few, _ = count_queries(query, perPage=5)
        many, _ = count_queries(query, perPage=50)
        assert few == many, f"{few} queries for 5 items, {many} for 50"
