"""An event's own calendar links (GraphQL `icalUrl`, `webcalUrl`, `googleCalendarUrl`) work for the caller who was
given them: public events get the public feed, members-only events the member's private per-event feed under their
calendar link, which nobody else can open. Asked over /graphql/ with a bearer token, then fetched over HTTP."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from wagtail.models import PageViewRestriction

from events.calendar_links import event_feed_path, member_event_feed_path
from events.services import calendar_token_issue, calendar_token_revoke, calendar_token_rotate
from integrations.graphql.services import api_token_create
from tests.events.conftest import members_only

pytestmark = pytest.mark.django_db

LINKS = "query ($slug: String) { event(slug: $slug) { title icalUrl webcalUrl googleCalendarUrl } }"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def ask(slug: str, user=None) -> dict | None:
    """The event's links over /graphql/, as `user` (a bearer token of theirs) or anonymously."""
    headers = {}
    if user is not None:
        _, token = api_token_create(user=user, name="app")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    body = json.dumps({"query": LINKS, "variables": {"slug": slug}})
    response = Client().post("/graphql/", body, content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    payload = response.json()
    assert "errors" not in payload, payload
    return payload["data"]["event"]


def fetch(url: str, client=None):
    return (client or Client()).get(urlsplit(url).path)


def assert_consistent(links: dict) -> None:
    assert links["webcalUrl"] == "webcal://" + links["icalUrl"].removeprefix("https://")
    assert parse_qs(urlsplit(links["googleCalendarUrl"]).query)["cid"] == [links["webcalUrl"]]


@pytest.fixture
def cop_meeting(make_event):
    return members_only(make_event(title="CoP quarterly meeting", join_url="https://meet.example.org/cop"))


@pytest.fixture
def partner(db):
    return get_user_model().objects.create_user("cit-international", password="x" * 20)


def test_a_member_gets_working_links_to_a_members_only_event(member, cop_meeting):
    links = ask(cop_meeting.slug, member)
    token = calendar_token_issue(user=member).token
    assert links["icalUrl"] == f"https://cms.example.org{member_event_feed_path(token, cop_meeting.slug)}"
    assert_consistent(links)
    response = fetch(links["icalUrl"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert b"SUMMARY:CoP quarterly meeting" in response.content
    assert b"https://meet.example.org/cop" in response.content  # the member's calendar carries the join link
    assert response.content.count(b"BEGIN:VEVENT") == 1
    assert fetch(links["icalUrl"], Client()).content == response.content  # the link is the credential, no cookie
    assert ask(cop_meeting.slug, member)["icalUrl"] == links["icalUrl"]  # stable: the member's own calendar link


def test_nobody_else_opens_a_members_event_link(member, partner, cop_meeting, make_event):
    member_url = ask(cop_meeting.slug, member)["icalUrl"]
    assert ask(cop_meeting.slug) is None and ask(cop_meeting.slug, partner) is None
    assert Client().get(event_feed_path(cop_meeting.slug)).status_code == 404  # the public per-event feed
    # A partner's own calendar link does not open the event either.
    partner_token = calendar_token_issue(user=partner).token
    assert Client().get(member_event_feed_path(partner_token, cop_meeting.slug)).status_code == 404
    # A made-up or malformed token gets the same answer as for the member's whole feed.
    assert Client().get(member_event_feed_path("A" * 43, cop_meeting.slug)).status_code == 404
    # Replaced or turned off: the old per-event links stop working with the link they belong to.
    calendar_token_rotate(user=member)
    assert fetch(member_url).status_code == 410
    new_url = ask(cop_meeting.slug, member)["icalUrl"]
    assert new_url != member_url and fetch(new_url).status_code == 200
    calendar_token_revoke(user=member)
    assert fetch(new_url).status_code == 410


def test_a_per_event_link_serves_only_an_event_its_holder_may_see(member, make_event):
    draft = make_event(title="Draft session")
    draft.unpublish()
    token = calendar_token_issue(user=member).token
    for slug in (draft.slug, "no-such-event"):
        assert Client().get(member_event_feed_path(token, slug)).status_code == 404


def test_public_events_keep_their_public_links_for_everyone(member, partner, make_event):
    event = make_event(title="Deflection for patrol")
    public = f"https://cms.example.org{event_feed_path(event.slug)}"
    for caller in (None, partner, member):
        links = ask(event.slug, caller)
        assert links["icalUrl"] == public, caller
        assert_consistent(links)
    assert fetch(public).status_code == 200


def test_a_login_only_event_and_its_links_reach_members_only(partner, member, make_event):
    """A login restriction means members: a partner's token sees neither the event nor a link to it."""
    event = make_event(title="Signed-in agencies only")
    PageViewRestriction.objects.create(page=event, restriction_type=PageViewRestriction.LOGIN)
    assert ask(event.slug, partner) is None
    assert "/calendar/members/" in ask(event.slug, member)["icalUrl"]
