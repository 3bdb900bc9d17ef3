"""The reference partner site in headless Chromium against the live CMS: a newcomer's copy, started with the command
docs/partners.md gives, lists the upcoming trainings from GraphQL (times in each event's own zone, registration and
calendar links, nothing private or draft), and renders an event and a program page's blocks."""

import re
import shutil
import subprocess
import sys
import urllib.request
from datetime import date, time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from events.factories import TrainingEventPageFactory
from events.models import DeliveryMode, TrainingEventPage
from pages.factories import PersonFactory, ProgramPageFactory, TopicFactory, paragraph
from tests.browser_helpers import admin_browser
from tests.helpers import free_port, wait_until
from tests.integrations.graphql.helpers import members_only
from tests.partner_site import PARTNER_SITE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
# The "Start your site in five minutes" command in docs/partners.md: copy the starter, serve the copy.
FIVE_MINUTES = re.compile(r"cp -r partner-site (?P<copy>\S+) && python3 (?P=copy)/serve\.py --port (?P<port>\d+)")
HOSTILE_TITLE = 'Crisis <img src=x onerror="document.title=1"> & "Safety"'


@pytest.fixture
def content(home_page, event_index):
    topic = TopicFactory(name="Deflection", slug="deflection")
    chicago = TrainingEventPageFactory(
        parent=event_index,
        title="Deflection in Practice",
        slug="deflection-in-practice",
        start_date=date(2031, 1, 15),  # CST (UTC-6) in Chicago; the browser runs in Tokyo
        start_time=time(10, 0),
        end_time=time(11, 30),
        time_zone="America/Chicago",
        registration_url="https://events.example.org/register/deflection",
    )
    chicago.topics.add(topic)
    chicago.facilitators.add(PersonFactory(name="Dana Whitfield", role="Lead facilitator"))
    chicago.save()
    TrainingEventPageFactory(
        parent=event_index,
        title=HOSTILE_TITLE,
        slug="in-person-denver",
        start_date=date(2031, 2, 3),
        start_time=time(9, 0),
        end_time=time(16, 0),
        time_zone="America/Denver",
        delivery_mode=DeliveryMode.IN_PERSON,
        location="Denver Police Academy",
    )
    # The model refuses such a URL; a row written around it (an import, a shell) must still not become a link.
    TrainingEventPage.objects.filter(slug="in-person-denver").update(registration_url="javascript:document.title=1")
    members_only(TrainingEventPageFactory(parent=event_index, title="Members-only roundtable", slug="members-only"))
    TrainingEventPageFactory(parent=event_index, title="Unpublished draft", slug="draft", live=False)
    ProgramPageFactory(
        parent=home_page,
        slug="program",
        title="About CIT ASSIST",
        summary="A national program for Crisis Intervention Teams.",
        body=[
            ("heading", {"text": "How we help", "level": "h2"}),
            paragraph("Training, a <b>Community of Practice</b> and technical assistance."),
            ("quote", {"quote": "CIT is a community partnership.", "attribution": "A CIT coordinator"}),
            ("call_to_action", {"label": "Request technical assistance", "url": "https://cit.example.org/ta"}),
            ("topic_list", {"heading": "Focus areas", "topics": [topic]}),
        ],
    )


@pytest.fixture
def newcomers_site(live_server, tmp_path, settings):
    """The starter copied and started exactly as the docs say, pointed at the live CMS, which allows its origin."""
    command = FIVE_MINUTES.search((ROOT / "docs" / "partners.md").read_text())
    assert command, "docs/partners.md lost its 'Start your site in five minutes' command"
    copy = tmp_path / "my-partner-site"
    shutil.copytree(PARTNER_SITE, copy)
    port = free_port()
    origin = f"http://localhost:{port}"
    settings.GRAPHQL_CORS_ALLOWED_ORIGINS = [origin]  # what the development settings allow for any local origin
    process = subprocess.Popen(
        [sys.executable, str(copy / "serve.py"), "--port", str(port), "--cms", live_server.url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until(lambda: answers(f"{origin}/"), timeout=30), "the copied partner site did not start"
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=10)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (the test's own server)
            return True
    except OSError:
        return False


def test_upcoming_trainings_event_and_program_pages_render_from_graphql(
    chromium, live_server, tmp_path, content, newcomers_site
):
    with admin_browser(chromium, live_server, tmp_path) as page:
        page.goto(f"{newcomers_site}/")
        trainings = page.get_by_role("list", name="Upcoming trainings")
        cards = trainings.get_by_role("article")
        expect(cards).to_have_count(2)  # neither the members-only event nor the draft
        expect(page.get_by_role("status")).to_have_text("2 items")

        first = cards.nth(0)
        expect(first.get_by_role("heading")).to_have_text("Deflection in Practice")
        # 10:00 in Chicago, whatever the browser's zone (Tokyo).
        expect(first.locator("time")).to_have_text("Wed, Jan 15, 2031, 10:00 AM \u2013 11:30 AM CST")
        expect(first.locator("time")).to_have_attribute("datetime", "2031-01-15T10:00:00-06:00")
        expect(first).to_contain_text("Live virtual")
        expect(first.get_by_role("link", name="Register", exact=True)).to_have_attribute(
            "href", "https://events.example.org/register/deflection"
        )
        expect(first.get_by_role("link", name="Add to calendar (.ics)")).to_have_attribute(
            "href", re.compile(r"/calendar/events/deflection-in-practice\.ics$")
        )
        expect(first.get_by_role("link", name="Add to Google Calendar")).to_have_attribute(
            "href", re.compile(r"^https://(calendar|www)\.google\.com/")
        )

        second = cards.nth(1)
        # Text from the API is text: the markup in the title is shown, never run.
        expect(second.get_by_role("heading")).to_have_text(HOSTILE_TITLE)
        expect(second.locator("img")).to_have_count(0)
        expect(second.get_by_text("Register", exact=True)).to_have_count(0)  # a javascript: URL is no link
        expect(second.locator("time")).to_have_text("Mon, Feb 3, 2031, 9:00 AM \u2013 4:00 PM MST")
        expect(second).to_contain_text("In person")
        expect(second).to_contain_text("Denver Police Academy")
        assert page.title() != "1"

        # A topic narrows the list; the event's page has its facilitators and calendar links.
        first.get_by_role("link", name="Deflection", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("1 item")
        page.get_by_role("link", name="Deflection in Practice").click()
        expect(page).to_have_url(f"{newcomers_site}/event/?slug=deflection-in-practice")
        expect(page.get_by_role("heading", level=1)).to_have_text("Deflection in Practice")
        expect(page.get_by_role("main")).to_contain_text("Dana Whitfield, Lead facilitator")
        expect(page.get_by_role("main")).to_contain_text("America/Chicago")
        expect(page.get_by_role("link", name="Register", exact=True)).to_be_visible()

        # The program page, block by block.
        page.get_by_role("link", name="About the program").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("About CIT ASSIST")
        main = page.get_by_role("main")
        expect(main.get_by_role("heading", level=2, name="How we help")).to_be_visible()
        expect(main.locator(".rich-text b")).to_have_text("Community of Practice")  # the API's rich text, as HTML
        expect(main.locator("blockquote")).to_have_text("CIT is a community partnership.")
        expect(main.locator("figcaption")).to_have_text("A CIT coordinator")
        expect(main.get_by_role("link", name="Request technical assistance")).to_have_attribute(
            "href", "https://cit.example.org/ta"
        )
        expect(main.get_by_role("heading", name="Focus areas")).to_be_visible()
        expect(main.get_by_role("link", name="Deflection", exact=True)).to_be_visible()

        # An unknown event is a clear "not found", not an empty page or a script error.
        page.goto(f"{newcomers_site}/event/?slug=no-such-event")
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
        # A preview link without its token is refused in words.
        page.goto(f"{newcomers_site}/preview/")
        expect(page.get_by_role("alert")).to_contain_text("no token")
