"""The one flow that must always work (docs/architecture.md), end to end: the admin in headless Chromium, then
every channel a partner or member reads, over real HTTP.

1. An editor drafts a weekly training event in the admin: a facilitator ticked in the form, an image picked from the
   library through the image chooser modal, a repeat rule and a time zone; submits it; a moderator approves both
   workflow steps.
2. The partner's GraphQL query returns it (times in its zone, sessions, facilitator, image rendition); the public
   feed and the event's own feed carry it (TZID, RRULE, and the sessions a calendar client expands); a real
   HTTP receiver gets a Standard Webhooks-signed `event.published`.
3. The editor moves it to the afternoon (through the workflow again: editors cannot publish): SEQUENCE rises,
   DTSTART moves, `event.updated` arrives.
4. The editor cancels it: the feeds keep it with STATUS:CANCELLED under the same UID and a higher SEQUENCE,
   GraphQL says CANCELLED, `event.cancelled` arrives.

Webhooks go through the real task path: the publish's commit enqueues a task on the database queue, and the
project's worker (`run_worker --once`, in this process) runs it and sends to the receiver over HTTP. In this
process because the worker must see the test database, and in-memory SQLite (the first CI pass) is not shared
with a subprocess; tests/integrations/webhooks/test_workers.py covers the worker as a separate, killed process.
"""

import re
import urllib.request
from datetime import UTC, date, datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage
from django.core.management import call_command
from icalendar import Calendar
from playwright.sync_api import Page, expect
from standardwebhooks.webhooks import Webhook
from wagtail.models import Collection

from events.factories import TrainingEventPageFactory
from events.models import EventIndexPage, TrainingEventPage
from integrations.graphql.services import api_token_create
from integrations.webhooks import services as webhook_services
from integrations.webhooks.models import Delivery, DeliveryStatus
from media_library.factories import ImageFactory
from pages.editorial import EDITORS, MODERATORS, PARTNERS
from pages.factories import PersonFactory
from tests.browser_helpers import (
    SUBMIT_LABEL,
    admin_browser,
    approve_both_steps,
    graphql,
    log_in,
    log_out,
    open_action_menu,
)

# autouse: the worker installs its own SIGINT/SIGTERM handlers; give the test process its own back.
from tests.pages.test_scheduled_publishing import restore_signal_handlers  # noqa: F401
from tests.partner_site import running_partner_site

# live_server needs the server thread to see what the test writes, hence a transactional database.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHICAGO = ZoneInfo("America/Chicago")
TITLE = "Deflection in Practice (full flow)"
FACILITATOR = "Dana Whitfield"
IMAGE_TITLE = "Co-responders at a CIT class"
IMAGE_ALT = "A clinician and an officer role-play a crisis call"
FIRST_DAY = date(2031, 1, 15)  # a Wednesday; Chicago is on CST (UTC-6) for all four sessions
SESSIONS = 4

EVENT_QUERY = """query ($slug: String!) {
  event(slug: $slug) {
    title status timeZone isRecurring startsAt endsAt icalUrl
    sessions(limit: 10) { startsAt endsAt status }
    facilitators { name role }
    body { blockType ... on ImageBlock { alt image { title rendition(spec: "fill-800x450") { url width height } } } }
  }
  events(upcoming: true, order: "start") { items { slug status startsAt } pagination { total } }
}"""


# --- the outside world: a partner's receiver and API token -------------------------------------------------------


@pytest.fixture
def endpoint(receiver):
    """The partner's endpoint, subscribed to `event.*`; its secret is what the receiver verifies with."""
    endpoint = webhook_services.endpoint_create(url=receiver.url, event_types=["event.*"])
    receiver.secrets.append(endpoint.secret)
    return endpoint


@pytest.fixture
def partner_token(db) -> str:
    partner = User.objects.create_user("partner.site", password="x" * 20)
    partner.groups.add(Group.objects.get(name=PARTNERS))
    return api_token_create(user=partner, name="CIT International site")[1]


@pytest.fixture
def library(wagtail_tree):
    """What the editor picks from: a facilitator (People snippet) and an image in the media library."""
    PersonFactory(name=FACILITATOR, role="Lead facilitator", organization="")
    # In the root collection, where the Editors group may choose images (the factory's default is a new root).
    ImageFactory(title=IMAGE_TITLE, file__width=1600, file__height=900, collection=Collection.get_first_root_node())


def http_get(base: str, path: str, headers: dict | None = None) -> tuple[bytes, dict]:
    """GET from the live server; anything but a 200 (a 304 too) raises."""
    request = urllib.request.Request(base + path, headers=headers or {})  # noqa: S310 (the live server)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 200, path
        return response.read(), dict(response.headers)


def deliver_webhooks(receiver, count: int) -> list:
    """Run the project's worker until its queue is empty, then return the `count` requests received so far."""
    call_command("run_worker", "--once")
    received = receiver.wait_for(count)
    assert len(received) == count, [item.payload["type"] for item in received]
    return received


def feed_event(ics: bytes, uid: str):
    calendar = Calendar.from_ical(ics)
    [event] = [component for component in calendar.walk("VEVENT") if str(component["UID"]) == uid]
    return calendar, event


def chicago(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=CHICAGO)


# --- the editor's steps in the admin ----------------------------------------------------------------------------


def fill_when(page: Page, start: str, end: str) -> None:
    page.locator("#id_start_time").fill(start)
    page.locator("#id_end_time").fill(end)
    page.keyboard.press("Escape")  # close the time picker


def submit_for_moderation(page: Page) -> None:
    open_action_menu(page)
    page.get_by_role("button", name=SUBMIT_LABEL).click()
    expect(page.get_by_text(re.compile(rf"Page '{re.escape(TITLE)}' .*submitted for moderation"))).to_be_visible()


def draft_event(page: Page, event_index: EventIndexPage) -> None:
    page.goto(f"/admin/pages/{event_index.pk}/add_subpage/")
    expect(page).to_have_url(re.compile(r"/admin/pages/add/events/trainingeventpage/\d+/$"))
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill("Four weekly sessions on deflection for Community of Practice agencies.")
    page.locator("#id_start_date").fill(FIRST_DAY.isoformat())
    fill_when(page, "10:00", "11:30")
    page.locator("#id_time_zone").select_option("America/Chicago")
    page.locator("#id_join_url").fill("https://meet.example.org/deflection")

    # "Repeats" is a collapsed section: open it, then weekly for four sessions.
    page.locator("#panel-child-content-repeats-section").get_by_role("button", name="Toggle section").first.click()
    page.locator("#id_recurrence_frequency").select_option("weekly")
    page.locator("#id_recurrence_count").fill(str(SESSIONS))

    page.get_by_label(FACILITATOR).check()

    # The body's image block, its image chosen in the chooser modal from the library.
    # (Scoped to the body: the form's card image has its own "Choose an image" button.)
    body = page.locator("#panel-child-content-body-section")
    body.get_by_role("button", name="Insert a block").click()
    page.get_by_role("option", name="Image").click()
    body.get_by_role("button", name="Choose an image").click()
    modal = page.get_by_role("dialog")
    modal.get_by_role("link", name=IMAGE_TITLE).click()
    expect(modal).to_be_hidden()
    expect(body.get_by_text(IMAGE_TITLE, exact=True)).to_be_visible()
    body.get_by_label("Alt text").fill(IMAGE_ALT)

    submit_for_moderation(page)


def edit_event(page: Page, event_pk: int, change) -> None:
    page.goto(f"/admin/pages/{event_pk}/edit/")
    expect(page.locator("#id_title")).to_have_value(TITLE)
    change(page)
    submit_for_moderation(page)


@pytest.fixture
def workflow_pass(chromium, live_server, tmp_path, users, event_index):
    """One pass through the workflow in a fresh browser: the editor's step and submission, then the moderator's two
    approvals. `while_in_review` runs in between; it may use HTTP but not the ORM (see `admin_browser`)."""
    editor, moderator = users[EDITORS], users[MODERATORS]

    def run(editor_step, while_in_review=lambda: None) -> None:
        with admin_browser(chromium, live_server, tmp_path) as page:
            log_in(page, editor)
            editor_step(page)
            log_out(page, editor)
            while_in_review()
            log_in(page, moderator)
            approve_both_steps(page, TITLE, event_index)

    return run


# --- the test ---------------------------------------------------------------------------------------------------


def test_event_from_draft_to_cancelled_reaches_every_channel(
    live_server, event_index, library, endpoint, receiver, partner_token, workflow_pass
):
    base = live_server.url

    # 1. Draft, submit, approve.
    workflow_pass(lambda page: draft_event(page, event_index))
    event = TrainingEventPage.objects.get(title=TITLE)
    assert event.live and not event.has_unpublished_changes
    uid, slug = str(event.ical_uid), event.slug

    # 2. Every channel carries it.
    [published] = deliver_webhooks(receiver, 1)
    assert_signed(published, endpoint)
    assert published.payload["type"] == "event.published"
    assert_webhook_data(published.payload["data"], event, start=time(10, 0), sequence=0, status="scheduled")

    data = graphql(base, partner_token, EVENT_QUERY, slug=slug)
    found = data["event"]
    assert (found["title"], found["status"], found["timeZone"], found["isRecurring"]) == (
        TITLE,
        "SCHEDULED",
        "America/Chicago",
        True,
    )
    # Wall-clock times in the event's own zone, whatever the browser's (Tokyo) or the server's (New York).
    assert (found["startsAt"], found["endsAt"]) == ("2031-01-15T10:00:00-06:00", "2031-01-15T11:30:00-06:00")
    assert [session["startsAt"] for session in found["sessions"]] == [
        "2031-01-15T10:00:00-06:00",
        "2031-01-22T10:00:00-06:00",
        "2031-01-29T10:00:00-06:00",
        "2031-02-05T10:00:00-06:00",
    ]
    assert found["facilitators"] == [{"name": FACILITATOR, "role": "Lead facilitator"}]
    [image_block] = [block for block in found["body"] if block["blockType"] == "image"]
    assert image_block["alt"] == IMAGE_ALT
    assert image_block["image"]["title"] == IMAGE_TITLE
    rendition = image_block["image"]["rendition"]
    assert (rendition["width"], rendition["height"]) == (800, 450)
    rendition_path = urlsplit(rendition["url"]).path
    assert ".fill-800x450." in rendition_path
    assert default_storage.exists(rendition_path.removeprefix(settings.MEDIA_URL))  # the file was made
    assert [item["slug"] for item in data["events"]["items"]] == [slug]

    feed_path = urlsplit(found["icalUrl"]).path  # the link partners are given, on the public origin
    assert feed_path == f"/calendar/events/{slug}.ics"
    _, first_headers = http_get(base, feed_path)
    for path in ("/calendar/events.ics", feed_path):
        calendar, vevent = feed_event(http_get(base, path)[0], uid)
        assert vevent["DTSTART"].params["TZID"] == "America/Chicago"
        assert vevent["DTSTART"].dt == chicago(FIRST_DAY, time(10, 0))
        assert vevent["DTEND"].dt == chicago(FIRST_DAY, time(11, 30))
        assert vevent["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=4"
        assert (vevent["SEQUENCE"], vevent["STATUS"]) == (0, "CONFIRMED")
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
        assert session_starts(calendar) == [
            datetime(2031, 1, 15, 16, tzinfo=UTC),
            datetime(2031, 1, 22, 16, tzinfo=UTC),
            datetime(2031, 1, 29, 16, tzinfo=UTC),
            datetime(2031, 2, 5, 16, tzinfo=UTC),
        ]

    # 3. The editor moves it to the afternoon; the moderator approves the change.
    def still_at_ten() -> None:
        """Submitted, not yet approved: partners and calendars still see the live version, unchanged."""
        _, vevent = feed_event(http_get(base, feed_path)[0], uid)
        assert (vevent["DTSTART"].dt, vevent["SEQUENCE"]) == (chicago(FIRST_DAY, time(10, 0)), 0)
        assert graphql(base, partner_token, EVENT_QUERY, slug=slug)["event"]["startsAt"] == "2031-01-15T10:00:00-06:00"

    workflow_pass(
        lambda page: edit_event(page, event.pk, lambda page: fill_when(page, "13:00", "14:30")),
        while_in_review=still_at_ten,
    )
    event.refresh_from_db()
    assert (event.start_time, event.end_time, event.ical_sequence) == (time(13, 0), time(14, 30), 1)

    updated = deliver_webhooks(receiver, 2)[1]
    assert_signed(updated, endpoint)
    assert updated.payload["type"] == "event.updated"
    assert_webhook_data(updated.payload["data"], event, start=time(13, 0), sequence=1, status="scheduled")

    # A subscribed client asking "changed since?" with the ETag it holds gets the new feed, not a 304.
    ics, headers = http_get(base, feed_path, {"If-None-Match": first_headers["ETag"]})
    assert headers["ETag"] != first_headers["ETag"]
    assert feed_event(ics, uid)[1]["SEQUENCE"] == 1
    calendar, vevent = feed_event(http_get(base, "/calendar/events.ics")[0], uid)
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt == chicago(FIRST_DAY, time(13, 0))
    assert vevent["DTEND"].dt == chicago(FIRST_DAY, time(14, 30))
    assert session_starts(calendar)[0] == datetime(2031, 1, 15, 19, tzinfo=UTC)
    found = graphql(base, partner_token, EVENT_QUERY, slug=slug)["event"]
    assert found["startsAt"] == "2031-01-15T13:00:00-06:00"
    assert [session["startsAt"] for session in found["sessions"]][-1] == "2031-02-05T13:00:00-06:00"

    # 4. The editor cancels it; the moderator approves.
    workflow_pass(
        lambda page: edit_event(page, event.pk, lambda page: page.locator("#id_status").select_option("cancelled"))
    )
    event.refresh_from_db()
    assert (event.status, event.ical_sequence, str(event.ical_uid)) == ("cancelled", 2, uid)

    cancelled = deliver_webhooks(receiver, 3)[2]
    assert_signed(cancelled, endpoint)
    assert cancelled.payload["type"] == "event.cancelled"
    assert_webhook_data(cancelled.payload["data"], event, start=time(13, 0), sequence=2, status="cancelled")
    # Three distinct events, so three webhook-ids (a retry would reuse one), each delivered at the first attempt.
    assert len({item.headers["webhook-id"] for item in receiver.received}) == 3
    assert list(Delivery.objects.values_list("status", "attempts")) == [(DeliveryStatus.SUCCEEDED, 1)] * 3

    for path in ("/calendar/events.ics", feed_path):
        _, vevent = feed_event(http_get(base, path)[0], uid)
        assert (vevent["SEQUENCE"], vevent["STATUS"]) == (2, "CANCELLED")
        assert str(vevent["SUMMARY"]) == f"Cancelled: {TITLE}"
        assert vevent["DTSTART"].dt == chicago(FIRST_DAY, time(13, 0))
    data = graphql(base, partner_token, EVENT_QUERY, slug=slug)
    assert data["event"]["status"] == "CANCELLED"
    assert {session["status"] for session in data["event"]["sessions"]} == {"CANCELLED"}
    assert data["events"]["items"] == [
        {"slug": slug, "status": "CANCELLED", "startsAt": "2031-01-15T13:00:00-06:00"}
    ]  # cancelled events stay listed, marked


def assert_signed(request, endpoint) -> None:
    """Verified with the standardwebhooks library and the endpoint's secret, as a partner would."""
    assert Webhook(endpoint.secret).verify(request.body, request.headers) == request.payload
    assert request.verified_with == [endpoint.secret]


def assert_webhook_data(data: dict, event: TrainingEventPage, *, start: time, sequence: int, status: str) -> None:
    assert data["id"] == event.pk
    assert (data["typename"], data["slug"], data["title"]) == ("TrainingEventPage", event.slug, TITLE)
    assert data["url"] == f"{settings.PUBLIC_BASE_URL}/{event.get_parent().slug}/{event.slug}/"
    assert datetime.fromisoformat(data["startsAt"]) == chicago(FIRST_DAY, start)
    assert (data["timeZone"], data["status"], data["icalSequence"]) == ("America/Chicago", status, sequence)


def session_starts(calendar: Calendar) -> list[datetime]:
    """The sessions a calendar client expands from the feed (RRULE, EXDATE, RECURRENCE-ID), as UTC instants."""
    window = (datetime(2030, 1, 1, tzinfo=UTC), datetime(2032, 1, 1, tzinfo=UTC))
    return sorted(event["DTSTART"].dt.astimezone(UTC) for event in recurring_ical_events.of(calendar).between(*window))


def test_partner_site_preview_shows_the_unsaved_draft(chromium, live_server, tmp_path, users, event_index, settings):
    """The editor changes a live event's title and opens the "Partner site" preview: the reference partner site,
    in the preview pane, renders the draft from `preview(token)`; the live page and the partner site's own event
    page keep the published title."""
    event = TrainingEventPageFactory(
        parent=event_index,
        title="Deflection 101",
        slug="deflection-101",
        start_date=FIRST_DAY,
        time_zone="America/Chicago",
    )
    draft_title = "Deflection 101: now with co-responders"
    with running_partner_site(live_server.url) as site:
        settings.WAGTAIL_HEADLESS_PREVIEW = {"CLIENT_URLS": {"default": f"{site}/preview"}}
        settings.GRAPHQL_CORS_ALLOWED_ORIGINS = [site]
        with admin_browser(chromium, live_server, tmp_path) as page:
            log_in(page, users[EDITORS])
            page.goto(f"/admin/pages/{event.pk}/edit/")
            page.locator("#id_title").fill(draft_title)
            page.get_by_role("button", name="Toggle preview").click()
            preview_pane = page.frame_locator("#w-preview-iframe")
            # The CMS's own preview first (the default mode), then the partner site's.
            expect(preview_pane.get_by_role("heading", name=draft_title)).to_be_visible()
            page.get_by_label("Preview mode").select_option(label="Partner site")
            partner_site = preview_pane.frame_locator("iframe")
            expect(partner_site.get_by_role("note")).to_have_text("Preview of a draft: not published.")
            expect(partner_site.get_by_role("heading", level=1)).to_have_text(draft_title)
            expect(partner_site.locator(".when time").first).to_have_text(re.compile(r"^Wed, Jan 15, 2031, .* CST$"))

            page.goto(f"{site}/event/?slug=deflection-101")  # the published page, on the partner site
            expect(page.get_by_role("heading", level=1)).to_have_text("Deflection 101")
    event.refresh_from_db()
    assert (event.title, event.has_unpublished_changes) == ("Deflection 101", False)  # previewing saved nothing
