"""What the browser tests share: headless Chromium on the live server, the workflow's users, and the admin steps
they take, in the words of the admin UI. The `chromium` and `users` fixtures are in tests/conftest.py.
"""

import json
import os
import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect, sync_playwright

from events.models import EventIndexPage
from pages.editorial import TASKS, WORKFLOW_NAME

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000
DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "img" / "editors"
SUBMIT_LABEL = f"Submit to {WORKFLOW_NAME}"
EDITORIAL_REVIEW, PROGRAM_APPROVAL = TASKS


@contextmanager
def admin_browser(chromium: str, live_server, tmp_path: Path) -> Iterator[Page]:
    """A fresh headless Chromium on the live server; on failure, a screenshot and the HTML land in tmp_path.

    Playwright's sync API keeps an asyncio event loop running in this thread while the browser is open. Django
    then refuses ORM calls here (SynchronousOnlyOperation), and rightly: with a running loop its connection
    handler keys connections by context, not thread, and would hand out a second connection object instead of
    the one the test and live_server share. So the tests touch the database only before opening and after
    closing the browser, and do not need DJANGO_ALLOW_ASYNC_UNSAFE (which would silence that guard for the
    whole session).

    The browser runs in Asia/Tokyo on purpose: neither the admin user's browser nor the server's TIME_ZONE
    (America/New_York) may shift an event entered as "10:00 in Chicago".
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=live_server.url, timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        page = context.new_page()
        try:
            yield page
        except Exception as error:
            try:
                page.screenshot(path=tmp_path / "failure.png", full_page=True)
                (tmp_path / "failure.html").write_text(page.content())
                error.add_note(f"Browser was at {page.url}; screenshot and HTML saved in {tmp_path}")
            except Exception as screenshot_error:  # the browser itself may be what failed
                error.add_note(f"Could not save a screenshot: {screenshot_error}")
            raise
        finally:
            context.close()
            browser.close()


def screenshot_dir(tmp_path: Path) -> Path:
    """Where a test's screenshots for docs/editors.md go: the test's own directory on every run, so a test run leaves
    the checkout as it was; docs/img/editors/ with DOCS_SCREENSHOTS=1, to refresh the documentation's pictures."""
    shots = DOCS_IMAGES if os.environ.get("DOCS_SCREENSHOTS") == "1" else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def graphql(base: str, token: str | None, query: str, **variables) -> dict:
    """POST `query` to the live server's API as a partner site would (anonymous without a token); its `data`."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(base + "/graphql/", body, headers)  # noqa: S310 (the live server)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the live server)
        result = json.loads(response.read())
    assert "errors" not in result, result["errors"]
    return result["data"]


def log_in(page: Page, user: User) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(f"{user.username}-secret")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def log_out(page: Page, user: User) -> None:
    page.get_by_role("button", name=user.username, exact=True).click()  # account menu at the foot of the sidebar
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/admin/login/"))


def open_action_menu(page: Page) -> None:
    page.get_by_role("button", name="More actions").click()


def review_row(page: Page, title: str):
    return page.get_by_role("region", name="Awaiting your review").get_by_role("row").filter(has_text=title)


def approve_both_steps(page: Page, title: str, event_index: EventIndexPage) -> None:
    """As a signed-in moderator: approve "Editorial review" from the dashboard's "Awaiting your review" panel, then
    "Program approval" from the page editor's action menu, which publishes."""
    page.goto("/admin/")
    row = review_row(page, title)
    expect(row.locator(f'[data-w-tooltip-content-value="{EDITORIAL_REVIEW}: In progress"]')).to_have_count(1)
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("button", name="Approve", exact=True).click()
    expect(row.locator(f'[data-w-tooltip-content-value="{EDITORIAL_REVIEW}: Approved"]')).to_have_count(1)
    expect(row.locator(f'[data-w-tooltip-content-value="{PROGRAM_APPROVAL}: In progress"]')).to_have_count(1)

    # With WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT the final step's button reads "Approve" (not "Approve and
    # Publish"), and it publishes.
    row.get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    open_action_menu(page)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{event_index.pk}/$"))  # back in the explorer
    expect(page.get_by_role("row").filter(has_text=title)).to_contain_text(re.compile("live", re.IGNORECASE))
