"""End to end through the running server, over real HTTP with real tokens: staff invite → the member accepts on
the CMS page (no JavaScript) → signs in → searches the directory → asks for technical assistance → staff schedule
it in the admin → the member sees the new status and a trusted partner's receiver gets both verified webhooks.
Then the privacy rule, from the outside: the member's token sees members-only events, recordings, publications and
their calendar; a non-member token, an expired token and an anonymous caller see none of it and get clear errors."""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from http.cookiejar import CookieJar
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.factories import AgencyContactFactory, AgencyFactory, FocusAreaFactory
from community.models import TA_STAFF_GROUP, AgencyType, TaRequest
from events.factories import TrainingEventPageFactory
from integrations.graphql.models import ApiTokenExpiry
from integrations.graphql.services import api_token_create
from integrations.webhooks.models import Audience, Delivery
from media_library.factories import PublicationPageFactory, RecordingPageFactory
from tests.integrations.graphql.helpers import members_only, user_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Deflection-Works-2026"
MEMBERS_ONLY_TITLES = {
    "CoP Quarterly Meeting",
    "CoP Meeting Recording: Data Dashboards",
    "Members' Co-Response Toolkit",
}


def http(url: str, *, data: bytes | None = None, headers: dict | None = None, opener=None):
    assert url.startswith(("http://localhost:", "http://127.0.0.1:"))
    request = urllib.request.Request(url, data, headers or {})  # noqa: S310 (the live server, checked above)
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def graphql(base: str, query: str, *, token: str | None = None, **variables):
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    body = json.dumps({"query": query, "variables": variables}).encode()
    status, text = http(base + "/graphql/", data=body, headers=headers)
    return status, json.loads(text)


@pytest.fixture
def program(event_index, publication_index, recording_index):
    """The directory, a focus area, and public + members-only content of each kind."""
    franklin = AgencyFactory(name="Franklin County Sheriff's Office", city="Columbus", state="OH", cohort=2023)
    AgencyContactFactory(agency=franklin, name="Lt. Sam Whitaker", email="swhitaker@franklin.example.gov")
    AgencyFactory(
        name="Cuyahoga County ADAMHS Board", city="Cleveland", state="OH", cohort=2024,
        agency_type=AgencyType.BEHAVIORAL_HEALTH,
    )  # fmt: skip
    AgencyFactory(name="Mesa Police Department", city="Mesa", state="AZ", cohort=2022)
    FocusAreaFactory()
    soon = date.today() + timedelta(days=10)
    TrainingEventPageFactory(parent=event_index, title="Open Deflection Session", start_date=soon)
    members_only(TrainingEventPageFactory(parent=event_index, title="CoP Quarterly Meeting", start_date=soon))
    RecordingPageFactory(parent=recording_index, title="Webinar: 988 and Law Enforcement")
    members_only(RecordingPageFactory(parent=recording_index, title="CoP Meeting Recording: Data Dashboards"))
    PublicationPageFactory(parent=publication_index, title="Youth in Suicide Crisis Brief")
    members_only(PublicationPageFactory(parent=publication_index, title="Members' Co-Response Toolkit"))
    return franklin


CONTENT = """{
  events { items { title } } recordings { items { title } } publications { items { title } }
  viewer { name isMember calendarUrl agency { name } }
}"""
DIRECTORY = """query ($search: String, $state: String) {
  agencies(search: $search, state: $state) { items { id name contacts { name email } } pagination { total } }
}"""
LOGIN = "mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt errors { message } } }"
CREATE = """mutation ($input: CreateTaRequestInput!) {
  createTaRequest(input: $input) { taRequest { id status } errors { field message } } }"""
MINE = "{ taRequests { items { id status updatedAt focusArea { name } } } }"


def titles(payload) -> set[str]:
    data = payload["data"]
    return {item["title"] for kind in ("events", "recordings", "publications") for item in data[kind]["items"]}


def accept_on_the_page(base: str, link: str) -> str:
    """Fill in the invitation form like a browser without JavaScript: GET (CSRF cookie + token), then POST."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    path = urlsplit(link).path
    status, page = http(base + path, opener=opener)
    assert status == 200 and "Franklin County Sheriff&#x27;s Office" in page
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": csrf, "name": "Sam Whitaker", "password": PASSWORD, "password_again": PASSWORD}
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": base + path}
    status, page = http(base + path, data=urllib.parse.urlencode(form).encode(), headers=headers, opener=opener)
    assert status == 200, page
    assert "Welcome, Sam Whitaker" in page
    return path


def test_invite_accept_sign_in_search_request_triage_and_webhooks(
    live_server,
    program,
    admin_client,
    admin_user,
    subscribe,
    receiver,
    run_worker,
    settings,
):
    base = live_server.url
    settings.TA_REQUEST_NOTIFY_EMAILS = ["ta-team@ncpi.example.org"]
    subscribe(events=["ta_request.*"], audience=Audience.TRUSTED)
    public_endpoint = subscribe(events=["*"], audience=Audience.PUBLIC)

    # Staff invite from the admin; the email carries the link.
    response = admin_client.post(
        reverse("invitations:add"), {"email": "swhitaker@franklin.example.gov", "agency": program.pk}
    )
    assert response.status_code == 302
    [invitation_email] = mail.outbox
    link = re.search(r"https://cms\.example\.org/members/invitation/\S+/", invitation_email.body).group(0)

    path = accept_on_the_page(base, link)
    status, page = http(base + path)
    assert status == 410 and "already been used" in page  # the link works once

    status, payload = graphql(base, LOGIN, e="swhitaker@franklin.example.gov", p=PASSWORD)
    assert status == 200 and payload["data"]["login"]["errors"] == []
    token = payload["data"]["login"]["token"]

    status, payload = graphql(base, DIRECTORY, token=token, search="county", state="OH")
    assert status == 200
    directory = payload["data"]["agencies"]
    assert [item["name"] for item in directory["items"]] == [
        "Cuyahoga County ADAMHS Board",
        "Franklin County Sheriff's Office",
    ]
    assert directory["items"][1]["contacts"] == [
        {"name": "Lt. Sam Whitaker", "email": "swhitaker@franklin.example.gov"}
    ]

    request_input = {
        "focusArea": "data-collection-and-analysis",
        "description": "Help us build a CIT data dashboard with our 911 center.",
        "preferredDeliveryMode": "HYBRID",
        "urgency": "HIGH",
    }
    status, payload = graphql(base, CREATE, token=token, input=request_input)
    created = payload["data"]["createTaRequest"]
    assert created["errors"] == [] and created["taRequest"]["status"] == "NEW"

    ta_request = TaRequest.objects.get()
    admin_user.groups.add(Group.objects.get(name=TA_STAFF_GROUP))  # only TA staff can be assigned
    response = admin_client.post(
        reverse("ta_requests:edit", args=[ta_request.pk]),
        {"status": "scheduled", "assignee": admin_user.pk, "staff_notes": "Kick-off call on Tuesday."},
    )
    assert response.status_code == 302

    status, payload = graphql(base, MINE, token=token)
    [mine] = payload["data"]["taRequests"]["items"]
    assert mine["status"] == "SCHEDULED" and mine["focusArea"]["name"] == "Data collection and analysis"

    run_worker()  # the real worker: webhook deliveries and the staff email
    delivered = receiver.verified()
    assert [request.payload["type"] for request in delivered] == ["ta_request.created", "ta_request.updated"]
    assert delivered[1].payload["data"]["status"] == "scheduled"
    assert "Kick-off" not in delivered[1].body.decode()
    assert all(request.verified_with == [receiver.secrets[0]] for request in delivered)  # none to the public one
    assert not Delivery.objects.filter(endpoint=public_endpoint).exists()
    # The staff email, and the member's confirmation and status-change emails.
    assert sorted(message.to[0] for message in mail.outbox[1:]) == [
        "swhitaker@franklin.example.gov",
        "swhitaker@franklin.example.gov",
        "ta-team@ncpi.example.org",
    ]

    # The members-only rule, through every content list, and the member's own calendar.
    status, payload = graphql(base, CONTENT, token=token)
    assert titles(payload) >= MEMBERS_ONLY_TITLES
    viewer = payload["data"]["viewer"]
    assert viewer["isMember"] and viewer["agency"] == {"name": "Franklin County Sheriff's Office"}
    status, feed = http(base + urlsplit(viewer["calendarUrl"]).path)
    assert status == 200 and "CoP Quarterly Meeting" in feed


def test_non_member_expired_and_anonymous_callers_get_clear_errors_and_no_members_only_data(live_server, program):
    base = live_server.url
    partner_token = api_token_create(user=user_in("Partners", "partner-web"), name="partner site")[1]
    member = user_in("CoP Members", "expired-member")
    expired_row, expired_token = api_token_create(
        user=member, name="old", expires_at=timezone.now() + timedelta(days=1)
    )
    ApiTokenExpiry.objects.filter(token=expired_row).update(expires_at=timezone.now() - timedelta(seconds=1))

    members_queries = [DIRECTORY, f'{{ agency(id: "{program.pk}") {{ name }} }}', MINE]
    for who, token, code in (("partner", partner_token, "FORBIDDEN"), ("anonymous", None, "UNAUTHENTICATED")):
        status, payload = graphql(base, CONTENT, token=token)
        assert status == 200, who
        assert not (MEMBERS_ONLY_TITLES & titles(payload)), who
        assert "Open Deflection Session" in titles(payload)
        viewer = payload["data"]["viewer"]
        assert viewer is None or (viewer["calendarUrl"] is None and viewer["agency"] is None)
        for query in members_queries:
            status, payload = graphql(base, query, token=token)
            assert payload["errors"][0]["extensions"]["code"] == code, (who, query)
            assert not any(payload["data"].values()) if payload.get("data") else True
            assert "Franklin" not in json.dumps(payload)
        status, payload = graphql(base, CREATE, token=token, input={"focusArea": "x", "description": "y"})
        assert payload["errors"][0]["extensions"]["code"] == code
    assert not TaRequest.objects.exists()

    for query in [CONTENT, *members_queries]:
        status, payload = graphql(base, query, token=expired_token)
        assert status == 401
        assert payload == {"errors": [{"message": "This token has expired."}]}
