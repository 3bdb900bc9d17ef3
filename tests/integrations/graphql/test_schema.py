"""The contract's root fields: what they return, filters, ordering allow-lists and pagination bounds."""

from datetime import date, timedelta

import pytest

from events.factories import TrainingEventPageFactory
from pages.factories import PersonFactory, TopicFactory
from tests.integrations.graphql.helpers import data, error_messages

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


def test_event_filters_dates_delivery_mode_status_and_past(two_events, event_index):
    sooner, _later = two_events
    TrainingEventPageFactory(
        parent=event_index,
        title="Past in person",
        start_date=date.today() - timedelta(days=30),
        delivery_mode="in_person",
        status="cancelled",
    )
    query = """query ($from: Date, $to: Date, $mode: DeliveryMode, $status: EventStatus, $upcoming: Boolean) {
      events(from: $from, to: $to, deliveryMode: $mode, status: $status, upcoming: $upcoming) { items { title } } }"""

    def titles(**variables):
        return [item["title"] for item in data(query, **variables)["events"]["items"]]

    assert titles(**{"from": str(sooner.start_date), "to": str(sooner.start_date)}) == ["988 and CIT"]
    assert titles(mode="IN_PERSON") == ["Past in person"]
    assert titles(status="CANCELLED") == ["Past in person"]
    assert titles(upcoming=True) == ["988 and CIT", "Youth in Suicide Crisis"]
    assert titles(upcoming=False) == ["Past in person"]
    (message,) = error_messages(query, mode="BY_PIGEON")
    assert "BY_PIGEON" in message
    assert "owner" not in message


def test_single_event_by_id_or_slug_and_bad_lookups(two_events):
    sooner, _ = two_events
    assert data("query ($id: ID) { event(id: $id) { slug } }", id=sooner.pk)["event"] == {"slug": "988-and-cit"}
    assert data('{ event(slug: "988-and-cit") { id } }')["event"] == {"id": str(sooner.pk)}
    for bad_id in ["abc", "-1", "0", "99999999999999999999999", "1e3", "\uff11"]:
        assert data("query ($id: ID) { event(id: $id) { slug } }", id=bad_id)["event"] is None
        assert data("query ($id: ID) { page(id: $id) { slug } }", id=bad_id)["page"] is None
    assert error_messages('{ event(id: 1, slug: "x") { slug } }') == ["Give either id or slug."]
    assert error_messages("{ event { slug } }") == ["Give either id or slug."]
    assert error_messages('{ page(id: 1, urlPath: "/") { slug } }') == ["Give either id or urlPath."]
    assert error_messages(f'{{ page(urlPath: "/{"a" * 600}/") {{ slug }} }}') == ["urlPath is too long."]


CONTRACT = """
{ events(upcoming: true, topic: "988-crisis-hotline", perPage: 20) {
    items { id title slug url summary startsAt endsAt timeZone status deliveryMode registrationUrl icalUrl
            topics { name slug } facilitators { name role organization } }
    pagination { total } }
  publications(topic: "deflection") { items { title authors { name } publishedOn documentUrl } }
  recordings(topic: "deflection") { items { title recordedOn duration videoUrl transcript } }
  topics { name slug }
  page(urlPath: "/program/community-of-practice/") { title ... on ProgramPage { body { blockType } } }
  search(query: "suicide") { __typename ... on TrainingEventPage { title } }
  viewer { name }
}
"""


@pytest.fixture
def library(home_page, publication_index, recording_index, course_index, two_events):
    from media_library.factories import PublicationPageFactory, RecordingPageFactory
    from pages.factories import CoursePageFactory, GuidePageFactory, ProgramPageFactory

    deflection = TopicFactory(name="Deflection", slug="deflection")
    program = ProgramPageFactory(parent=home_page, title="Program", slug="program")
    ProgramPageFactory(
        parent=program,
        title="Community of Practice",
        slug="community-of-practice",
        body=[
            ("heading", {"text": "Who we are", "level": "h2"}),
            ("paragraph", "<p>The CoP meets quarterly.</p>"),
            ("quote", {"quote": "We learn from each other.", "attribution": "A CIT coordinator"}),
            ("call_to_action", {"label": "Apply", "url": "https://cops.usdoj.gov/"}),
            ("topic_list", {"heading": "Focus areas", "topics": [deflection]}),
        ],
    )
    for year, title in [(2024, "Deflection toolkit"), (2025, "Co-response brief")]:
        publication = PublicationPageFactory(parent=publication_index, title=title, publication_date=date(year, 3, 1))
        publication.topics.set([deflection])
        publication.authors.set([PersonFactory(name=f"Author {year}")])
        publication.save()
    recording = RecordingPageFactory(parent=recording_index, title="Deflection webinar")
    recording.topics.set([deflection])
    recording.save()
    CoursePageFactory(parent=course_index, title="CIT for dispatchers")
    GuidePageFactory(parent=course_index, title="CIT Interactive eGuide", slug="eguide")


def test_the_design_contract_query(library):
    from wagtail.search.index import insert_or_update_object

    from events.models import TrainingEventPage

    for event in TrainingEventPage.objects.all():
        insert_or_update_object(event)
    result = data(CONTRACT.replace('"suicide"', '"Youth"'))
    assert [item["title"] for item in result["events"]["items"]] == ["988 and CIT"]
    assert result["events"]["pagination"] == {"total": 1}
    assert [item["title"] for item in result["publications"]["items"]] == ["Co-response brief", "Deflection toolkit"]
    assert result["publications"]["items"][0]["authors"] == [{"name": "Author 2025"}]
    assert result["publications"]["items"][0]["documentUrl"].startswith("https://cms.example.org/documents/")
    assert result["recordings"]["items"] == [
        {
            "title": "Deflection webinar",
            "recordedOn": "2025-09-18",
            "duration": 60,
            "videoUrl": "https://vimeo.com/000000000",
            "transcript": "<p>Welcome to the Community of Practice meeting.</p>",
        }
    ]
    assert {"name": "Deflection", "slug": "deflection"} in result["topics"]
    assert result["page"] == {
        "title": "Community of Practice",
        "body": [{"blockType": block} for block in ["heading", "paragraph", "quote", "call_to_action", "topic_list"]],
    }
    assert result["search"] == [{"__typename": "TrainingEventPage", "title": "Youth in Suicide Crisis"}]
    assert result["viewer"] is None


def test_stream_blocks_are_typed(library):
    body = data(
        """{ page(urlPath: "/program/community-of-practice") { ... on ProgramPage { body { id blockType
          ... on HeadingBlock { text level } ... on RichTextBlock { html } ... on QuoteBlock { quote attribution }
          ... on CallToActionBlock { label url } ... on TopicListBlock { heading topics { slug icalUrl } } } } } }"""
    )["page"]["body"]
    assert all(block["id"] for block in body)
    assert body[0] | {"id": None} == {"id": None, "blockType": "heading", "text": "Who we are", "level": "h2"}
    assert body[1]["html"] == "<p>The CoP meets quarterly.</p>"
    assert body[2]["attribution"] == "A CIT coordinator"
    assert body[3]["url"] == "https://cops.usdoj.gov/"
    assert body[4]["topics"] == [
        {"slug": "deflection", "icalUrl": "https://cms.example.org/calendar/topics/deflection.ics"}
    ]


def test_publications_filter_by_topic_year_and_search(library):
    from wagtail.search.index import insert_or_update_object

    from media_library.models import PublicationPage

    for publication in PublicationPage.objects.all():
        insert_or_update_object(publication)
    query = """query ($topic: String, $year: Int, $search: String, $order: String) {
      publications(topic: $topic, year: $year, search: $search, order: $order) { items { title } } }"""

    def titles(**variables):
        return [item["title"] for item in data(query, **variables)["publications"]["items"]]

    assert titles(year=2024) == ["Deflection toolkit"]
    assert titles(topic="deflection", order="title") == ["Co-response brief", "Deflection toolkit"]
    assert titles(topic="no-such-topic") == []
    assert titles(search="toolkit") == ["Deflection toolkit"]
    assert error_messages(query, search="   ") == ["Give a search query."]
    assert error_messages(query, search="x" * 201) == ["The search query is too long (200 characters at most)."]
    assert error_messages(query, order="document__file")[0].startswith("Unknown order")


def test_courses_guides_and_the_page_lookup(library):
    courses = data("{ courses { items { title durationMinutes audience courseUrl isFree } } }")["courses"]["items"]
    assert courses[0]["title"] == "CIT for dispatchers"
    assert courses[0]["isFree"] is True
    guide = data(
        '{ page(urlPath: "/self-paced-training/eguide/") { __typename ... on GuidePage { chapters { blockType '
        "... on ChapterBlock { title body { blockType ... on RichTextBlock { html } } } } } } }"
    )["page"]
    assert guide == {
        "__typename": "GuidePage",
        "chapters": [
            {
                "blockType": "chapter",
                "title": "Why CIT",
                "body": [{"blockType": "paragraph", "html": "<p>CIT is more than training.</p>"}],
            }
        ],
    }
    home = data('{ page(urlPath: "/") { __typename title parent { title } } }')["page"]
    assert home == {"__typename": "HomePage", "title": "CIT ASSIST", "parent": None}


def test_every_content_page_model_has_a_type():
    from django.apps import apps
    from wagtail.models import Page

    from integrations.graphql.registry import registry

    page_models = {model for model in apps.get_models() if issubclass(model, Page) and model is not Page}
    assert set(registry.page_models()) == page_models


def test_topic_by_slug(crisis_line):
    assert data('{ topic(slug: "988-crisis-hotline") { name } }')["topic"] == {"name": "988 Crisis Hotline"}
    assert data('{ topic(slug: "nope") { name } }')["topic"] is None


def test_sessions_of_a_repeating_event_with_skipped_and_changed_dates(event_index):
    from datetime import time

    from events.models import EventSkippedDate, SessionChange

    quarterly = TrainingEventPageFactory(
        parent=event_index,
        title="CoP quarterly meeting",
        slug="cop-quarterly",
        start_date=date(2027, 1, 14),
        start_time=time(10, 0),
        end_time=time(11, 30),
        time_zone="America/Chicago",
        recurrence_frequency="monthly",
        recurrence_interval=3,
        recurrence_count=4,
    )
    quarterly.skipped_dates = [EventSkippedDate(date=date(2027, 7, 8))]
    quarterly.session_changes = [SessionChange(original_date=date(2027, 10, 14), status="cancelled", note="Holiday")]
    quarterly.save_revision().publish()
    query = """query ($limit: Int) { event(slug: "cop-quarterly") { isRecurring startsAt endsAt timeZone
      sessions(limit: $limit) { startsAt endsAt status changed note } } }"""
    event = data(query, limit=10)["event"]
    assert event["isRecurring"] is True
    # The event's own wall-clock time with its offset: "10:00 in Chicago".
    assert (event["startsAt"], event["endsAt"]) == ("2027-01-14T10:00:00-06:00", "2027-01-14T11:30:00-06:00")
    assert event["timeZone"] == "America/Chicago"
    assert event["sessions"] == [
        {
            "startsAt": "2027-01-14T10:00:00-06:00",
            "endsAt": "2027-01-14T11:30:00-06:00",
            "status": "SCHEDULED",
            "changed": False,
            "note": "",
        },
        {
            "startsAt": "2027-04-08T10:00:00-05:00",
            "endsAt": "2027-04-08T11:30:00-05:00",
            "status": "SCHEDULED",
            "changed": False,
            "note": "",
        },
        {
            "startsAt": "2027-10-14T10:00:00-05:00",
            "endsAt": "2027-10-14T11:30:00-05:00",
            "status": "CANCELLED",
            "changed": True,
            "note": "Holiday",
        },
    ]
    assert len(data(query, limit=1)["event"]["sessions"]) == 1
    for limit in (0, 101, -1):
        assert error_messages(query, limit=limit) == ["limit must be between 1 and 100."]


@pytest.mark.parametrize(
    "query",
    ['"', 'a"b', "*", "((", "NEAR(a b)", "AND OR NOT", "title:x", "'; DROP TABLE x; --", "\x00", "\\", "^", "-", "🔥"],
)
def test_hostile_search_strings_get_results_or_a_clear_error_never_database_text(home_page, query):
    from tests.integrations.graphql.helpers import run

    result = run(
        "query ($q: String!) { search(query: $q) { title } publications(search: $q) { items { title } } }", q=query
    )
    messages = {error.message for error in result.errors or []}
    assert messages <= {"Give a search query."}


@pytest.mark.parametrize("year", [-5, 0, 10000, 2**31 - 1])
def test_years_out_of_range_are_a_clear_error(home_page, year):
    for field in ("publications", "recordings"):
        query = f"query ($y: Int) {{ {field}(year: $y) {{ items {{ title }} }} }}"
        assert error_messages(query, y=year) == ["year must be between 1 and 9999."]
