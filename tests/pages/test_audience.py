"""Who can see a page, set on its form (pages/audience.py): the request waits in the revision until a publish (the
workflow's approval, a scheduled go-live), the view restriction stays the one source of truth, and the Privacy panel
wins a conflict. Checked where it matters: GraphQL answers (through the cached view), webhook bodies, the listings.
"""

import json
from datetime import date, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import PageLogEntry, PageViewRestriction, WorkflowState

from events.factories import TrainingEventPageFactory
from events.models import TrainingEventPage
from integrations.graphql.services import api_token_create
from integrations.webhooks import selectors, services
from integrations.webhooks.models import Delivery
from pages.access import MEMBERS_GROUP
from pages.audience import AUDIENCE_REQUEST, NOT_APPLIED_ACTION, AudienceForm, AudienceRequest
from pages.editorial import EDITORS, MODERATORS, TASKS
from tests.pages.test_page_tree import edit_form_data

pytestmark = pytest.mark.django_db

TITLES = "{ events { items { title } } }"


def user_in(group: str, username: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "password")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def people(event_index):
    return {name: user_in(group, name) for name, group in [("editor", EDITORS), ("moderator", MODERATORS)]} | {
        "member": user_in(MEMBERS_GROUP, "member")
    }


@pytest.fixture
def endpoints():
    return {
        audience: services.endpoint_create(url="http://127.0.0.1:9/hooks", event_types=["*"], audience=audience)
        for audience in ("public", "trusted")
    }


def new_event(event_index, **fields) -> TrainingEventPage:
    return TrainingEventPageFactory(
        parent=event_index,
        title=fields.pop("title", "Youth in Suicide Crisis"),
        start_date=date(2031, 3, 12),
        start_time=time(10, 0),
        end_time=time(11, 30),
        time_zone="America/Chicago",
        join_url="https://meet.example.org/cop",  # submitting a virtual event needs its link
        **fields,
    )


@pytest.fixture
def live_event(event_index, endpoints):
    event = new_event(event_index, live=False)
    event.save_revision().publish()
    Delivery.objects.all().delete()  # its first publish was announced: start from here
    return TrainingEventPage.objects.get(pk=event.pk)


def members_only(page) -> None:
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])


def edit(client, page, *, action: str = "action-submit", **fields):
    """Post the page's admin edit form as the signed-in user's browser would, with `fields` changed."""
    data = edit_form_data(client, page)
    data.pop("action-publish", None)
    data.pop("action-submit", None)
    data.update(fields)
    if action:
        data[action] = action
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def approve_both_steps(client, page, moderator) -> None:
    client.force_login(moderator)
    for _ in TASKS:
        state = WorkflowState.objects.active().get(object_id=str(page.pk))
        url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.current_task_state.pk])
        assert client.post(url, {"comment": ""}).status_code == 302


def event_titles(user=None) -> list[str]:
    """The events `user` (anonymous by default) gets from /graphql/, with the response cache on: asked twice, so the
    second answer is a stored one and a stale stored answer would fail the test."""
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {api_token_create(user=user, name='audience tests')[1]}"
    answers = [
        Client().post("/graphql/", {"query": TITLES}, content_type="application/json", **headers).json()
        for _ in range(2)
    ]
    assert answers[0] == answers[1] and "errors" not in answers[1], answers
    return [item["title"] for item in answers[1]["data"]["events"]["items"]]


def restriction_groups(page) -> list[tuple[str, list[str]]]:
    return [
        (restriction.restriction_type, sorted(restriction.groups.values_list("name", flat=True)))
        for restriction in PageViewRestriction.objects.filter(page=page)
    ]


def told(endpoint) -> list[tuple[str, dict]]:
    deliveries = Delivery.objects.filter(endpoint=endpoint).select_related("message").order_by("pk")
    bodies = [json.loads(selectors.delivery_body(d.message, endpoint.audience)) for d in deliveries]
    return [(body["type"], body["data"]) for body in bodies]


def sentence(field) -> str:
    return strip_tags(str(field.help_text))


def form_field(client, page):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    return response.context["form"]["who_can_see"]


# --- the form ---------------------------------------------------------------------------------------------------


def test_the_form_says_who_sees_the_page_now_and_after_publishing(client, live_event, people):
    client.force_login(people["editor"])
    field = form_field(client, live_event)

    assert field.value() == "public"
    assert sentence(field).startswith("Now: public, on partner sites. After publishing: public, on partner sites.")

    edit(client, live_event, action="", who_can_see="members")  # "Save draft"
    field = form_field(client, live_event)

    assert field.value() == "members"  # the draft's request, not yet the page's
    assert "Now: public, on partner sites. After publishing: members only." in sentence(field)
    assert "Now: public" in client.get(reverse("wagtailadmin_pages:edit", args=[live_event.pk])).content.decode()


def test_members_only_on_a_live_event_waits_for_the_workflow_then_applies(client, live_event, people, endpoints):
    client.force_login(people["editor"])
    response = edit(client, live_event, who_can_see="members", summary="Now for members.")
    assert response.status_code == 302

    # Submitted, in review: the live page is unchanged and still public on every channel.
    live_event.refresh_from_db()
    assert live_event.latest_revision.content[AUDIENCE_REQUEST] == {"requested": "members", "from": "public"}
    assert restriction_groups(live_event) == []
    assert event_titles() == ["Youth in Suicide Crisis"]
    assert told(endpoints["public"]) == told(endpoints["trusted"]) == []

    approve_both_steps(client, live_event, people["moderator"])

    live_event.refresh_from_db()
    assert live_event.summary == "Now for members."
    assert restriction_groups(live_event) == [("groups", [MEMBERS_GROUP])]
    assert event_titles() == []  # the cached anonymous answer from before the approval is not served
    assert event_titles(people["member"]) == ["Youth in Suicide Crisis"]
    created = PageLogEntry.objects.get(page=live_event, action="wagtail.view_restriction.create")
    assert created.user == people["moderator"]  # the history says who made it members-only: the approver

    # Public endpoints learn it left the public, and never see the new content; trusted ones get the update.
    reference = {"id": live_event.pk, "typename": "TrainingEventPage"}
    assert told(endpoints["public"]) == [("event.unpublished", reference), ("event.updated", reference)]
    [(event_type, data)] = told(endpoints["trusted"])
    assert (event_type, data["title"]) == ("event.updated", "Youth in Suicide Crisis")


def test_a_new_draft_asked_to_be_members_only_is_restricted_from_its_first_publish(
    client, event_index, people, endpoints
):
    draft = new_event(event_index, live=False, title="Members' roundtable")
    client.force_login(people["editor"])
    edit(client, draft, who_can_see="members")
    assert restriction_groups(draft) == []
    assert event_titles(people["member"]) == []  # a draft reaches nobody

    approve_both_steps(client, draft, people["moderator"])

    assert restriction_groups(draft) == [("groups", [MEMBERS_GROUP])]
    assert event_titles() == []
    assert event_titles(people["member"]) == ["Members' roundtable"]
    # Never public, not even inside the publish: public endpoints get only the reference, and no "unpublished".
    assert told(endpoints["public"]) == [("event.published", {"id": draft.pk, "typename": "TrainingEventPage"})]


def test_public_on_a_members_only_event_applies_at_publish_with_the_new_content(client, live_event, people, endpoints):
    members_only(live_event)
    Delivery.objects.all().delete()
    client.force_login(people["editor"])
    assert form_field(client, live_event).value() == "members"

    edit(client, live_event, who_can_see="public", title="Youth in Suicide Crisis (open to all)")
    assert event_titles() == []

    approve_both_steps(client, live_event, people["moderator"])

    assert restriction_groups(live_event) == []
    assert event_titles() == ["Youth in Suicide Crisis (open to all)"]
    types_and_titles = [(event_type, data.get("title")) for event_type, data in told(endpoints["public"])]
    assert types_and_titles == [
        ("event.published", "Youth in Suicide Crisis (open to all)"),  # back for the public, with the new title
        ("event.updated", "Youth in Suicide Crisis (open to all)"),
    ]


def test_a_scheduled_go_live_applies_the_request_at_go_live_time(client, live_event, people):
    client.force_login(people["editor"])
    go_live = timezone.localtime() + timedelta(hours=1)
    edit(client, live_event, who_can_see="members", go_live_at=go_live.strftime("%Y-%m-%d %H:%M"))
    approve_both_steps(client, live_event, people["moderator"])

    # Approved for later: still public until then.
    assert restriction_groups(live_event) == []
    assert event_titles() == ["Youth in Suicide Crisis"]

    revision = live_event.revisions.get(approved_go_live_at__isnull=False)
    past = timezone.now() - timedelta(seconds=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    call_command("publish_scheduled")

    assert restriction_groups(live_event) == [("groups", [MEMBERS_GROUP])]
    assert event_titles() == []


def test_a_change_in_the_privacy_panel_meanwhile_stands(client, live_event, people):
    client.force_login(people["editor"])
    edit(client, live_event, who_can_see="members")
    # While it is in review, an administrator protects the page with a password in the Privacy panel.
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "password")
    client.force_login(admin)
    url = reverse("wagtailadmin_pages:set_privacy", args=[live_event.pk])
    response = client.post(url, {"restriction_type": "password", "password": "s3cret-enough"})
    assert json.loads(response.content)["step"] == "set_privacy_done"

    approve_both_steps(client, live_event, people["moderator"])

    assert restriction_groups(live_event) == [("password", [])]
    dropped = PageLogEntry.objects.get(page=live_event, action=NOT_APPLIED_ACTION)
    assert dropped.data == {"requested": "members", "from": "public", "now": "other"}
    assert "Privacy panel's setting stands" in dropped.message
    # The form now shows the panel's restriction and leaves it to the panel.
    client.force_login(people["editor"])
    field = form_field(client, live_event)
    assert field.field.disabled
    assert "Now: restricted in the Privacy panel (password). Change it in the Privacy panel." in sentence(field)


def test_the_panel_making_it_members_only_first_leaves_one_restriction(client, live_event, people):
    client.force_login(people["editor"])
    edit(client, live_event, who_can_see="members")
    members_only(live_event)

    approve_both_steps(client, live_event, people["moderator"])

    assert restriction_groups(live_event) == [("groups", [MEMBERS_GROUP])]


def test_a_page_in_a_restricted_section_leaves_the_change_to_the_section(client, event_index, live_event, people):
    members_only(event_index)
    client.force_login(people["editor"])
    field = form_field(client, live_event)
    assert field.field.disabled and field.value() == "members"
    assert "members only, like everything under “Training events”" in sentence(field)

    edit(client, live_event, who_can_see="public")  # a disabled field: Django ignores what is posted
    approve_both_steps(client, live_event, people["moderator"])

    assert restriction_groups(event_index) == [("groups", [MEMBERS_GROUP])]
    assert AUDIENCE_REQUEST not in live_event.revisions.latest("created_at").content
    assert event_titles() == []


@pytest.mark.parametrize("hostile", ["everyone", "members; DROP TABLE wagtailcore_page", "<script>", "MEMBERS"])
def test_a_hostile_audience_value_is_refused_and_loses_nothing(client, live_event, people, hostile):
    client.force_login(people["editor"])
    revisions = live_event.revisions.count()

    response = edit(client, live_event, who_can_see=hostile, summary="An edit worth keeping.")

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["who_can_see"] == [f"Select a valid choice. {hostile} is not one of the available choices."]
    assert form["summary"].value() == "An edit worth keeping."  # shown again, for the editor to fix and resubmit
    assert live_event.revisions.count() == revisions
    assert restriction_groups(live_event) == []


@pytest.mark.parametrize(
    "stored",
    [
        {"requested": "admins", "from": "public"},
        {"requested": "members", "from": "members"},
        {"requested": "members"},
        "members",
        ["members", "public"],
        None,
    ],
)
def test_a_malformed_request_in_a_revision_changes_nothing(live_event, stored):
    revision = live_event.save_revision()
    revision.content[AUDIENCE_REQUEST] = stored
    revision.save(update_fields=["content"])

    revision.publish()

    assert AudienceRequest.from_content(revision.content) is None
    assert restriction_groups(live_event) == []
    assert event_titles() == ["Youth in Suicide Crisis"]


def test_an_unpublished_page_exposes_nothing_whatever_it_asks(client, live_event, people):
    members_only(live_event)
    live_event.unpublish()
    client.force_login(people["editor"])
    edit(client, live_event, action="", who_can_see="public")

    assert event_titles() == event_titles(people["member"]) == []
    assert restriction_groups(live_event) == [("groups", [MEMBERS_GROUP])]


def test_every_content_form_has_the_field(event_index):
    from media_library.models import PublicationPage, RecordingPage

    for model in (TrainingEventPage, PublicationPage, RecordingPage):
        form_class = model.get_edit_handler().get_form_class()
        assert issubclass(form_class, AudienceForm) and "who_can_see" in form_class.base_fields, model


# --- the listings -----------------------------------------------------------------------------------------------


def test_listings_badge_members_only_pages(client, event_index, live_event, people):
    members_only(live_event)
    new_event(event_index, title="Open Forum", slug="open-forum")
    client.force_login(people["editor"])

    for url in (reverse("wagtailadmin_explore", args=[event_index.pk]), reverse("training_events:index")):
        html = client.get(url).content.decode()
        assert html.count("data-audience-badge") == 1, url
        row = html[html.index("Youth in Suicide Crisis") :]
        assert row.index("Members only") < row.index("</tr>")


def test_a_password_protected_page_is_badged_private(client, event_index, live_event, people):
    PageViewRestriction.objects.create(
        page=live_event, restriction_type=PageViewRestriction.PASSWORD, password="s3cret-enough"
    )
    client.force_login(people["editor"])

    html = client.get(reverse("training_events:index")).content.decode()

    assert html.count("data-audience-badge") == 1 and "Members only" not in html
    assert ">Private" in html.replace("\n", "").replace("  ", "")


def test_a_new_page_in_a_restricted_section_says_so_before_it_is_published(client, event_index, people):
    members_only(event_index)
    client.force_login(people["editor"])

    form = client.get(reverse("wagtailadmin_pages:add", args=["events", "trainingeventpage", event_index.pk]))
    field = form.context["form"]["who_can_see"]

    assert field.field.disabled and field.value() == "members"
    assert sentence(field) == (
        "Now: not published, so only CMS users see it. After publishing: members only, like everything under "
        "“Training events” (set in that page's Privacy panel). Change it in the Privacy panel."
    )
