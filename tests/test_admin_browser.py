"""Exploration draft 2."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.contrib.auth.models import Group, User  # noqa: E402

from pages.editorial import EDITORS, MODERATORS, ensure_editorial_setup  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_explore(live_server, event_index, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ensure_editorial_setup()
    editor = User.objects.create_user("edna", "edna@example.org", "pw-edna-123")
    editor.groups.add(Group.objects.get(name=EDITORS))
    mod = User.objects.create_user("mo", "mo@example.org", "pw-mo-123")
    mod.groups.add(Group.objects.get(name=MODERATORS))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        page = browser.new_page()
        page.set_default_timeout(20000)
        try:
            page.goto(live_server.url + "/admin/login/")
            page.get_by_label("Username").fill("edna")
            page.get_by_label("Password").fill("pw-edna-123")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(live_server.url + "/admin/")
            page.goto(f"{live_server.url}/admin/pages/{event_index.id}/add_subpage/")
            page.locator("#id_title").fill("Deflection 101")
            page.locator("#id_summary").fill("Intro to deflection.")
            page.locator("#id_start_date").fill("2031-03-12")
            page.locator("#id_start_time").fill("10:00")
            page.locator("#id_end_time").fill("11:30")
            page.keyboard.press("Escape")
            page.locator("#id_time_zone").select_option("America/Chicago")
            page.locator(".w-dropdown-button .w-dropdown__toggle").click()
            page.get_by_role("button", name="Submit to Editorial and program approval").click()
            page.wait_for_load_state()
            print(page.url)
            open("/tmp/after_submit.html", "w").write(page.content())
            page.screenshot(path="/tmp/after_submit.png", full_page=True)
            page.get_by_role("button", name="edna").click()
            page.screenshot(path="/tmp/acct.png")
            page.get_by_role("button", name="Log out").click()
            page.wait_for_url("**/login/**")
            print(page.url)
            page.get_by_label("Username").fill("mo")
            page.get_by_label("Password").fill("pw-mo-123")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(live_server.url + "/admin/")
            open("/tmp/dash.html", "w").write(page.content())
            page.screenshot(path="/tmp/dash.png", full_page=True)
            panel = page.locator("#awaiting-review-section")
            row = panel.get_by_role("row").filter(has_text="Deflection 101")
            row.get_by_role("button", name="Actions").click()
            row.get_by_role("button", name="Approve", exact=True).click()
            page.wait_for_load_state()
            print(page.url)
            page.screenshot(path="/tmp/dash2.png", full_page=True)
            page.get_by_role("link", name="Deflection 101").first.click()
            page.wait_for_url("**/edit/")
            open("/tmp/edit.html", "w").write(page.content())
            page.screenshot(path="/tmp/edit.png", full_page=True)
            page.locator(".w-dropdown-button .w-dropdown__toggle").click()
            page.get_by_role("button", name="Approve", exact=True).click()
            page.wait_for_load_state()
            print(page.url)
            page.screenshot(path="/tmp/after_approve.png", full_page=True)
            from events.models import TrainingEventPage
            ev = TrainingEventPage.objects.get(title="Deflection 101")
            print(ev.live, ev.start, ev.start_time, ev.time_zone, ev.current_workflow_state, ev.workflow_states.values_list("status", flat=True))
            print(list(ev.revisions.values_list("id", "created_at")))
        except Exception:
            page.screenshot(path="/tmp/fail.png", full_page=True)
            raise
        browser.close()
