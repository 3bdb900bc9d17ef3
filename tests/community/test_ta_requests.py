"""Technical-assistance requests: members submit through GraphQL, staff triage in the admin with a recorded
history, members see their own agency's requests; staff are emailed; `ta_request.*` webhooks are written to the
outbox for trusted endpoints only."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from community import services
from community.factories import AgencyFactory, FocusAreaFactory, TaRequestFactory, member_user
from community.models import TA_STAFF_GROUP, TaRequest, TaRequestChange
from integrations.webhooks.models import Audience, Delivery, Endpoint, OutboxMessage
from tests.integrations.graphql.helpers import data, run, user_in

pytestmark = pytest.mark.django_db

CREATE = """
mutation ($input: CreateTaRequestInput!) {
  createTaRequest(input: $input) {
    taRequest { id status urgency preferredDeliveryMode description descriptionHtml focusArea { slug } agency { name } }
    errors { field message code }
  }
}
"""
MINE = "{ taRequests { items { id status description updatedAt agency { name } } pagination { total } } }"
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"> Need help & <b>data</b>\nSecond line'


def submit(user, **overrides):
    values = {
        "focusArea": "data-collection-and-analysis",
        "description": "Help us collect CIT call outcome data with our 911 center.",
        "preferredDeliveryMode": "VIRTUAL",
        "urgency": "HIGH",
    }
    return data(CREATE, user=user, input={**values, **overrides})["createTaRequest"]


@pytest.fixture
def endpoints():
    trusted = Endpoint.objects.create(url="https://hooks.example.org/t", event_types=["*"], audience=Audience.TRUSTED)
    public = Endpoint.objects.create(url="https://hooks.example.org/p", event_types=["*"], audience=Audience.PUBLIC)
    return trusted, public


def test_member_submits_for_their_agency(member, agency, focus_area, endpoints, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = submit(member)
    assert result["errors"] == []
    created = result["taRequest"]
    assert created["status"] == "NEW" and created["urgency"] == "HIGH" and created["preferredDeliveryMode"] == "VIRTUAL"
    assert created["agency"] == {"name": agency.name}
    ta_request = TaRequest.objects.get()
    assert ta_request.submitted_by == member
    # The outbox row, for the trusted endpoint only: public endpoints do not learn that a request exists.
    message = OutboxMessage.objects.get(type="ta_request.created")
    assert message.public is False and message.data["agency"]["name"] == agency.name
    assert list(Delivery.objects.values_list("endpoint", flat=True)) == [endpoints[0].pk]
    # The staff email, as a task after commit.
    task = DBTaskResult.objects.get(task_path="community.tasks.notify_staff_of_ta_request")
    assert task.args_kwargs["args"] == [ta_request.pk]


def test_staff_email(member, focus_area, settings):
    settings.TA_REQUEST_NOTIFY_EMAILS = ["ta-team@ncpi.example.org"]
    ta_request = TaRequestFactory(agency=member.membership.agency, focus_area=focus_area)
    assert services.ta_request_notify_staff(ta_request_id=ta_request.pk) == 1
    [message] = mail.outbox
    assert message.to == ["ta-team@ncpi.example.org"]
    assert "Franklin County Sheriff's Office" in message.subject and "Data collection and analysis" in message.subject
    assert f"/admin/ta_requests/edit/{ta_request.pk}/" in message.body


def test_script_and_event_handler_html_is_stored_and_returned_as_text(member, focus_area):
    created = submit(member, description=XSS)["taRequest"]
    assert created["description"] == XSS  # plain text, exactly as typed
    html = created["descriptionHtml"]
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "onerror=&quot;alert(2)&quot;" in html
    assert html.startswith("<p>") and "<br>" in html


def test_staff_see_it_escaped_in_the_admin(admin_client, member, focus_area):
    submit(member, description=XSS)
    ta_request = TaRequest.objects.get()
    page = admin_client.get(reverse("ta_requests:edit", args=[ta_request.pk]))
    assert page.status_code == 200
    assert b"<script>alert(1)" not in page.content and b'onerror="alert(2)"' not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"description": "x" * 5001}, "description", "max_length"),
        ({"description": "   "}, "description", "required"),
        ({"description": "null\x00byte"}, "description", "invalid"),
        ({"focusArea": "988-crisis-hotline"}, "focusArea", "invalid_choice"),
        ({"focusArea": "' OR 1=1 --"}, "focusArea", "invalid_choice"),
        ({"focusArea": "f" * 10_000}, "focusArea", "invalid_choice"),
    ],
)
def test_bad_input_is_a_field_error(member, focus_area, overrides, field, code):
    result = submit(member, **overrides)
    assert result["taRequest"] is None
    assert [(error["field"], error["code"]) for error in result["errors"]] == [(field, code)]
    assert not TaRequest.objects.exists()


def test_unknown_enum_values_fail_validation(member, focus_area):
    result = run(CREATE, user=member, input={"focusArea": "x", "description": "y", "urgency": "CRITICAL"})
    assert result.data is None and "CRITICAL" in result.errors[0].message


def test_member_without_agency_gets_a_whole_input_error(focus_area):
    lone = member_user("lone-member")
    result = submit(lone)
    assert result["errors"][0]["field"] == "__all__" and result["errors"][0]["code"] == "no_agency"


def test_non_members_cannot_submit(focus_area):
    result = run(CREATE, user=user_in("Partners", "partner"), input={"focusArea": "x", "description": "y"})
    assert result.errors[0].extensions["code"] == "FORBIDDEN"
    assert run(CREATE, input={"focusArea": "x", "description": "y"}).errors[0].extensions["code"] == "UNAUTHENTICATED"


def test_members_see_only_their_agency_and_never_staff_notes(member, agency, focus_area):
    other = AgencyFactory(name="Tulsa Police Department", state="OK")
    mine = TaRequestFactory(agency=agency, focus_area=focus_area, staff_notes="Chief is hard to reach")
    TaRequestFactory(agency=other, focus_area=focus_area)
    result = data(MINE, user=member)["taRequests"]
    assert [item["id"] for item in result["items"]] == [str(mine.pk)]
    assert "staffNotes" not in CREATE and "hard to reach" not in str(result)
    colleague = member_user("colleague", agency=agency)  # everyone at the agency sees its requests
    assert data(MINE, user=colleague)["taRequests"]["pagination"]["total"] == 1


def test_staff_triage_records_history_and_sends_updated(admin_client, admin_user, member, focus_area, endpoints):
    admin_user.groups.add(Group.objects.get(name=TA_STAFF_GROUP))  # only TA staff can be assigned
    submit(member)
    ta_request = TaRequest.objects.get()
    url = reverse("ta_requests:edit", args=[ta_request.pk])
    response = admin_client.post(url, {"status": "scheduled", "assignee": admin_user.pk, "staff_notes": "Call Tue"})
    assert response.status_code == 302, response.content[:2000]
    changes = list(TaRequestChange.objects.values_list("field", "old_value", "new_value", "changed_by"))
    assert sorted(changes) == [
        ("assignee", "", admin_user.get_username(), admin_user.pk),
        ("staff_notes", "", "Call Tue", admin_user.pk),
        ("status", "New", "Scheduled", admin_user.pk),
    ]
    updated = OutboxMessage.objects.get(type="ta_request.updated")
    assert updated.data["status"] == "scheduled"
    assert updated.data["changedFields"] == ["assignee", "staff_notes", "status"]
    assert "Call Tue" not in str(updated.data)  # staff notes never leave the CMS
    assert Delivery.objects.filter(message=updated).get().endpoint == endpoints[0]
    # Saving again unchanged records and sends nothing.
    admin_client.post(url, {"status": "scheduled", "assignee": admin_user.pk, "staff_notes": "Call Tue"})
    assert TaRequestChange.objects.count() == 3 and OutboxMessage.objects.filter(type="ta_request.updated").count() == 1
    history = admin_client.get(url)
    assert b"History" in history.content and b"Scheduled" in history.content
    assert data(MINE, user=member)["taRequests"]["items"][0]["status"] == "SCHEDULED"


def test_admin_listing_filters(admin_client, member, focus_area):
    TaRequestFactory(agency=member.membership.agency, focus_area=focus_area, urgency="urgent")
    other_area = FocusAreaFactory(name="CIT leadership competencies", slug="cit-leadership-competencies")
    TaRequestFactory(agency=member.membership.agency, focus_area=other_area, status="closed")
    assert admin_client.get("/admin/ta_requests/?urgency=urgent").status_code == 200
    listing = admin_client.get(f"/admin/ta_requests/?focus_area={other_area.pk}&status=closed")
    assert b"CIT leadership competencies" in listing.content
    assert admin_client.get("/admin/ta_requests/new/").status_code in (302, 403)  # members submit; staff triage


def test_public_endpoints_cannot_be_sent_ta_requests_even_when_subscribed_by_name(endpoints):
    trusted, public = endpoints
    public.event_types = ["ta_request.created", "ta_request.updated"]
    public.save()
    assert not public.subscribes_to("ta_request.created")
    assert trusted.subscribes_to("ta_request.updated")


@pytest.mark.slow
def test_ta_requests_query_count_is_constant(member, agency, focus_area):
    def queries_for(count: int) -> int:
        TaRequest.objects.all().delete()
        TaRequestFactory.create_batch(count, agency=agency, focus_area=focus_area)
        query = (
            "{ taRequests(perPage: 100) { items { id status focusArea { slug } agency { name contacts { name } } } } }"
        )
        with CaptureQueriesContext(connection) as captured:
            assert len(data(query, user=member)["taRequests"]["items"]) == count
        return len(captured)

    assert queries_for(3) == queries_for(40)


def test_webhook_admin_lists_the_ta_request_types(admin_client):
    page = admin_client.get(reverse("webhook_endpoints:add")).content.decode()
    assert "ta_request.created" in page and "ta_request.updated" in page
