"""`searchResults`: every content kind, paginated with a total, filtered by kind; members-only and draft pages are
never counted for callers who may not see them; hostile arguments get clear errors; the deprecated `search` keeps
answering as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.index import insert_or_update_object

from events.factories import TrainingEventPageFactory
from media_library.factories import PublicationPageFactory, RecordingPageFactory
from pages.access import MEMBERS_GROUP
from pages.factories import CoursePageFactory, GuidePageFactory, ProgramPageFactory
from tests.integrations.graphql.helpers import data, error_messages, members_only, user_in

pytestmark = pytest.mark.django_db

SEARCH = """query ($q: String!, $kinds: [ContentKind!], $page: Int, $perPage: Int) {
  searchResults(query: $q, kinds: $kinds, page: $page, perPage: $perPage) {
    items { title contentKind }
    pagination { total count currentPage totalPages nextPage }
  }
}"""


def indexed(page):
    insert_or_update_object(page)
    return page


@pytest.fixture
def pages(home_page, event_index, publication_index, recording_index, course_index):
    word = "deflection"
    made = {
        "event": indexed(TrainingEventPageFactory(parent=event_index, title=f"Event on {word}")),
        "publication": indexed(PublicationPageFactory(parent=publication_index, title=f"Brief on {word}")),
        "recording": indexed(RecordingPageFactory(parent=recording_index, title=f"Webinar on {word}")),
        "course": indexed(CoursePageFactory(parent=course_index, title=f"Course on {word}")),
        "guide": indexed(GuidePageFactory(parent=course_index, title=f"Guide on {word}", slug="guide")),
        "program_page": indexed(ProgramPageFactory(parent=home_page, title=f"Program on {word}")),
        "members_event": indexed(TrainingEventPageFactory(parent=event_index, title=f"Members meeting on {word}")),
        "draft": indexed(PublicationPageFactory(parent=publication_index, title=f"Draft on {word}", live=False)),
    }
    members_only(made["members_event"])
    return made


def search(user=None, **variables):
    return data(SEARCH, user=user, **{"q": "deflection", **variables})["searchResults"]


@pytest.mark.parametrize("caller", ["anonymous", "partner"])
def test_totals_count_only_what_the_caller_may_see(pages, caller):
    user = user_in("Partners", "partner") if caller == "partner" else None
    found = search(user)
    assert found["pagination"]["total"] == 6
    titles = {item["title"] for item in found["items"]}
    assert "Members meeting on deflection" not in titles and "Draft on deflection" not in titles
    kinds = {item["contentKind"] for item in found["items"]}
    assert kinds == {"EVENT", "PUBLICATION", "RECORDING", "COURSE", "GUIDE", "PROGRAM_PAGE"}
    events = search(user, kinds=["EVENT"])
    assert events["pagination"]["total"] == 1 and events["items"][0]["title"] == "Event on deflection"


def test_members_see_members_only_pages_counted_but_never_drafts(pages):
    member = user_in(MEMBERS_GROUP, "member")
    assert search(member)["pagination"]["total"] == 7
    assert search(member, kinds=["EVENT"])["pagination"]["total"] == 2
    assert search(member, kinds=["PUBLICATION"])["items"] == [
        {"title": "Brief on deflection", "contentKind": "PUBLICATION"}
    ]


def test_pages_of_results(pages):
    first = search(perPage=4)
    assert first["pagination"] == {"total": 6, "count": 4, "currentPage": 1, "totalPages": 2, "nextPage": 2}
    second = search(perPage=4, page=2)
    assert second["pagination"]["count"] == 2
    seen = [item["title"] for item in first["items"] + second["items"]]
    assert len(set(seen)) == 6
    assert search(perPage=4, page=5)["items"] == []


def test_several_kinds_at_once(pages):
    found = search(kinds=["COURSE", "GUIDE", "GUIDE"])
    assert sorted(item["contentKind"] for item in found["items"]) == ["COURSE", "GUIDE"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"q": "x" * 201}, "too long"),
        ({"q": "y" * 100_000}, "too long"),
        ({"q": "   "}, "Give a search query"),
        ({"q": '"*()!'}, "Give a search query"),
        ({"kinds": []}, "kinds is empty"),
        ({"kinds": ["NEWSLETTER"]}, "ContentKind"),
        ({"perPage": 1000}, "perPage must be between"),
        ({"page": 0}, "page must be 1 or more"),
    ],
)
def test_hostile_arguments_get_clear_errors(pages, variables, message):
    messages = error_messages(SEARCH, **{"q": "deflection", **variables})
    assert any(message in text for text in messages), messages


def test_the_deprecated_search_still_answers(pages):
    found = data('{ search(query: "deflection", perPage: 20) { title } }')["search"]
    assert len(found) == 6


def test_a_page_of_results_runs_a_constant_number_of_queries(home_page, event_index, publication_index):
    def add(count):
        for n in range(count):
            indexed(TrainingEventPageFactory(parent=event_index, title=f"Deflection session {count}-{n}"))
            indexed(PublicationPageFactory(parent=publication_index, title=f"Deflection brief {count}-{n}"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            found = search(perPage=100)
        return len(queries), found["pagination"]["total"]

    add(2)
    few, total = count()
    assert total == 4
    add(10)
    many, total = count()
    assert total == 24
    assert many == few
