"""End to end against a running server: a member token, an anonymous caller and a partner token each get
exactly what they should from the same /graphql/ query, over real HTTP."""

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from events.factories import TrainingEventPageFactory
from integrations.graphql.services import api_token_create
from pages.access import MEMBERS_GROUP
from pages.editorial import PARTNERS

pytestmark = pytest.mark.django_db(transaction=True)

QUERY = """{
  events(upcoming: true, order: "start") { items { title joinUrl } pagination { total } }
  viewer { name isMember }
}"""


def restrict(page, group_name: str) -> None:
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=group_name)])


def token_for(username: str, group_name: str) -> str:
    user = get_user_model().objects.create_user(username, password="x" * 20, first_name=username.title())
    user.groups.add(Group.objects.get(name=group_name))
    return api_token_create(user=user, name=f"{username} site")[1]


def call(base: str, *, token: str | None = None, method: str = "POST", query: str = QUERY):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "POST":
        body = json.dumps({"query": query}).encode()
        url, data, headers = base + "/graphql/", body, {**headers, "Content-Type": "application/json"}
    else:
        url, data = base + "/graphql/?" + urllib.parse.urlencode({"query": query}), None
    assert url.startswith(("http://localhost:", "http://127.0.0.1:"))
    request = urllib.request.Request(url, data, headers)  # noqa: S310 (the live server's http URL, checked above)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.fixture
def site_content(event_index):
    soon = date.today() + timedelta(days=7)
    TrainingEventPageFactory(parent=event_index, title="Open Deflection Session", start_date=soon, join_url="")
    members = TrainingEventPageFactory(
        parent=event_index,
        title="CoP Quarterly Meeting",
        start_date=soon + timedelta(days=1),
        join_url="https://meet.example.org/cop",
    )
    restrict(members, MEMBERS_GROUP)
    partners = TrainingEventPageFactory(
        parent=event_index, title="Partner Briefing", start_date=soon + timedelta(days=2)
    )
    restrict(partners, PARTNERS)
    TrainingEventPageFactory(parent=event_index, title="Unpublished Draft", start_date=soon, live=False)


def test_member_anonymous_and_partner_each_get_exactly_their_view(live_server, site_content):
    member_token = token_for("member", MEMBERS_GROUP)
    partner_token = token_for("partner", PARTNERS)

    status, _, anonymous = call(live_server.url)
    assert status == 200
    assert anonymous == {
        "data": {
            "events": {"items": [{"title": "Open Deflection Session", "joinUrl": None}], "pagination": {"total": 1}},
            "viewer": None,
        }
    }

    status, _, as_member = call(live_server.url, token=member_token)
    assert status == 200
    assert as_member["data"]["events"]["items"] == [
        {"title": "Open Deflection Session", "joinUrl": None},
        {"title": "CoP Quarterly Meeting", "joinUrl": "https://meet.example.org/cop"},
    ]
    assert as_member["data"]["viewer"] == {"name": "Member", "isMember": True}

    status, _, as_partner = call(live_server.url, token=partner_token)
    assert status == 200
    assert [item["title"] for item in as_partner["data"]["events"]["items"]] == [
        "Open Deflection Session",
        "Partner Briefing",
    ]
    assert as_partner["data"]["viewer"] == {"name": "Partner", "isMember": False}
    assert all(item["joinUrl"] is None for item in as_partner["data"]["events"]["items"])


def test_get_caching_headers_and_bad_tokens_over_http(live_server, site_content):
    member_token = token_for("member", MEMBERS_GROUP)
    status, headers, _ = call(live_server.url, method="GET")
    assert status == 200 and headers["Cache-Control"].startswith("public, max-age=") and headers["ETag"]
    status, headers, _ = call(live_server.url, method="GET", token=member_token)
    assert status == 200 and headers["Cache-Control"] == "private, no-cache"
    status, headers, body = call(live_server.url, token=member_token[:-1] + ("A" if member_token[-1] != "A" else "B"))
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    assert "data" not in body and body["errors"][0]["message"].startswith("Malformed token")
