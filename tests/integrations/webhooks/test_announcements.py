"""What partners are told, in the outbox: visibility changes made in the admin's privacy dialog, and the demo site."""

import json
from collections import Counter

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Collection, CollectionViewRestriction, Page

from events.factories import TrainingEventPageFactory
from integrations.webhooks import selectors, services
from integrations.webhooks.models import Delivery, OutboxMessage
from pages.access import MEMBERS_GROUP

pytestmark = pytest.mark.django_db


def publish(page):
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def set_privacy(client, page, restriction_type, **data):
    """Submit the admin's privacy dialog (Wagtail's set_privacy view) for `page`."""
    url = reverse("wagtailadmin_pages:set_privacy", args=[page.pk])
    response = client.post(url, {"restriction_type": restriction_type, **data})
    assert response.status_code == 200
    assert json.loads(response.content)["step"] == "set_privacy_done"


def told(endpoint) -> list[tuple[str, dict]]:
    """What `endpoint` will receive, in order: (type, data) of each body."""
    deliveries = Delivery.objects.filter(endpoint=endpoint).select_related("message").order_by("pk")
    bodies = [json.loads(selectors.delivery_body(d.message, endpoint.audience)) for d in deliveries]
    return [(body["type"], body["data"]) for body in bodies]


@pytest.fixture
def endpoints():
    return {
        audience: services.endpoint_create(url="http://127.0.0.1:9/hooks", event_types=["*"], audience=audience)
        for audience in ("public", "trusted")
    }


@pytest.fixture
def live_event(draft_event, endpoints):
    event = publish(draft_event)
    Delivery.objects.all().delete()  # the publish itself was announced: start from here
    return event


def test_making_a_live_page_members_only_is_an_unpublish_for_public_endpoints(admin_client, live_event, endpoints):
    set_privacy(admin_client, live_event, "groups", groups=[Group.objects.get(name=MEMBERS_GROUP).pk])

    assert told(endpoints["public"]) == [("event.unpublished", {"id": live_event.pk, "typename": "TrainingEventPage"})]
    assert told(endpoints["trusted"]) == []  # it still sees the page in full: nothing changed for it


def test_making_it_public_again_is_a_publish_with_the_full_data(admin_client, live_event, endpoints):
    set_privacy(admin_client, live_event, "login")
    Delivery.objects.all().delete()

    set_privacy(admin_client, live_event, "none")

    [(event_type, data)] = told(endpoints["public"])
    assert event_type == "event.published"
    assert data["title"] == "Youth in Suicide Crisis"
    assert data["url"].endswith("/youth-in-suicide-crisis/")
    assert told(endpoints["trusted"]) == []


def test_changing_one_restriction_for_another_tells_nobody(admin_client, live_event, endpoints):
    set_privacy(admin_client, live_event, "login")
    Delivery.objects.all().delete()

    set_privacy(admin_client, live_event, "password", password="s3cret-enough")

    assert not Delivery.objects.exists()


def test_deleting_a_members_only_page_is_only_a_deletion(admin_client, live_event, endpoints):
    """Its restriction is deleted with it: that must not read as the page becoming public."""
    set_privacy(admin_client, live_event, "login")
    Delivery.objects.all().delete()

    live_event.delete()

    assert told(endpoints["public"]) == [("event.deleted", {"id": live_event.pk, "typename": "TrainingEventPage"})]


def test_restricting_a_section_unpublishes_each_page_public_endpoints_could_see_below_it(
    admin_client, event_index, draft_event, endpoints
):
    index = publish(event_index)
    shown = publish(draft_event)
    hidden = publish(TrainingEventPageFactory(parent=event_index, live=False, slug="already-members-only"))
    set_privacy(admin_client, hidden, "login")
    TrainingEventPageFactory(parent=event_index, live=False, slug="a-draft")  # never announced
    Delivery.objects.all().delete()

    set_privacy(admin_client, index, "login")

    assert sorted(told(endpoints["public"]), key=lambda item: item[1]["id"]) == [
        ("page.unpublished", {"id": index.pk, "typename": "EventIndexPage"}),
        ("event.unpublished", {"id": shown.pk, "typename": "TrainingEventPage"}),
    ]
    Delivery.objects.all().delete()

    set_privacy(admin_client, index, "none")  # `hidden` keeps its own restriction

    assert sorted((data["id"], event_type) for event_type, data in told(endpoints["public"])) == [
        (index.pk, "page.published"),
        (shown.pk, "event.published"),
    ]


def test_restricting_a_draft_or_a_collection_tells_nobody(admin_client, draft_event, endpoints):
    set_privacy(admin_client, draft_event, "login")
    collection = Collection.get_first_root_node().add_child(name="Board papers")
    CollectionViewRestriction.objects.create(collection=collection, restriction_type=CollectionViewRestriction.LOGIN)

    assert not Delivery.objects.exists()


@pytest.fixture
def fresh_install(wagtail_tree):
    """Wagtail's install: a root and its live "Welcome" page, made live without a publish (an earlier transactional
    test's flush removed it)."""
    root = Page.get_first_root_node()
    if not root.get_children().filter(slug="home").exists():
        root.add_child(instance=Page(title="Welcome to your new Wagtail site!", slug="home"))


def test_seed_demo_announces_each_page_published_once_and_nothing_else(fresh_install):
    endpoint = services.endpoint_create(url="http://127.0.0.1:9/hooks", event_types=["*"], audience="trusted")

    call_command("seed_demo", "--allow-production", verbosity=0)

    messages = OutboxMessage.objects.filter(deliveries__endpoint=endpoint, object_key__startswith="page:")
    actions = Counter(event_type.split(".")[1] for event_type in messages.values_list("type", flat=True))
    live_pages = Page.objects.filter(depth__gt=1, live=True)
    assert actions == {"published": live_pages.count()}  # no page.deleted for Wagtail's welcome page, no updated
    assert sorted(messages.values_list("object_key", flat=True)) == sorted(
        f"page:{pk}" for pk in live_pages.values_list("pk", flat=True)
    )

    call_command("seed_demo", "--allow-production", verbosity=0)  # again: nothing new to tell
    assert messages.count() == live_pages.count()
