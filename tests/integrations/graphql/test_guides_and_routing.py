"""`guide`/`guides` with chapters addressable by slug, through the privacy rule; and what every page type gives a
partner front end to build its own links: contentKind, slug and urlPath (url stays the CMS's origin)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.links import public_url
from events.factories import TrainingEventPageFactory
from media_library.factories import PublicationPageFactory, RecordingPageFactory
from pages.access import MEMBERS_GROUP
from pages.factories import CoursePageFactory, GuidePageFactory, ProgramPageFactory, paragraph
from tests.integrations.graphql.helpers import data, error_messages, members_only, user_in

pytestmark = pytest.mark.django_db

GUIDE = """query ($slug: String!, $chapter: String!) {
  guide(slug: $slug) {
    title contentKind urlPath
    chapters { ... on ChapterBlock { slug title } }
    chapter(slug: $chapter) { slug title summary body { ... on RichTextBlock { html } } }
  }
}"""


def chapter(title, slug="", text="Chapter text."):
    return ("chapter", {"title": title, "slug": slug, "summary": f"About {title}", "body": [paragraph(text)]})


@pytest.fixture
def guide(course_index, event_index):
    members_event = TrainingEventPageFactory(parent=event_index, title="Members meeting")
    members_only(members_event)
    public_event = TrainingEventPageFactory(parent=event_index, title="Open webinar", slug="open-webinar")
    links = (
        f'<p>See <a linktype="page" id="{public_event.pk}">the webinar</a> and '
        f'<a linktype="page" id="{members_event.pk}">the members meeting</a>.</p>'
    )
    return GuidePageFactory(
        parent=course_index,
        title="CIT eGuide",
        slug="cit-eguide",
        chapters=[
            chapter("Why CIT", slug="why"),
            chapter("Building partnerships", text=links),  # saved without a slug: one is made from the title
        ],
    )


def test_a_chapter_by_its_slug(guide):
    found = data(GUIDE, slug="cit-eguide", chapter="why")["guide"]
    assert found["contentKind"] == "GUIDE" and found["urlPath"].endswith("/cit-eguide/")
    assert found["chapters"] == [
        {"slug": "why", "title": "Why CIT"},
        {"slug": "building-partnerships", "title": "Building partnerships"},
    ]
    assert found["chapter"]["title"] == "Why CIT" and found["chapter"]["summary"] == "About Why CIT"
    derived = data(GUIDE, slug="cit-eguide", chapter="building-partnerships")["guide"]["chapter"]
    assert derived["slug"] == "building-partnerships"


@pytest.mark.parametrize("caller", ["anonymous", "partner"])
def test_chapter_links_to_members_only_pages_are_removed(guide, caller):
    user = user_in("Partners", "partner") if caller == "partner" else None
    html = data(GUIDE, user=user, slug="cit-eguide", chapter="building-partnerships")["guide"]["chapter"]["body"][0]
    assert "/open-webinar/" in html["html"]
    assert "the members meeting" in html["html"] and "members-meeting" not in html["html"]


def test_an_unknown_chapter_or_guide_is_null(guide):
    assert data(GUIDE, slug="cit-eguide", chapter="x" * 5000)["guide"]["chapter"] is None
    assert data(GUIDE, slug="no-such-guide", chapter="why")["guide"] is None
    assert "Give either id or slug" in error_messages("{ guide { title } }")[0]
    assert data('{ guide(id: "not-a-number") { title } }')["guide"] is None


@pytest.mark.parametrize("caller", ["anonymous", "partner"])
def test_members_only_and_draft_guides_stay_hidden(guide, course_index, caller):
    user = user_in("Partners", "partner") if caller == "partner" else None
    members_only(guide)
    GuidePageFactory(parent=course_index, title="Draft guide", slug="draft-guide", live=False)
    assert data(GUIDE, user=user, slug="cit-eguide", chapter="why")["guide"] is None
    assert data(GUIDE, user=user, slug="draft-guide", chapter="why-cit")["guide"] is None
    assert data("{ guides { items { title } pagination { total } } }", user=user)["guides"] == {
        "items": [],
        "pagination": {"total": 0},
    }
    member = user_in(MEMBERS_GROUP, "member")
    listed = data("{ guides { items { title } } }", user=member)["guides"]["items"]
    assert listed == [{"title": "CIT eGuide"}]


def test_the_guides_list_runs_a_constant_number_of_queries(course_index):
    query = "{ guides(perPage: 50) { items { title slug topics { slug } chapters { ... on ChapterBlock { slug } } } } }"

    def count(n):
        for number in range(n):
            GuidePageFactory(parent=course_index, title=f"Guide {n}-{number}", slug=f"guide-{n}-{number}")
        with CaptureQueriesContext(connection) as queries:
            data(query)
        return len(queries)

    assert count(2) == count(10)


# --- routing ------------------------------------------------------------------------------------------------


def test_every_page_type_gives_its_kind_slug_and_path(
    home_page, event_index, publication_index, recording_index, course_index
):
    pages = {
        "EVENT": TrainingEventPageFactory(parent=event_index, slug="cit-core-course-tulsa"),
        "PUBLICATION": PublicationPageFactory(parent=publication_index, slug="starter-guide"),
        "RECORDING": RecordingPageFactory(parent=recording_index, slug="cop-meeting"),
        "COURSE": CoursePageFactory(parent=course_index, slug="cit-foundations"),
        "GUIDE": GuidePageFactory(parent=course_index, slug="cit-eguide"),
        "PROGRAM_PAGE": ProgramPageFactory(parent=home_page, slug="program"),
        "EVENT_INDEX": event_index,
        "PUBLICATION_INDEX": publication_index,
        "RECORDING_INDEX": recording_index,
        "COURSE_INDEX": course_index,
        "HOME": home_page,
    }
    paths = {}
    for kind, page in pages.items():
        path = paths[kind] = "/" + page.url_path.removeprefix(home_page.url_path)
        found = data("query ($path: String) { page(urlPath: $path) { contentKind slug urlPath url } }", path=path)
        assert found["page"] == {
            "contentKind": kind,
            "slug": page.slug,
            "urlPath": path,
            "url": public_url(path),
        }, kind
    event = data("{ events { items { contentKind slug urlPath } } }")["events"]["items"][0]
    assert event == {
        "contentKind": "EVENT",
        "slug": "cit-core-course-tulsa",
        "urlPath": paths["EVENT"],
    }


def test_content_kinds_are_described_in_the_schema():
    from integrations.graphql.schema import schema

    kinds = schema.graphql_schema.get_type("ContentKind")
    assert kinds.description
    assert all(value.description for value in kinds.values.values())
    assert set(kinds.values) >= {"EVENT", "PUBLICATION", "RECORDING", "COURSE", "GUIDE", "PROGRAM_PAGE", "HOME"}
