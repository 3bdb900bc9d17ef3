"""A members-only recording, published the way docs/editors.md tells editors to, in headless Chromium.

The editor adds a recording and picks "Members only" on its form, then submits it; the moderator sees on the form
who will see it once published, approves both workflow steps, and the Recordings listing badges it "Members only".
Then the partner API, over HTTP on the live server: anonymous callers do not get it, a member's token does.

The screenshots of these steps are the ones docs/editors.md shows ("Publishing a members-only recording"). Every
run takes them (into the test's temporary directory); `DOCS_SCREENSHOTS=1` writes them into docs/img/editors/ instead,
to refresh the documentation after the admin changes.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from wagtail.models import PageViewRestriction

from integrations.graphql.services import api_token_create
from media_library.models import RecordingPage
from pages.access import MEMBERS_GROUP
from pages.editorial import EDITORS, MODERATORS
from tests.browser_helpers import (
    SUBMIT_LABEL,
    admin_browser,
    approve_both_steps,
    graphql,
    log_in,
    log_out,
    open_action_menu,
    screenshot_dir,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = (
    "members-only-form.png",
    "members-only-review.png",
    "members-only-badge.png",
)
TITLE = "Community of Practice meeting, October 2026"
QUERY = "{ recordings { items { title } } }"


def recording_titles(base_url: str, token: str | None = None) -> list[str]:
    return [item["title"] for item in graphql(base_url, token, QUERY)["recordings"]["items"]]


def test_editor_publishes_a_members_only_recording_through_the_workflow(
    chromium, live_server, recording_index, users, tmp_path
):
    editor, moderator = users[EDITORS], users[MODERATORS]
    member = get_user_model().objects.create_user("member", "member@example.org", "member-secret")
    member.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    member_token = api_token_create(user=member, name="browser test")[1]
    shots = screenshot_dir(tmp_path)

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, editor)
        page.goto(f"/admin/pages/{recording_index.pk}/add_subpage/")  # one page type allowed: its form opens
        expect(page).to_have_url(re.compile(r"/admin/pages/add/media_library/recordingpage/\d+/$"))
        page.locator("#id_title").fill(TITLE)
        audience = page.locator("[data-contentpath='who_can_see']")
        expect(audience).to_contain_text("Now: not published, so only CMS users see it.")
        expect(audience).to_contain_text("After publishing: public, on partner sites.")
        page.get_by_label("Members only: signed-in Community of Practice members").check()
        expect(audience).to_contain_text("After publishing: members only.")  # follows the choice before saving
        page.locator("#id_summary").fill("Agencies compared their 988 call-transfer protocols.")
        page.locator("#id_recording_kind").select_option("cop_meeting")
        page.locator("#id_recorded_on").fill("2026-10-14")
        page.keyboard.press("Escape")  # close the date picker
        page.locator("#id_duration_minutes").fill("62")
        page.locator("#id_embed_url").fill("https://vimeo.com/123456789")
        page.locator("#id_summary").click()  # closes the date picker before the screenshot
        audience.scroll_into_view_if_needed()
        page.screenshot(path=shots / SCREENSHOTS[0])
        open_action_menu(page)
        page.get_by_role("button", name=SUBMIT_LABEL).click()
        expect(page.get_by_text(f"Page '{TITLE}' created and submitted for moderation.")).to_be_visible()
        # In review: nothing is restricted yet (no badge in the listing); the form keeps the request.
        row = page.get_by_role("row").filter(has_text=TITLE)
        expect(row).to_contain_text("in moderation")
        expect(row.locator("[data-audience-badge]")).to_have_count(0)
        row.get_by_role("link", name=TITLE).click()
        expect(page.get_by_label("Members only: signed-in Community of Practice members")).to_be_checked()
        expect(page.locator("[data-contentpath='who_can_see']")).to_contain_text("After publishing: members only.")
        log_out(page, editor)

        log_in(page, moderator)
        page.goto("/admin/")
        page.get_by_role("region", name="Awaiting your review").get_by_role("link", name=TITLE).click()
        review = page.locator("[data-contentpath='who_can_see']")
        expect(review).to_contain_text("After publishing: members only.")
        review.scroll_into_view_if_needed()
        page.screenshot(path=shots / SCREENSHOTS[1])
        approve_both_steps(page, TITLE, recording_index)  # ends in the Recordings listing

        row = page.get_by_role("row").filter(has_text=TITLE)
        expect(row.locator("[data-audience-badge]")).to_have_text("Members only")
        page.screenshot(path=shots / SCREENSHOTS[2])

        assert recording_titles(live_server.url) == []
        assert recording_titles(live_server.url, member_token) == [TITLE]

    recording = RecordingPage.objects.get(title=TITLE)
    assert recording.live and recording.owner == editor
    [restriction] = PageViewRestriction.objects.filter(page=recording)
    assert list(restriction.groups.values_list("name", flat=True)) == [MEMBERS_GROUP]
    for name in SCREENSHOTS:
        assert (shots / name).stat().st_size > 10_000, name  # a rendered admin page, not an empty file
