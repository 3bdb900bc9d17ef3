"""TA case handling end to end: a member submits, a TA staff user (not a superuser) assigns and replies, the member
reads the reply over GraphQL and follows up; emails reach the right people; other agencies, partners and every
channel never see another agency's conversation or staff's internal notes."""

import base64
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community import notifications
from community.factories import AgencyFactory, TaRequestFactory, member_user, ta_staff_user
from community.models import Notification, TaMessage, TaRequest, TaRequestStatus
from integrations.webhooks.models import Audience, Endpoint, OutboxMessage
from tests.integrations.graphql.helpers import data, run, user_in

pytestmark = pytest.mark.django_db

CREATE = """
mutation ($input: CreateTaRequestInput!) { createTaRequest(input: $input) { taRequest { id } errors { field code } } }
"""
ONE = """
query ($id: ID!) {
  taRequest(id: $id) {
    id status assigneeName
    messages { kind authorName body bodyHtml attachment { title url } }
    statusHistory { status previousStatus changedAt }
  }
}
"""
FOLLOW_UP = """
mutation ($input: AddTaMessageInput!) {
  addTaMessage(input: $input) {
    message { kind body attachment { title } }
    taRequest { messages { kind body } }
    errors { field message code }
  }
}
"""
WITHDRAW = """
mutation ($id: ID!) {
  withdrawTaRequest(id: $id) { taRequest { status statusHistory { status } } errors { field message code } }
}
"""
NOTE = "Internal: the sheriff's budget is frozen until July"


def deliver() -> list[Notification]:
    """Run what the send_notification task runs for every waiting email (the worker is exercised apart)."""
    for pk in Notification.objects.filter(status="pending", digest=False).values_list("pk", flat=True):
        notifications.notification_send(notification_id=pk)
    return list(Notification.objects.all())


def submit(member, capture):
    values = {"focusArea": "data-collection-and-analysis", "description": "Help with our 911 data.", "urgency": "HIGH"}
    with capture(execute=True):
        result = data(CREATE, user=member, input=values)["createTaRequest"]
    assert result["errors"] == []
    return TaRequest.objects.get(pk=result["taRequest"]["id"])


@pytest.fixture
def ta_staff(db):
    return ta_staff_user("tstaff")


@pytest.fixture
def trusted_endpoint(db):
    return Endpoint.objects.create(url="https://hooks.example.org/t", event_types=["*"], audience=Audience.TRUSTED)


def staff_saves(client, ta_request, **fields):
    values = {"status": ta_request.status, "assignee": ta_request.assignee_id or "", "staff_notes": "", **fields}
    response = client.post(reverse("ta_requests:edit", args=[ta_request.pk]), values)
    assert response.status_code == 302, response.content[-3000:]


def test_member_staff_conversation_end_to_end(
    client, member, agency, focus_area, ta_staff, trusted_endpoint, django_capture_on_commit_callbacks
):
    assert not ta_staff.is_superuser and not ta_staff.is_staff
    ta_request = submit(member, django_capture_on_commit_callbacks)
    [confirmation] = deliver()
    assert confirmation.kind == "ta_request.created" and confirmation.recipient == member
    assert mail.outbox[-1].to == [member.email] and "received your TA request" in mail.outbox[-1].subject

    # The TA staff user works from the triage list: new and unassigned.
    client.force_login(ta_staff)
    listing = client.get(reverse("ta_requests:index"), {"queue": "unassigned"})
    assert listing.status_code == 200 and f"/admin/ta_requests/edit/{ta_request.pk}/".encode() in listing.content
    with django_capture_on_commit_callbacks(execute=True):
        staff_saves(
            client,
            ta_request,
            status="in_progress",
            assignee=ta_staff.pk,
            reply="We can help. Which CAD system does your 911 center use?",
            internal_note=NOTE,
        )
    mail.outbox.clear()
    deliver()
    # The member hears about the status change and the reply; the note goes nowhere.
    assert sorted(message.subject for message in mail.outbox) == [
        f"NCPI replied to TA request #{ta_request.pk}: Data collection and analysis",
        f"TA request #{ta_request.pk} is now in progress",
    ]
    assert all(message.to == [member.email] for message in mail.outbox)
    reply_email = next(message for message in mail.outbox if "replied" in message.subject)
    assert "Which CAD system" in reply_email.body
    html, mime = reply_email.alternatives[0]
    assert mime == "text/html" and "Which CAD system" in html
    assert reply_email.extra_headers["List-Unsubscribe"].startswith("<https://cms.example.org/members/email-")
    assert f"https://cms.example.org/resource-center/ta-requests/{ta_request.pk}" in reply_email.body

    # The member reads the reply over GraphQL, with the status history; no internal note.
    seen = data(ONE, user=member, id=ta_request.pk)["taRequest"]
    assert seen["status"] == "IN_PROGRESS" and seen["assigneeName"] == "Tstaff"
    assert [(m["kind"], m["authorName"]) for m in seen["messages"]] == [("REPLY", "Tstaff")]
    assert [(h["previousStatus"], h["status"]) for h in seen["statusHistory"]] == [
        (None, "NEW"),
        ("NEW", "IN_PROGRESS"),
    ]

    # The member follows up with a file; the assignee (only) is emailed.
    mail.outbox.clear()
    attachment = {"filename": "calls.csv", "contentBase64": base64.b64encode(b"date,calls\n2026-01-01,4\n").decode()}
    with django_capture_on_commit_callbacks(execute=True):
        result = data(
            FOLLOW_UP,
            user=member,
            input={"taRequestId": str(ta_request.pk), "body": "We use Tyler CAD.", "attachment": attachment},
        )["addTaMessage"]
    assert result["errors"] == [] and result["message"]["attachment"] == {"title": "calls.csv"}
    assert [m["kind"] for m in result["taRequest"]["messages"]] == ["REPLY", "FOLLOW_UP"]
    deliver()
    [staff_email] = mail.outbox
    assert staff_email.to == [ta_staff.email] and "We use Tyler CAD." in staff_email.body
    assert f"/admin/ta_requests/edit/{ta_request.pk}/" in staff_email.body

    # The staff conversation shows everything, the note marked as staff-only.
    page = client.get(reverse("ta_requests:edit", args=[ta_request.pk])).content.decode()
    assert NOTE.replace("'", "&#x27;") in page and "We use Tyler CAD." in page and "(staff only)" in page

    # Internal notes never leave the admin: not in GraphQL, emails or webhooks.
    assert NOTE not in str(data(ONE, user=member, id=ta_request.pk))
    assert all(NOTE not in n.body_text + n.body_html + n.subject for n in Notification.objects.all())
    assert all(NOTE not in str(message.data) for message in OutboxMessage.objects.all())
    assert OutboxMessage.objects.filter(type="ta_request.updated").count() == 3  # status, reply, follow-up


def test_withdraw_records_history_and_refuses_twice(member, agency, focus_area, django_capture_on_commit_callbacks):
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    with django_capture_on_commit_callbacks(execute=True):
        result = data(WITHDRAW, user=member, id=ta_request.pk)["withdrawTaRequest"]
    assert result["errors"] == [] and result["taRequest"]["status"] == "WITHDRAWN"
    assert [h["status"] for h in result["taRequest"]["statusHistory"]] == ["NEW", "WITHDRAWN"]
    again = data(WITHDRAW, user=member, id=ta_request.pk)["withdrawTaRequest"]
    assert again["taRequest"] is None and again["errors"][0]["code"] == "finished"
    closed = data(FOLLOW_UP, user=member, input={"taRequestId": str(ta_request.pk), "body": "Hello?"})
    assert closed["addTaMessage"]["errors"][0]["code"] == "finished"
    deliver()
    assert [message.to for message in mail.outbox] == [[member.email]]  # the status change


def test_other_agency_and_partner_see_nothing(member, agency, focus_area, ta_staff):
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    TaMessage.objects.create(ta_request=ta_request, kind="reply", author=ta_staff, body="Secret plan")
    outsider = member_user("outsider", agency=AgencyFactory(name="Elsewhere PD", state="TX"))
    assert data(ONE, user=outsider, id=ta_request.pk)["taRequest"] is None
    assert data("{ taRequests { items { id } } }", user=outsider)["taRequests"]["items"] == []
    for query, variables in (
        (FOLLOW_UP, {"input": {"taRequestId": str(ta_request.pk), "body": "x"}}),
        (WITHDRAW, {"id": ta_request.pk}),
    ):
        [payload] = data(query, user=outsider, **variables).values()
        assert payload["errors"][0]["code"] == "not_found" and payload["taRequest"] is None
    assert TaRequest.objects.get().status == "new" and TaMessage.objects.count() == 1
    partner = user_in("Partners", "partner-web")
    for caller in (partner, None):
        result = run(ONE, user=caller, id=ta_request.pk)
        assert not (result.data or {}).get("taRequest") and "Secret plan" not in str(result)
        assert result.errors[0].extensions["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
    # TA staff are not members: GraphQL's members' fields refuse them too (they work in the admin).
    assert run(ONE, user=ta_staff, id=ta_request.pk).errors[0].extensions["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"body": ""}, "required"),
        ({"body": "   "}, "required"),
        ({"body": "x" * 5001}, "max_length"),
        ({"body": "null\x00byte"}, "invalid"),
        ({"taRequestId": "abc"}, "not_found"),
        ({"taRequestId": "-1"}, "not_found"),
        ({"taRequestId": "9" * 40}, "not_found"),
        ({"attachment": {"filename": "a.csv", "contentBase64": "%%%not base64"}}, "invalid"),
        (
            {"attachment": {"filename": "tool.exe", "contentBase64": base64.b64encode(b"MZ\x90\x00").decode()}},
            "invalid",
        ),
        (
            {
                "attachment": {
                    "filename": "x.txt",
                    "contentBase64": base64.b64encode(b"<script>alert(1)</script>").decode(),
                }
            },
            "invalid",
        ),
        (
            {"attachment": {"filename": "../../etc/x.csv", "contentBase64": base64.b64encode(b"a,b\n").decode()}},
            "invalid",
        ),
        ({"attachment": {"filename": "", "contentBase64": base64.b64encode(b"a,b\n").decode()}}, "invalid"),
    ],
)
def test_follow_up_refuses_hostile_input_and_keeps_nothing(member, agency, focus_area, change, code):
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    values = {"taRequestId": str(ta_request.pk), "body": "Here is our data.", **change}
    result = data(FOLLOW_UP, user=member, input=values)["addTaMessage"]
    assert result["message"] is None and result["errors"][0]["code"] == code, result
    assert not TaMessage.objects.exists() and not Notification.objects.exists()


def test_withdraw_hostile_ids(member):
    for bad in ("", "abc", "1e9", "0", "-5", "' OR 1=1 --", "\x00"):
        result = data(WITHDRAW, user=member, id=bad)["withdrawTaRequest"]
        assert result["errors"][0]["code"] == "not_found"


def test_admin_reply_refused_cleanly_when_hostile(client, member, agency, focus_area, ta_staff):
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    client.force_login(ta_staff)
    url = reverse("ta_requests:edit", args=[ta_request.pk])
    response = client.post(url, {"status": "new", "assignee": "", "staff_notes": "", "reply": "bad\x00text"})
    assert response.status_code == 200 and not TaMessage.objects.exists()
    response = client.post(url, {"status": "new", "assignee": "999999", "staff_notes": ""})
    assert response.status_code == 200 and TaRequest.objects.get().assignee is None
    # A superuser who is not TA staff is no assignee either.
    outsider = user_in(None, "someone")
    response = client.post(url, {"status": "new", "assignee": outsider.pk, "staff_notes": ""})
    assert response.status_code == 200 and TaRequest.objects.get().assignee is None


def test_ta_staff_permissions_are_their_own(client, ta_staff):
    client.force_login(ta_staff)
    assert client.get(reverse("ta_requests:index")).status_code == 200
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert client.get(reverse("agencies:index")).status_code == 200  # read the directory
    assert client.get(reverse("agencies:add")).status_code in (302, 403)
    assert client.get(reverse("members:index")).status_code in (302, 403)
    assert client.get(reverse("wagtailusers_users:index")).status_code in (302, 403)
    assert client.get("/admin/pages/").status_code in (302, 403)


def test_triage_queues_and_dashboard_panel(client, member, agency, focus_area, ta_staff):
    old = timezone.now() - timedelta(days=3)
    overdue = TaRequestFactory(agency=agency, focus_area=focus_area, urgency="urgent", created_at=old)
    answered = TaRequestFactory(
        agency=agency, focus_area=focus_area, urgency="urgent", created_at=old, first_response_at=old, assignee=ta_staff
    )
    fresh = TaRequestFactory(agency=agency, focus_area=focus_area, urgency="low")
    done = TaRequestFactory(agency=agency, focus_area=focus_area, urgency="urgent", created_at=old, status="closed")
    client.force_login(ta_staff)

    def listed(queue):
        page = client.get(reverse("ta_requests:index"), {"queue": queue}).content.decode()
        return {pk for pk in (overdue.pk, answered.pk, fresh.pk, done.pk) if f"/ta_requests/edit/{pk}/" in page}

    assert listed("overdue") == {overdue.pk}
    assert listed("new") == {overdue.pk, answered.pk, fresh.pk}
    assert listed("unassigned") == {overdue.pk, fresh.pk}
    assert listed("mine") == {answered.pk}
    assert client.get(reverse("ta_requests:index"), {"queue": "<script>"}).status_code == 200
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "data-ta-triage-panel" in home and "?queue=overdue" in home
    for count, label in (("3", "new"), ("2", "unassigned"), ("1", "overdue"), ("1", "assigned to me")):
        assert f"<strong>{count}</strong> {label}</a>" in home


def test_ta_request_list_with_conversations_runs_constant_queries(member, agency, focus_area, ta_staff):
    query = "{ taRequests(perPage: 50) { items { id messages { body authorName } statusHistory { status } } } }"

    def add(count):
        for _ in range(count):
            ta_request = TaRequestFactory(agency=agency, focus_area=focus_area)
            TaMessage.objects.create(ta_request=ta_request, kind="reply", author=ta_staff, body="Hi")
            TaMessage.objects.create(ta_request=ta_request, kind="note", author=ta_staff, body=NOTE)

    add(2)
    with CaptureQueriesContext(connection) as few:
        data(query, user=member)
    add(6)
    with CaptureQueriesContext(connection) as many:
        result = data(query, user=member)
    assert len(result["taRequests"]["items"]) == 8 and NOTE not in str(result)
    assert len(many) == len(few)


def test_attachment_is_served_to_the_agency_and_ta_staff_only(client, member, agency, focus_area, ta_staff):
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    attachment = {"filename": "calls.csv", "contentBase64": base64.b64encode(b"date,calls\n2026-01-01,4\n").decode()}
    result = data(
        FOLLOW_UP, user=member, input={"taRequestId": str(ta_request.pk), "body": "Data", "attachment": attachment}
    )
    assert result["addTaMessage"]["errors"] == []
    document = TaMessage.objects.get().attachment
    assert document.collection.name == "TA request attachments"
    url = document.url
    outsider = member_user("outsider", agency=AgencyFactory(name="Elsewhere PD", state="TX"))
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    colleague = member_user("colleague", agency=agency)
    client.force_login(colleague)
    assert client.get(url).status_code == 200
    client.force_login(ta_staff)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code in (302, 403)


def test_status_emails_follow_membership_at_send_time(member, agency, focus_area, django_capture_on_commit_callbacks):
    """An email written while the requester was a member is not sent once they are deactivated."""
    ta_request = submit(member, django_capture_on_commit_callbacks)
    member.is_active = False
    member.save()
    deliver()
    assert mail.outbox == [] and Notification.objects.get().status == "skipped"
    assert ta_request.status == TaRequestStatus.NEW


def test_each_part_of_the_form_needs_its_own_permission(client, member, agency, focus_area, ta_staff):
    """A viewer with only view/change (no triage, assign or reply) changes nothing but what they may."""
    from django.contrib.auth.models import Permission

    viewer = user_in(None, "reader")
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_tarequest", "change_tarequest", "access_admin"])
    )
    ta_request = TaRequestFactory(agency=agency, focus_area=focus_area, submitted_by=member)
    client.force_login(viewer)
    url = reverse("ta_requests:edit", args=[ta_request.pk])
    response = client.post(
        url, {"status": "closed", "assignee": ta_staff.pk, "staff_notes": "n", "reply": "hi", "internal_note": "x"}
    )
    assert response.status_code == 302
    ta_request.refresh_from_db()
    assert ta_request.status == "new" and ta_request.assignee is None  # disabled fields keep their values
    assert not TaMessage.objects.exists() and not Notification.objects.exists()
