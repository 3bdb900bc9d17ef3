"""Each restriction type (groups, login, password) on each channel, for each kind of account.

The rule (pages.access, README "Privacy"): a groups ("CoP Members") or login restriction lets in signed-in members
(the CoP Members group and superusers) and nobody else, partners' tokens and editors' sessions included; a password
restriction lets in only a browser session that gave the password (HTML pages and /documents/), so never a machine
channel. Pages (training events) and collections (documents, images) are restricted alike. Every channel goes through
HTTP: GraphQL with API tokens, REST v2, the iCal feeds with calendar links, /documents/, the CMS's own pages.
"""

import json

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from events.calendar_links import events_feed_path
from events.factories import TrainingEventPageFactory
from events.services import member_calendar_url
from integrations.graphql.services import api_token_create
from media_library.factories import DocumentFactory, ImageFactory
from pages.access import MEMBERS_GROUP
from pages.factories import ProgramPageFactory
from tests.integrations.graphql.helpers import user_in

pytestmark = pytest.mark.django_db

KINDS = ["groups", "login", "password"]
ACCOUNTS = ["anonymous", "partner", "editor", "member", "superuser"]
PASSWORD = "steering-2025"


def admitted(kind: str, account: str) -> bool:
    """Who a restriction of `kind` lets in on a machine channel (and on HTML before any password is given)."""
    return kind != "password" and account in {"member", "superuser"}


def restrict(model, target, kind):
    field = "page" if model is PageViewRestriction else "collection"
    restriction = model.objects.create(**{field: target}, restriction_type=kind, password=PASSWORD)
    if kind == "groups":
        restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    return restriction


@pytest.fixture
def world(home_page, event_index):
    """An event, a document and an image behind each kind of restriction, a public event, and a public page that
    shows every document and image; one account of each kind with an API token and a calendar link."""
    events, documents, images, blocks = {}, {}, {}, []
    TrainingEventPageFactory(parent=event_index, title="Public session", slug="public-session")
    for kind in KINDS:
        events[kind] = TrainingEventPageFactory(parent=event_index, title=f"Session {kind}", slug=f"session-{kind}")
        restrict(PageViewRestriction, events[kind], kind)
        collection = Collection.get_first_root_node().add_child(name=f"Restricted {kind}")
        restrict(CollectionViewRestriction, collection, kind)
        documents[kind] = DocumentFactory(title=f"Notes {kind}", collection=collection)
        images[kind] = ImageFactory(title=f"Photo {kind}", collection=collection)
        blocks.append(("document", {"document": documents[kind], "label": ""}))
        blocks.append(("image", {"image": images[kind], "alt_text": f"Photo {kind}", "decorative": False}))
    ProgramPageFactory(parent=home_page, title="Showcase", slug="showcase", body=blocks)
    accounts = {
        "partner": user_in("Partners", "partner"),
        "editor": user_in("Editors", "editor"),
        "member": user_in(MEMBERS_GROUP, "member"),
        "superuser": user_in(None, "superuser"),
    }
    accounts["superuser"].is_superuser = True
    accounts["superuser"].save()
    tokens = {name: api_token_create(user=user, name="site")[1] for name, user in accounts.items()}
    return {"events": events, "documents": documents, "images": images, "accounts": accounts, "tokens": tokens}


def as_account(client, world, account):
    client.logout()
    if account != "anonymous":
        client.force_login(world["accounts"][account])
    return client


GRAPHQL = """{
  events { items { title } }
  page(urlPath: "/showcase/") { ... on ProgramPage { body {
    ... on DocumentLinkBlock { document { title url } }
    ... on ImageBlock { image { title rendition(spec: "width-400") { url } } } } } }
}"""


@pytest.mark.parametrize("account", ACCOUNTS)
def test_graphql_with_an_api_token(client, world, account):
    headers = {} if account == "anonymous" else {"Authorization": f"Bearer {world['tokens'][account]}"}
    response = client.post(
        "/graphql/", json.dumps({"query": GRAPHQL}), content_type="application/json", headers=headers
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    titles = {item["title"] for item in data["events"]["items"]}
    assert titles == {"Public session"} | {f"Session {kind}" for kind in KINDS if admitted(kind, account)}
    body = data["page"]["body"]
    documents = {block["document"]["title"] for block in body if block.get("document")}
    images = {block["image"]["title"] for block in body if block.get("image")}
    assert documents == {f"Notes {kind}" for kind in KINDS if admitted(kind, account)}
    assert images == {f"Photo {kind}" for kind in KINDS if admitted(kind, account)}
    assert all(block["image"]["rendition"]["url"] for block in body if block.get("image"))


@pytest.mark.parametrize("account", ACCOUNTS)
def test_rest_v2_lists_public_pages_only_whoever_asks(client, world, account):
    """REST v2 is the anonymous baseline: a session does not widen it."""
    response = as_account(client, world, account).get("/api/v2/pages/", {"type": "events.TrainingEventPage"})
    assert [item["title"] for item in response.json()["items"]] == ["Public session"]
    for event in world["events"].values():
        assert client.get(f"/api/v2/pages/{event.pk}/").status_code == 404


@pytest.mark.parametrize("account", ACCOUNTS)
def test_ical_feeds(client, world, account):
    public = client.get(events_feed_path()).content.decode()
    assert "SUMMARY:Public session" in public
    assert not any(f"SUMMARY:Session {kind}" in public for kind in KINDS)
    if account == "anonymous":
        return
    private_path = member_calendar_url(world["accounts"][account]).removeprefix("https://cms.example.org")
    private = client.get(private_path).content.decode()
    assert "SUMMARY:Public session" in private
    for kind in KINDS:
        assert (f"SUMMARY:Session {kind}" in private) is admitted(kind, account), kind


def served_pdf(response) -> bool:
    return response.status_code == 200 and b"".join(getattr(response, "streaming_content", [b""])).startswith(b"%PDF")


@pytest.mark.parametrize("account", ACCOUNTS)
@pytest.mark.parametrize("kind", ["groups", "login"])
def test_documents_behind_groups_and_login_restrictions(client, world, kind, account):
    response = as_account(client, world, account).get(world["documents"][kind].url)
    if admitted(kind, account):
        assert served_pdf(response)
    elif account == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("account", ACCOUNTS)
def test_documents_behind_a_password_ask_for_it_then_serve_that_session(client, world, account):
    document = world["documents"]["password"]
    asked = as_account(client, world, account).get(document.url)
    assert asked.status_code == 200 and 'name="password"' in asked.content.decode()
    assert not served_pdf(asked)
    restriction = CollectionViewRestriction.objects.get(collection=document.collection)
    client.post(f"/documents/authenticate_with_password/{restriction.pk}/", {"password": PASSWORD, "return_url": "/"})
    assert served_pdf(client.get(document.url))


@pytest.mark.parametrize("account", ACCOUNTS)
@pytest.mark.parametrize("kind", ["groups", "login"])
def test_html_pages_behind_groups_and_login_restrictions(client, world, kind, account):
    response = as_account(client, world, account).get(world["events"][kind].url)
    if admitted(kind, account):
        assert response.status_code == 200
        assert f"Session {kind}" in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"].startswith("/_util/login/")


@pytest.mark.parametrize("account", ACCOUNTS)
def test_html_page_behind_a_password_asks_for_it_whoever_is_signed_in(client, world, account):
    event = world["events"]["password"]
    asked = as_account(client, world, account).get(event.url)
    assert asked.status_code == 200 and 'name="password"' in asked.content.decode()
    restriction = PageViewRestriction.objects.get(page=event)
    client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{event.pk}/", {"password": PASSWORD, "return_url": "/"}
    )
    assert "A facilitator-led live virtual training" in client.get(event.url).content.decode()


@pytest.mark.parametrize("account", ACCOUNTS)
def test_html_images_and_document_links(client, world, account):
    html = as_account(client, world, account).get("/showcase/").content.decode()
    for kind in KINDS:
        assert (f'alt="Photo {kind}"' in html) is admitted(kind, account), kind
        assert (world["documents"][kind].url in html) is admitted(kind, account), kind


def test_html_shows_a_password_collections_image_and_link_once_its_password_was_given(client, world):
    document = world["documents"]["password"]
    restriction = CollectionViewRestriction.objects.get(collection=document.collection)
    client.post(f"/documents/authenticate_with_password/{restriction.pk}/", {"password": PASSWORD, "return_url": "/"})
    html = client.get("/showcase/").content.decode()
    assert 'alt="Photo password"' in html
    assert document.url in html
