"""The CMS's own HTML pages (Wagtail's serve view) under the same privacy rule as GraphQL, REST and the feeds:
which pages are served, to whom, and what their rich text, blocks and listings link to. Real pages through
Django's test client; the visitor is the session's user (anonymous, a signed-in non-member, a member)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Collection, CollectionViewRestriction, Page, PageViewRestriction

from media_library.factories import DocumentFactory, ImageFactory
from pages.access import MEMBERS_GROUP
from pages.factories import ProgramPageFactory
from tests.integrations.graphql.helpers import user_in

pytestmark = pytest.mark.django_db


def restrict(page, kind, password=""):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=kind, password=password)
    if kind == PageViewRestriction.GROUPS:
        restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    return restriction


def members_collection():
    collection = Collection.get_first_root_node().add_child(name="Members only")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    return collection


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]*)"', html))


@pytest.fixture
def visitors(client):
    """Log the test client in as each kind of visitor; returns a function taking the kind."""
    users = {"partner": user_in("Partners", "partner"), "editor": user_in("Editors", "editor")}
    users["member"] = user_in(MEMBERS_GROUP, "member")

    def visit(kind):
        client.logout()
        if kind != "anonymous":
            client.force_login(users[kind])
        return client

    return visit


# --- which pages are served ------------------------------------------------------------------------------------


def test_a_live_page_below_an_unpublished_parent_is_not_found(client, home_page):
    parent = ProgramPageFactory(parent=home_page, title="Hidden section", slug="hidden-section")
    child = ProgramPageFactory(parent=parent, title="Live child", slug="live-child")
    parent.unpublish()
    child.refresh_from_db()
    assert child.live

    assert client.get("/hidden-section/live-child/").status_code == 404
    assert client.get("/hidden-section/").status_code == 404


def test_a_page_whose_expiry_has_passed_is_not_found_before_the_worker_unpublishes_it(client, home_page):
    page = ProgramPageFactory(parent=home_page, title="Spring campaign", slug="spring-campaign")
    ProgramPageFactory(parent=page, title="Campaign detail", slug="detail")
    assert client.get("/spring-campaign/detail/").status_code == 200
    Page.objects.filter(pk=page.pk).update(expire_at=timezone.now() - timedelta(seconds=1))

    assert client.get("/spring-campaign/").status_code == 404
    assert client.get("/spring-campaign/detail/").status_code == 404


def test_a_page_whose_expiry_is_ahead_is_served(client, home_page):
    ProgramPageFactory(
        parent=home_page, title="Summer campaign", slug="summer", expire_at=timezone.now() + timedelta(days=1)
    )
    assert client.get("/summer/").status_code == 200


def test_listings_leave_out_expired_pages(client, home_page):
    program = ProgramPageFactory(parent=home_page, title="Training", slug="training")
    ProgramPageFactory(parent=program, title="Still on", slug="still-on")
    ProgramPageFactory(parent=program, title="Gone stale", slug="stale", expire_at=timezone.now() - timedelta(1))
    html = client.get("/training/").content.decode()
    assert "Still on" in html
    assert "Gone stale" not in html


@pytest.mark.parametrize("kind", [PageViewRestriction.GROUPS, PageViewRestriction.LOGIN])
def test_restricted_pages_are_served_to_members_only(visitors, home_page, kind):
    """Groups ("CoP Members") and login restrictions both mean members-only, as on every other channel; anyone
    else is sent to sign in (Wagtail's answer), a signed-in editor or partner included."""
    page = ProgramPageFactory(parent=home_page, title="Members corner", slug="members-corner")
    ProgramPageFactory(parent=page, title="Below it", slug="below")
    restrict(page, kind)
    for path in ("/members-corner/", "/members-corner/below/"):
        for visitor in ("anonymous", "partner", "editor"):
            response = visitors(visitor).get(path)
            assert response.status_code == 302, (path, visitor)
            assert response["Location"].startswith("/_util/login/?next=")
            assert "no-cache" in response["Cache-Control"]
        served = visitors("member").get(path)
        assert served.status_code == 200
        assert "no-cache" in served["Cache-Control"]
    assert "Below it" in visitors("member").get("/members-corner/below/").content.decode()


def test_a_password_page_asks_for_its_password_then_serves_that_session(client, home_page):
    page = ProgramPageFactory(parent=home_page, title="Steering group", slug="steering")
    restriction = restrict(page, PageViewRestriction.PASSWORD, password="s3cret")
    asked = client.get("/steering/")
    assert asked.status_code == 200
    assert 'name="password"' in asked.content.decode()
    assert "The Community of Practice meets" not in asked.content.decode()

    action = f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/"
    client.post(action, {"password": "s3cret", "return_url": "/steering/"})
    served = client.get("/steering/")
    assert served.status_code == 200
    assert "The Community of Practice meets" in served.content.decode()


# --- what a public page links to --------------------------------------------------------------------------------


@pytest.fixture
def linking_page(home_page):
    """A public page whose rich text and blocks point at pages, documents and images of every kind."""
    private = members_collection()
    targets = {
        "public": ProgramPageFactory(parent=home_page, title="Public", slug="public-target"),
        "draft": ProgramPageFactory(parent=home_page, title="Draft", slug="draft-target", live=False),
        "members": ProgramPageFactory(parent=home_page, title="Members", slug="members-target"),
        "login": ProgramPageFactory(parent=home_page, title="Login", slug="login-target"),
        "password": ProgramPageFactory(parent=home_page, title="Password", slug="password-target"),
        "expired": ProgramPageFactory(
            parent=home_page, title="Expired", slug="expired-target", expire_at=timezone.now() - timedelta(1)
        ),
    }
    restrict(targets["members"], PageViewRestriction.GROUPS)
    restrict(targets["login"], PageViewRestriction.LOGIN)
    restrict(targets["password"], PageViewRestriction.PASSWORD, password="pw")
    documents = {
        "public": DocumentFactory(title="Public guide"),
        "members": DocumentFactory(title="Members notes", collection=private),
    }
    images = {"public": ImageFactory(title="Public photo"), "members": ImageFactory(title="Members photo")}
    images["members"].collection = private
    images["members"].save()
    links = "".join(f'<a linktype="page" id="{page.pk}">page-{name}</a> ' for name, page in targets.items())
    links += "".join(f'<a linktype="document" id="{doc.pk}">doc-{name}</a> ' for name, doc in documents.items())
    embeds = "".join(
        f'<embed embedtype="image" id="{image.pk}" format="left" alt="embed-{name}"/>' for name, image in images.items()
    )
    body = [
        ("paragraph", f"<p>{links}</p>{embeds}"),
        *[("document", {"document": doc, "label": f"block-{name}"}) for name, doc in documents.items()],
        *[
            ("image", {"image": image, "alt_text": f"image-{name}", "decorative": False})
            for name, image in images.items()
        ],
    ]
    ProgramPageFactory(parent=home_page, title="Linking page", slug="linking", body=body)
    return {"targets": targets, "documents": documents, "images": images}


def test_anonymous_visitors_get_links_to_public_targets_only(client, linking_page):
    html = client.get("/linking/").content.decode()
    targets, documents = linking_page["targets"], linking_page["documents"]
    assert targets["public"].url in hrefs(html)
    for name in ("draft", "members", "login", "password", "expired"):
        assert f"<a>page-{name}</a>" in html
        assert f"/{name}-target/" not in html
    assert f'<a href="{documents["public"].url}">doc-public</a>' in html
    assert "<a>doc-members</a>" in html
    assert documents["members"].url not in html
    assert 'alt="embed-public"' in html and 'alt="image-public"' in html
    assert "embed-members" not in html and "image-members" not in html
    assert "block-public" in html
    assert html.count(documents["members"].url) == 0


@pytest.mark.parametrize("visitor", ["partner", "editor"])
def test_signed_in_non_members_get_what_anonymous_visitors_get(visitors, linking_page, visitor):
    html = visitors(visitor).get("/linking/").content.decode()
    anonymous = visitors("anonymous").get("/linking/").content.decode()
    assert hrefs(html) == hrefs(anonymous)
    assert "image-members" not in html


def test_members_get_links_to_members_only_pages_documents_and_images(visitors, linking_page):
    html = visitors("member").get("/linking/").content.decode()
    targets, documents = linking_page["targets"], linking_page["documents"]
    assert {targets["public"].url, targets["members"].url, targets["login"].url} <= hrefs(html)
    for name in ("draft", "password", "expired"):
        assert f"<a>page-{name}</a>" in html
    assert f'<a href="{documents["members"].url}">doc-members</a>' in html
    assert documents["members"].url in hrefs(html)
    assert 'alt="embed-members"' in html and 'alt="image-members"' in html


def test_a_password_page_is_linked_once_its_password_was_given_in_this_session(client, linking_page):
    page = linking_page["targets"]["password"]
    restriction = PageViewRestriction.objects.get(page=page)
    client.post(f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/", {"password": "pw", "return_url": "/"})
    html = client.get("/linking/").content.decode()
    assert page.url in hrefs(html)
