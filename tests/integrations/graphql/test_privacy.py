"""Privacy on every path of the schema, for an anonymous caller, a partner (Partners group) and a CoP member:
lists, single lookups by id/slug/urlPath, search, foreign keys, chooser blocks, rich-text links, parent/children,
images and renditions, snippets. Drafts and unpublished revisions never show, whoever asks."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Collection, CollectionViewRestriction, Page
from wagtail.search.index import insert_or_update_object

from events.factories import TrainingEventPageFactory
from media_library.factories import DocumentFactory, ImageFactory, PublicationPageFactory, RecordingPageFactory
from pages.access import MEMBERS_GROUP
from pages.factories import PersonFactory, ProgramPageFactory
from tests.integrations.graphql import helpers
from tests.integrations.graphql.helpers import data, error_messages, members_only, user_in


@pytest.fixture(autouse=True, params=["schema", "cached view"])
def channel(request, monkeypatch, settings):
    """Every privacy test twice: on the schema, and through the view with the response cache on (each answer
    executed, stored, then served from the store), so a member's stored answer reaching anyone else fails them."""
    if request.param == "cached view":
        helpers._tokens.clear()
        settings.RESPONSE_CACHE = True
        settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = settings.GRAPHQL_RATE_LIMIT_TOKEN = 0
        monkeypatch.setattr(helpers, "run", helpers.run_through_cached_view)
    return request.param


pytestmark = pytest.mark.django_db

CALLERS = ["anonymous", "partner", "member"]


@pytest.fixture
def callers():
    return {"anonymous": None, "partner": user_in("Partners", "partner"), "member": user_in(MEMBERS_GROUP, "member")}


def private_collection():
    """A members-only collection with a sub-collection (the restriction reaches it through the parent)."""
    members = Collection.get_first_root_node().add_child(name="Members only")
    restriction = CollectionViewRestriction.objects.create(
        collection=members, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    return members.add_child(name="CoP meeting notes")


@pytest.fixture
def content(home_page, event_index, publication_index, recording_index):
    sub_collection = private_collection()
    private_doc = DocumentFactory(title="Private notes", collection=sub_collection)
    private_image = ImageFactory(title="Private photo", collection=sub_collection)
    public_doc = DocumentFactory(title="Starter guide")
    public_event = TrainingEventPageFactory(
        parent=event_index, title="Public event", slug="public-event", join_url="https://meet.example.org/cit"
    )
    member_event = TrainingEventPageFactory(parent=event_index, title="Members event", slug="members-event")
    members_only(member_event)
    draft_event = TrainingEventPageFactory(parent=event_index, title="Draft event", slug="draft-event", live=False)
    # A published page with unpublished changes: the API shows the live version only.
    public_event.title = "Unpublished new title"
    public_event.save_revision()
    public_event.refresh_from_db()

    program = ProgramPageFactory(
        parent=home_page,
        title="Community of Practice",
        slug="community-of-practice",
        body=[
            (
                "paragraph",
                (
                    f'<p>See <a linktype="page" id="{draft_event.pk}">the draft</a>, '
                    f'<a linktype="page" id="{member_event.pk}">members</a> and '
                    f'<a linktype="page" id="{public_event.pk}">public</a>, '
                    f'<a linktype="document" id="{private_doc.pk}">notes</a>.</p>'
                ),
            ),
            ("document", {"document": private_doc, "label": ""}),
            ("document", {"document": public_doc, "label": "Guide"}),
            ("image", {"image": private_image, "alt_text": "", "decorative": False}),
        ],
    )
    publication = PublicationPageFactory(
        parent=publication_index,
        title="Public brief",
        slug="public-brief",
        document=private_doc,
        cover_image=private_image,
    )
    publication.authors.add(PersonFactory(name="Pat Author", photo=private_image))
    publication.save()
    members_recording = RecordingPageFactory(parent=recording_index, title="Members recording")
    members_only(members_recording)
    public_recording = RecordingPageFactory(
        parent=recording_index, title="Public recording", related_event=member_event
    )
    return {
        "public_event": public_event,
        "member_event": member_event,
        "draft_event": draft_event,
        "program": program,
        "private_doc": private_doc,
        "publication": publication,
        "public_recording": public_recording,
    }


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("anonymous", ["Public event"]),
        ("partner", ["Public event"]),
        ("member", ["Members event", "Public event"]),
    ],
)
def test_event_list_shows_live_visible_events_with_their_live_title(content, callers, caller, expected):
    items = data('{ events(order: "-title") { items { title } pagination { total } } }', user=callers[caller])
    assert sorted(item["title"] for item in items["events"]["items"]) == expected
    assert items["events"]["pagination"]["total"] == len(expected)


@pytest.mark.parametrize("caller", CALLERS)
def test_draft_event_is_invisible_by_id_slug_url_path_and_search(content, callers, caller):
    draft = content["draft_event"]
    insert_or_update_object(draft)
    user = callers[caller]
    assert data("query ($id: ID) { event(id: $id) { title } }", user=user, id=draft.pk)["event"] is None
    assert data('{ event(slug: "draft-event") { title } }', user=user)["event"] is None
    assert data("query ($id: ID) { page(id: $id) { title } }", user=user, id=draft.pk)["page"] is None
    assert data('{ page(urlPath: "/training-events/draft-event/") { title } }', user=user)["page"] is None
    assert data('{ search(query: "Draft event") { title } }', user=user)["search"] == []


@pytest.mark.parametrize(("caller", "visible"), [("anonymous", False), ("partner", False), ("member", True)])
def test_members_only_event_by_every_lookup(content, callers, caller, visible):
    event = content["member_event"]
    insert_or_update_object(event)
    user = callers[caller]
    found = [
        data("query ($id: ID) { event(id: $id) { title } }", user=user, id=event.pk)["event"],
        data('{ event(slug: "members-event") { title } }', user=user)["event"],
        data('{ page(urlPath: "/training-events/members-event/") { title } }', user=user)["page"],
    ]
    assert found == ([{"title": "Members event"}] * 3 if visible else [None] * 3)
    hits = data('{ search(query: "Members event") { title } }', user=user)["search"]
    assert ({"title": "Members event"} in hits) is visible


def test_search_returns_live_titles_never_unpublished_revisions(content, callers):
    insert_or_update_object(content["public_event"])
    hits = data('{ search(query: "Public event") { __typename title } }')["search"]
    assert {"__typename": "TrainingEventPage", "title": "Public event"} in hits
    assert data('{ search(query: "Unpublished") { title } }')["search"] == []


@pytest.mark.parametrize(
    ("caller", "join_url"),
    [
        ("anonymous", None),
        ("partner", None),
        ("member", "https://meet.example.org/cit"),
    ],
)
def test_join_url_is_for_members_only(content, callers, caller, join_url):
    event = data('{ event(slug: "public-event") { joinUrl } }', user=callers[caller])["event"]
    assert event["joinUrl"] == join_url


@pytest.mark.parametrize(("caller", "visible"), [("anonymous", False), ("partner", False), ("member", True)])
def test_private_document_in_a_private_sub_collection_by_every_path(content, callers, caller, visible):
    doc = content["private_doc"]
    user = callers[caller]
    publication = data(
        '{ publication(slug: "public-brief") { document { id title url fileSize contentType } documentUrl } }',
        user=user,
    )["publication"]
    page = data(
        '{ page(urlPath: "/community-of-practice/") { ... on ProgramPage { body { blockType '
        "... on DocumentLinkBlock { label document { id } } ... on RichTextBlock { html } } } } }",
        user=user,
    )["page"]
    documents = [block for block in page["body"] if block["blockType"] == "document"]
    html = next(block["html"] for block in page["body"] if block["blockType"] == "paragraph")
    if visible:
        assert publication["document"]["id"] == str(doc.pk)
        assert publication["document"]["contentType"] == "application/pdf"
        assert publication["document"]["fileSize"] == doc.file_size
        assert publication["documentUrl"] == f"https://cms.example.org{doc.url}"
        assert documents[0] == {"blockType": "document", "label": "Private notes", "document": {"id": str(doc.pk)}}
        assert f'<a href="https://cms.example.org{doc.url}">notes</a>' in html
    else:
        assert publication == {"document": None, "documentUrl": None}
        assert documents[0] == {"blockType": "document", "label": "", "document": None}
        assert doc.url not in html
        assert "<a>notes</a>" in html
    assert documents[1]["label"] == "Guide"
    assert documents[1]["document"] is not None


@pytest.mark.parametrize(("caller", "visible"), [("anonymous", False), ("partner", False), ("member", True)])
def test_private_image_by_every_path(content, callers, caller, visible):
    user = callers[caller]
    publication = data(
        '{ publication(slug: "public-brief") { coverImage { title } authors { name photo { title } } } }', user=user
    )["publication"]
    page = data(
        '{ page(urlPath: "/community-of-practice/") { ... on ProgramPage { body { '
        "... on ImageBlock { image { title } alt } } } } }",
        user=user,
    )["page"]
    image_blocks = [block for block in page["body"] if "image" in block]
    expected = {"title": "Private photo"} if visible else None
    assert publication["coverImage"] == expected
    assert publication["authors"] == [{"name": "Pat Author", "photo": expected}]
    assert image_blocks[0]["image"] == expected


def test_rich_text_links_to_draft_and_members_only_pages_are_neutralised(content, callers):
    query = (
        '{ page(urlPath: "/community-of-practice/") { ... on ProgramPage { body { ... on RichTextBlock { html } } } } }'
    )
    anonymous_html = data(query)["page"]["body"][0]["html"]
    member_html = data(query, user=callers["member"])["page"]["body"][0]["html"]
    public = '<a href="https://cms.example.org/training-events/public-event/">public</a>'
    assert public in anonymous_html
    assert "<a>the draft</a>" in anonymous_html
    assert "<a>members</a>" in anonymous_html
    assert "linktype" not in anonymous_html
    assert "<a>the draft</a>" in member_html
    assert '<a href="https://cms.example.org/training-events/members-event/">members</a>' in member_html


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("anonymous", ["Public event"]),
        ("partner", ["Public event"]),
        ("member", ["Members event", "Public event"]),
    ],
)
def test_children_and_parent_go_through_the_privacy_rule(content, callers, caller, expected):
    user = callers[caller]
    index = data(
        '{ page(urlPath: "/training-events/") { children { items { title parent { title } } pagination { total } } } }',
        user=user,
    )["page"]
    assert sorted(child["title"] for child in index["children"]["items"]) == expected
    assert {child["parent"]["title"] for child in index["children"]["items"]} == {"Training events"}


@pytest.mark.parametrize(("caller", "visible"), [("anonymous", False), ("partner", False), ("member", True)])
def test_recordings_and_their_related_event(content, callers, caller, visible):
    user = callers[caller]
    recordings = data(
        '{ recordings(order: "title") { items { title relatedEvent { title } captionsUrl transcript } } }', user=user
    )["recordings"]["items"]
    titles = [item["title"] for item in recordings]
    assert titles == (["Members recording", "Public recording"] if visible else ["Public recording"])
    public = recordings[-1]
    assert public["relatedEvent"] == ({"title": "Members event"} if visible else None)
    assert public["captionsUrl"].startswith("https://cms.example.org/documents/")
    assert public["transcript"] == "<p>Welcome to the Community of Practice meeting.</p>"


def test_rendition_specs_outside_the_allow_list_are_refused(home_page, publication_index):
    PublicationPageFactory(parent=publication_index, slug="brief", cover_image=ImageFactory())
    query = (
        'query ($spec: String!) { publication(slug: "brief") { coverImage { rendition(spec: $spec) { url width } } } }'
    )
    ok = data(query, spec="width-400")["publication"]["coverImage"]["rendition"]
    assert ok["url"].startswith("https://cms.example.org/media/images/")
    for spec in ["width-401", "fill-10000x10000", "original", "format-gif", "width-400|fill-1x1"]:
        (message,) = error_messages(query, spec=spec)
        assert message.startswith(f"Rendition spec “{spec}” is not allowed. Use one of: fill-400x300")


def test_viewer_names_token_holders_only(callers):
    assert data("{ viewer { name isMember } }")["viewer"] is None
    assert data("{ viewer { name isMember } }", user=callers["partner"])["viewer"] == {
        "name": "partner",
        "isMember": False,
    }
    assert data("{ viewer { isMember } }", user=callers["member"])["viewer"] == {"isMember": True}


def test_no_user_or_owner_type_is_reachable():
    from integrations.graphql.schema import schema

    type_names = set(schema.graphql_schema.type_map)
    assert not {"User", "UserType", "Owner", "Revision"} & type_names
    # The one email on purpose: a directory contact's work address, members-only (tests/community/).
    deliberate = {"AgencyContact": {"email"}}
    for name, type_ in schema.graphql_schema.type_map.items():
        fields = set(getattr(type_, "fields", {}) or {}) - deliberate.get(name, set())
        assert not {"owner", "draftTitle", "latestRevision", "lockedBy", "email", "password"} & fields


def test_tree_root_is_not_a_page(home_page):
    root = Page.get_first_root_node()
    assert data("query ($id: ID) { page(id: $id) { title } }", id=root.pk)["page"] is None


def test_search_pages_through_visible_hits_only(content, callers):
    for event in (content["public_event"], content["member_event"], content["draft_event"]):
        insert_or_update_object(event)
    query = 'query ($page: Int) { search(query: "event", perPage: 1, page: $page) { title } }'
    anonymous = [data(query, page=page)["search"] for page in (1, 2)]
    assert anonymous[0] == [{"title": "Public event"}]
    assert anonymous[1] == []  # the members-only and draft hits do not take a place on a page
    member = [data(query, user=callers["member"], page=page)["search"] for page in (1, 2, 3)]
    assert sorted(hit["title"] for page in member for hit in page) == ["Members event", "Public event"]
    assert member[2] == []


def test_an_expired_event_leaves_lists_lookups_and_search_at_once(content, callers):
    """Expiry is part of the rule: no waiting for the worker to unpublish the page."""
    event = content["public_event"]
    insert_or_update_object(event)
    Page.objects.filter(pk=event.pk).update(expire_at=timezone.now() - timedelta(seconds=1))
    for user in callers.values():
        events = data("{ events { items { title } } }", user=user)["events"]["items"]
        assert "Public event" not in {item["title"] for item in events}
        assert data('{ event(slug: "public-event") { title } }', user=user)["event"] is None
        assert data('{ search(query: "Public event") { title } }', user=user)["search"] == []
