"""The editorial workflow end to end in the real Wagtail admin, driven by headless Chromium.

An editor drafts a training event and submits it to the two-step "Editorial and program approval" workflow; a
moderator approves the first step from the dashboard's "Awaiting your review" panel and the second from the page
editor's action menu, and the event goes live at the right instant. The second test requests changes at the first
step and checks the event is back with its editor.

The browser runs in Asia/Tokyo on purpose: neither the admin user's browser nor the server's TIME_ZONE
(America/New_York) may shift an event entered as "10:00 in Chicago".
"""

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from wagtail.models import TaskState, WorkflowState

from events.models import EventIndexPage, TrainingEventPage
from pages.editorial import EDITORS, MODERATORS, WORKFLOW_NAME
from tests.browser_helpers import (
    EDITORIAL_REVIEW,
    PROGRAM_APPROVAL,
    SUBMIT_LABEL,
    admin_browser,
    approve_both_steps,
    log_in,
    log_out,
    open_action_menu,
    review_row,
    screenshot_dir,
)

# live_server needs the server thread to see what the test writes, hence a transactional database.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHICAGO = ZoneInfo("America/Chicago")


# --- steps, in the words of the admin UI -----------------------------------------------------------------


def create_and_submit_event(page: Page, event_index: EventIndexPage, title: str, shots: Path | None = None) -> None:
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
    page.locator("#id_join_url").fill("https://meet.example.org/deflection")
    if shots:
        page.locator("#id_title").scroll_into_view_if_needed()
        page.screenshot(path=shots / "event-form.png")
    open_action_menu(page)
    page.get_by_role("button", name=SUBMIT_LABEL).click()
    expect(page.get_by_text(f"Page '{title}' created and submitted for moderation.")).to_be_visible()


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

    shots = screenshot_dir(tmp_path)  # the pictures of docs/editors.md's "Publishing a training event"

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, editor)
        create_and_submit_event(page, event_index, title, shots)
        log_out(page, editor)

        log_in(page, moderator)
        expect(review_row(page, title)).to_have_count(1)
        page.screenshot(path=shots / "event-review.png")
        approve_both_steps(page, title, event_index)
        page.goto("/admin/training_events/")
        expect(page.get_by_role("row").filter(has_text=title)).to_contain_text("10:00 AM CST")
        page.screenshot(path=shots / "event-listing.png")

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
