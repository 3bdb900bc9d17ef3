"""The editorial workflow end to end in the real Wagtail admin, driven by headless Chromium.

An editor drafts a training event and submits it to the two-step "Editorial and program approval" workflow; a
moderator approves the first step from the dashboard's "Awaiting your review" panel and the second from the page
editor's action menu, and the event goes live at the right instant. The second test requests changes at the first
step and checks the event is back with its editor.

The browser runs in Asia/Tokyo on purpose: neither the admin user's browser nor the server's TIME_ZONE
(America/New_York) may shift an event entered as "10:00 in Chicago".
"""

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect, sync_playwright
from wagtail.models import TaskState, WorkflowState

from events.models import EventIndexPage, TrainingEventPage
from pages.editorial import EDITORS, MODERATORS, TASKS, WORKFLOW_NAME

# live_server needs the server thread to see what the test writes, hence a transactional database.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_MISSING = "headless Chromium not installed: apt-get install chromium"
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
CHICAGO = ZoneInfo("America/Chicago")
SUBMIT_LABEL = f"Submit to {WORKFLOW_NAME}"
EDITORIAL_REVIEW, PROGRAM_APPROVAL = TASKS


@pytest.fixture
def chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    if os.environ.get("CI") == "true":
        pytest.fail(CHROMIUM_MISSING)
    pytest.skip(CHROMIUM_MISSING)


@pytest.fixture
def users(event_index: EventIndexPage) -> dict[str, User]:
    accounts = {}
    for username, group in (("edna.editor", EDITORS), ("max.moderator", MODERATORS)):
        user = User.objects.create_user(username, f"{username}@example.org", f"{username}-secret")
        user.groups.add(Group.objects.get(name=group))
        accounts[group] = user
    return accounts


@contextmanager
def admin_browser(chromium: str, live_server, tmp_path: Path) -> Iterator[Page]:
    """A fresh headless Chromium on the live server; on failure, a screenshot and the HTML land in tmp_path.

    Playwright's sync API keeps an asyncio event loop running in this thread while the browser is open. Django
    then refuses ORM calls here (SynchronousOnlyOperation), and rightly: with a running loop its connection
    handler keys connections by context, not thread, and would hand out a second connection object instead of
    the one the test and live_server share. So the tests touch the database only before opening and after
    closing the browser, and do not need DJANGO_ALLOW_ASYNC_UNSAFE (which would silence that guard for the
    whole session).
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


# --- steps, in the words of the admin UI -----------------------------------------------------------------


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


def create_and_submit_event(page: Page, event_index: EventIndexPage, title: str) -> None:
    # "Add child page" on the Training events index: it allows only one page type, so Wagtail opens its form.
    page.goto(f"/admin/pages/{event_index.pk}/add_subpage/")
    expect(page).to_have_url(re.compile(r"/admin/pages/add/events/trainingeventpage/\d+/$"))
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill("An introduction to deflection for Community of Practice agencies.")
    page.locator("#id_start_date").fill("2031-01-15")
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("11:30")
    page.keyboard.press("Escape")  # close the time picker
    page.locator("#id_time_zone").select_option("America/Chicago")
    open_action_menu(page)
    page.get_by_role("button", name=SUBMIT_LABEL).click()
    expect(page.get_by_text(f"Page '{title}' created and submitted for moderation.")).to_be_visible()


def review_row(page: Page, title: str):
    return page.get_by_role("region", name="Awaiting your review").get_by_role("row").filter(has_text=title)


def workflow_state_of(event: TrainingEventPage) -> WorkflowState:
    return WorkflowState.objects.get(base_content_type__model="page", object_id=str(event.pk))


def task_outcomes(state: WorkflowState) -> list[tuple[str, str, str | None]]:
    return [
        (task_state.task.name, task_state.status, task_state.finished_by and task_state.finished_by.username)
        for task_state in state.task_states.select_related("task", "finished_by").order_by("started_at", "pk")
    ]


# --- tests ---------------------------------------------------------------------------------------------------


def test_editor_submits_event_and_moderator_approves_both_steps(chromium, live_server, event_index, users, tmp_path):
    editor, moderator = users[EDITORS], users[MODERATORS]
    title = "Deflection 101 (browser test)"

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, editor)
        create_and_submit_event(page, event_index, title)
        log_out(page, editor)

        log_in(page, moderator)
        # Step 1, "Editorial review": from the dashboard's "Awaiting your review" panel.
        row = review_row(page, title)
        expect(row.locator(f'[data-w-tooltip-content-value="{EDITORIAL_REVIEW}: In progress"]')).to_have_count(1)
        row.get_by_role("button", name="Actions").click()
        row.get_by_role("button", name="Approve", exact=True).click()
        expect(row.locator(f'[data-w-tooltip-content-value="{EDITORIAL_REVIEW}: Approved"]')).to_have_count(1)
        expect(row.locator(f'[data-w-tooltip-content-value="{PROGRAM_APPROVAL}: In progress"]')).to_have_count(1)

        # Step 2, "Program approval": from the page editor's action menu. With WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_
        # ON_EDIT the final step's button reads "Approve" (not "Approve and Publish"), and it publishes.
        row.get_by_role("link", name=title).click()
        expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
        open_action_menu(page)
        page.get_by_role("button", name="Approve", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/admin/pages/{event_index.pk}/$"))  # back in the explorer
        expect(page.get_by_role("row").filter(has_text=title)).to_contain_text(re.compile("live", re.IGNORECASE))

    event = TrainingEventPage.objects.get(title=title)
    assert event.get_parent().specific == event_index
    assert event.live
    assert not event.has_unpublished_changes
    assert event.owner == editor
    assert event.live_revision.user == editor  # the moderator published the editor's revision, unchanged
    # Local wall-clock fields as entered, in the event's own zone...
    assert event.time_zone == "America/Chicago"
    assert (event.start_date, event.start_time, event.end_date, event.end_time) == (
        date(2031, 1, 15),
        time(10, 0),
        None,
        time(11, 30),
    )
    # ...and the derived instants: 10:00 CST (UTC-6), whatever the browser's or the server's zone.
    assert event.start == datetime(2031, 1, 15, 16, 0, tzinfo=UTC)
    assert event.end == datetime(2031, 1, 15, 17, 30, tzinfo=UTC)
    assert event.start.astimezone(CHICAGO).replace(tzinfo=None) == datetime(2031, 1, 15, 10, 0)

    state = workflow_state_of(event)
    assert state.workflow.name == WORKFLOW_NAME
    assert state.status == WorkflowState.STATUS_APPROVED
    assert state.requested_by == editor
    assert task_outcomes(state) == [
        (EDITORIAL_REVIEW, TaskState.STATUS_APPROVED, moderator.username),
        (PROGRAM_APPROVAL, TaskState.STATUS_APPROVED, moderator.username),
    ]


def test_moderator_requests_changes_at_first_step(chromium, live_server, event_index, users, tmp_path):
    editor, moderator = users[EDITORS], users[MODERATORS]
    title = "Early Diversion basics (browser test)"
    comment = "Please add the registration link before this goes to program approval."

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, editor)
        create_and_submit_event(page, event_index, title)
        log_out(page, editor)

        log_in(page, moderator)
        review_row(page, title).get_by_role("link", name=title).click()
        expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
        open_action_menu(page)
        page.get_by_role("button", name="Request changes").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("Comment").fill(comment)
        dialog.get_by_role("button", name="Request changes").click()
        expect(page).to_have_url(re.compile(rf"/admin/pages/{event_index.pk}/$"))  # back in the explorer
        expect(page.get_by_role("row").filter(has_text=title)).to_contain_text(re.compile("draft", re.IGNORECASE))
        log_out(page, moderator)

        # Back with the editor: the page's action menu now offers to resubmit to the step that rejected it.
        log_in(page, editor)
        page.goto(f"/admin/pages/{event_index.pk}/")
        page.get_by_role("row").filter(has_text=title).get_by_role("link", name=title).click()
        expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
        open_action_menu(page)
        expect(page.get_by_role("button", name=f"Resubmit to {EDITORIAL_REVIEW}")).to_be_visible()

    event = TrainingEventPage.objects.get(title=title)
    assert not event.live
    assert event.has_unpublished_changes
    state = workflow_state_of(event)
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.task.name == EDITORIAL_REVIEW
    assert task_outcomes(state) == [(EDITORIAL_REVIEW, TaskState.STATUS_REJECTED, moderator.username)]
    assert state.current_task_state.get_comment() == comment
