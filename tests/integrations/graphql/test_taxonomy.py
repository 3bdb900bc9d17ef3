"""The library's taxonomy over GraphQL: publication types, recording kinds, recording search and several topics at
once (any/all) on events, publications, recordings and courses; hostile arguments get clear errors; privacy holds
whatever the filter; lists keep a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.index import insert_or_update_object

from events.factories import TrainingEventPageFactory
from media_library.factories import PublicationPageFactory, RecordingPageFactory
from media_library.models import PublicationType, RecordingKind
from pages.access import MEMBERS_GROUP
from pages.factories import CoursePageFactory, TopicFactory
from tests.integrations.graphql.helpers import data, error_messages, members_only, user_in

pytestmark = pytest.mark.django_db

LISTS = {
    "events": "events",
    "publications": "publications",
    "recordings": "recordings",
    "courses": "courses",
}


def tag(page, topics) -> None:
    page.topics.set(topics)
    page.save()  # a ParentalManyToManyField is written on save


@pytest.fixture
def topics():
    return {
        slug: TopicFactory(name=slug.replace("-", " ").title(), slug=slug) for slug in ("deflection", "988", "youth")
    }


@pytest.fixture
def tagged(topics, event_index, publication_index, recording_index, course_index):
    """For each list: one item on deflection only, one on deflection and 988, one on youth only."""
    factories = {
        "events": (TrainingEventPageFactory, event_index),
        "publications": (PublicationPageFactory, publication_index),
        "recordings": (RecordingPageFactory, recording_index),
        "courses": (CoursePageFactory, course_index),
    }
    made = {}
    for name, (factory, parent) in factories.items():
        for title, slugs in (
            ("Only deflection", ["deflection"]),
            ("Both", ["deflection", "988"]),
            ("Youth", ["youth"]),
        ):
            page = factory(parent=parent, title=f"{name} {title}")
            tag(page, [topics[slug] for slug in slugs])
            made[(name, title)] = page
    return made


def titles(field, user=None, **arguments):
    query = f"""query ($topic: String, $topics: [String!], $match: TopicMatch) {{
      {field}(topic: $topic, topics: $topics, topicMatch: $match) {{ items {{ title }} pagination {{ total }} }} }}"""
    result = data(query, user=user, **arguments)[field]
    assert result["pagination"]["total"] == len(result["items"])
    return sorted(item["title"].removeprefix(f"{field} ") for item in result["items"])


@pytest.mark.parametrize("field", LISTS)
def test_several_topics_match_any_by_default_or_all(tagged, field):
    assert titles(field, topics=["deflection", "youth"]) == ["Both", "Only deflection", "Youth"]
    assert titles(field, topics=["deflection", "youth"], match="ANY") == ["Both", "Only deflection", "Youth"]
    assert titles(field, topics=["deflection", "988"], match="ALL") == ["Both"]
    assert titles(field, topics=["deflection", "youth"], match="ALL") == []
    # A repeated slug counts once; an unknown one matches nothing (as `topic` does).
    assert titles(field, topics=["deflection", "deflection"], match="ALL") == ["Both", "Only deflection"]
    assert titles(field, topics=["no-such-topic"]) == []
    assert titles(field, topics=["deflection", "no-such-topic"], match="ALL") == []


@pytest.mark.parametrize("field", LISTS)
def test_the_single_topic_argument_still_works(tagged, field):
    assert titles(field, topic="988") == ["Both"]


@pytest.mark.parametrize("field", LISTS)
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"topics": []}, "topics is empty"),
        ({"topics": [f"topic-{n}" for n in range(100)]}, "at most 20"),
        ({"topic": "988", "topics": ["youth"]}, "not both"),
    ],
)
def test_hostile_topic_filters_get_clear_errors(tagged, field, arguments, message):
    query = f"""query ($topic: String, $topics: [String!]) {{
      {field}(topic: $topic, topics: $topics) {{ items {{ title }} }} }}"""
    assert any(message in error for error in error_messages(query, **arguments))


@pytest.mark.parametrize("field", LISTS)
def test_an_unknown_topic_match_is_a_validation_error(tagged, field):
    messages = error_messages(f'{{ {field}(topics: ["988"], topicMatch: SOME) {{ items {{ title }} }} }}')
    assert "TopicMatch" in messages[0]


def test_members_only_items_stay_hidden_whatever_the_topic_filter(tagged):
    hidden = tagged[("publications", "Both")]
    members_only(hidden)
    for user in (None, user_in("Partners", "partner")):
        assert titles("publications", user=user, topics=["deflection", "988"]) == ["Only deflection"]
        assert titles("publications", user=user, topics=["deflection", "988"], match="ALL") == []
    member = user_in(MEMBERS_GROUP, "member")
    assert titles("publications", user=member, topics=["deflection", "988"], match="ALL") == ["Both"]


# --- publication types -------------------------------------------------------------------------------------------


def test_publications_by_type(publication_index):
    PublicationPageFactory(parent=publication_index, title="Outcomes toolkit", publication_type=PublicationType.TOOLKIT)
    PublicationPageFactory(parent=publication_index, title="Policy template", publication_type=PublicationType.TEMPLATE)
    PublicationPageFactory(parent=publication_index, title="Annual report")
    found = data("{ publications(type: TOOLKIT) { items { title publicationType } pagination { total } } }")
    assert found["publications"] == {
        "items": [{"title": "Outcomes toolkit", "publicationType": "TOOLKIT"}],
        "pagination": {"total": 1},
    }
    every = data("{ publications { items { publicationType } } }")["publications"]["items"]
    assert sorted(item["publicationType"] for item in every) == ["REPORT", "TEMPLATE", "TOOLKIT"]


def test_an_unknown_publication_type_is_a_validation_error(publication_index):
    messages = error_messages("{ publications(type: NEWSLETTER) { items { title } } }")
    assert "PublicationType" in messages[0]
    messages = error_messages(
        "query ($type: PublicationType) { publications(type: $type) { items { title } } }", type="x"
    )
    assert "PublicationType" in messages[0]


def test_publication_type_is_required_in_the_admin_form(publication_index):
    page = PublicationPageFactory.build(publication_type="")
    with pytest.raises(Exception, match="publication_type"):
        page.full_clean()


# --- recording kinds and search -----------------------------------------------------------------------------------


@pytest.fixture
def recordings(recording_index):
    made = [
        RecordingPageFactory(
            parent=recording_index,
            title="Quarterly meeting: co-response",
            recording_kind=RecordingKind.COP_MEETING,
            transcript="<p>Our co-responder clinicians rode along.</p>",
        ),
        RecordingPageFactory(parent=recording_index, title="Webinar: 988 handoffs", summary="Call transfers to 988."),
        RecordingPageFactory(
            parent=recording_index, title="Training: de-escalation", recording_kind=RecordingKind.TRAINING_SESSION
        ),
    ]
    for page in made:
        insert_or_update_object(page)
    return made


def test_recordings_by_kind(recordings):
    found = data("{ recordings(kind: COP_MEETING) { items { title recordingKind } } }")["recordings"]["items"]
    assert found == [{"title": "Quarterly meeting: co-response", "recordingKind": "COP_MEETING"}]
    assert "RecordingKind" in error_messages("{ recordings(kind: PODCAST) { items { title } } }")[0]


def test_recordings_search_titles_summaries_and_transcripts(recordings):
    def search(words, **extra):
        query = "query ($q: String, $kind: RecordingKind) { recordings(search: $q, kind: $kind) { items { title } } }"
        return [item["title"] for item in data(query, q=words, **extra)["recordings"]["items"]]

    assert search("clinicians") == ["Quarterly meeting: co-response"]
    assert search("988") == ["Webinar: 988 handoffs"]
    assert search("de-escalation") == ["Training: de-escalation"]
    assert search("clinicians", kind="WEBINAR") == []


@pytest.mark.parametrize(
    ("words", "message"),
    [("x" * 201, "too long"), ("x" * 100_000, "too long"), ("  ", "Give a search query"), ('"(*', "Give a search")],
)
def test_hostile_recording_searches_get_clear_errors(recordings, words, message):
    query = "query ($q: String) { recordings(search: $q) { items { title } } }"
    assert any(message in error for error in error_messages(query, q=words))


def test_members_only_recordings_are_not_found_by_search(recordings):
    members_only(recordings[0])
    query = '{ recordings(search: "clinicians") { items { title } pagination { total } } }'
    for user in (None, user_in("Partners", "partner")):
        assert data(query, user=user)["recordings"] == {"items": [], "pagination": {"total": 0}}
    assert data(query, user=user_in(MEMBERS_GROUP, "member"))["recordings"]["pagination"]["total"] == 1


# --- query counts ------------------------------------------------------------------------------------------------


FILTERED_LISTS = {
    "events": "events(topics: $topics, topicMatch: ALL) { items { title topics { slug } } pagination { total } }",
    "publications": "publications(topics: $topics, topicMatch: ALL, type: REPORT) "
    "{ items { title publicationType topics { slug } } pagination { total } }",
    "recordings": "recordings(topics: $topics, topicMatch: ALL, kind: WEBINAR) "
    "{ items { title recordingKind topics { slug } relatedEvent { title } } pagination { total } }",
    "courses": "courses(topics: $topics, topicMatch: ALL) { items { title topics { slug } } pagination { total } }",
}


@pytest.mark.parametrize("field", FILTERED_LISTS)
def test_filtered_lists_run_a_constant_number_of_queries(
    topics, event_index, publication_index, recording_index, course_index, field
):
    factory, parent = {
        "events": (TrainingEventPageFactory, event_index),
        "publications": (PublicationPageFactory, publication_index),
        "recordings": (RecordingPageFactory, recording_index),
        "courses": (CoursePageFactory, course_index),
    }[field]
    query = f"query ($topics: [String!]) {{ {FILTERED_LISTS[field]} }}"
    wanted = ["deflection", "988"]
    member = user_in(MEMBERS_GROUP, "member")

    def run():
        with CaptureQueriesContext(connection) as queries:
            found = data(query, user=member, topics=wanted)[field]
        return len(queries), found["pagination"]["total"]

    def add(count):
        for _ in range(count):
            tag(factory(parent=parent), topics.values())

    add(3)
    few, total = run()
    assert total == 3
    add(17)
    many, total = run()
    assert total == 20
    assert many == few


# --- over HTTP: hostile arguments are refused with a clear message, never a 500 ---------------------------------


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("{ publications(type: NEWSLETTER) { items { title } } }", "PublicationType"),
        ("{ recordings(kind: 42) { items { title } } }", "RecordingKind"),
        ('{ events(topics: ["a"], topicMatch: "ALL") { items { title } } }', "TopicMatch"),
        ("{ courses(topics: []) { items { title } } }", "topics is empty"),
        ("{ events(topics: [" + ", ".join(f'"t{n}"' for n in range(100)) + "]) { items { title } } }", "at most 20"),
        ('{ recordings(search: "%s") { items { title } } }' % ("x" * 5000), "too long"),
        ('{ searchResults(query: "%s") { items { title } } }' % ("x" * 5000), "too long"),
        ('{ searchResults(query: "cit", kinds: []) { items { title } } }', "kinds is empty"),
        ('{ searchResults(query: "cit", kinds: [USER]) { items { title } } }', "ContentKind"),
        ('{ guide(slug: "' + "g" * 3000 + '") { chapter(slug: "' + "c" * 3000 + '") { title } } }', None),
    ],
)
def test_hostile_arguments_over_http_are_refused_clearly(client, event_index, query, text):
    from tests.integrations.graphql.test_hostile import messages, post

    response = post(client, query)
    said = messages(response)  # asserts no 500 and no internals
    if text is None:
        assert response.status_code == 200 and response.json()["data"]["guide"] is None
    else:
        assert response.status_code == 400 and text in said, said
