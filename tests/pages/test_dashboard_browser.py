"""The dashboard as an editor and a moderator meet it on a Monday morning, in headless Chromium: their drafts, what
is coming up, what waits for review, open forum reports, a one-click "Add a training event", and nothing fetched
from outside the CMS (no Gravatar: many agencies' networks block it, and it tells a third party who is signed in).
"""

import re
from datetime import date, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from community.forum import services as forum_services
from community.forum.factories import ForumCategoryFactory, ForumPostFactory, ForumThreadFactory, MemberFactory
from community.forum.permissions import FORUM_MODERATORS
from events.factories import TrainingEventPageFactory
from pages.editorial import EDITORS, MODERATORS
from tests.browser_helpers import admin_browser, log_in, log_out, review_row
from tests.pages.test_workflow import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_and_moderator_start_the_day_from_the_dashboard(chromium, live_server, tmp_path, users, event_index):
    editor, moderator = users[EDITORS], users[MODERATORS]
    moderator.groups.add(Group.objects.get(name=FORUM_MODERATORS))
    soon = date.today() + timedelta(days=6)
    TrainingEventPageFactory(
        parent=event_index,
        title="CIT Core Course, Tulsa",
        start_date=soon,
        start_time=time(8, 0),
        end_time=time(17, 0),
        time_zone="America/Chicago",
    )
    draft = TrainingEventPageFactory(parent=event_index, title="Dispatcher training (draft)", live=False, owner=editor)
    draft.save_revision(user=editor)
    in_review = TrainingEventPageFactory(parent=event_index, title="Deflection webinar", live=False, owner=editor)
    in_review.save_revision(user=editor)
    submit(in_review, editor)
    thread = ForumThreadFactory(category=ForumCategoryFactory(), title="Co-responder staffing at night")
    post = ForumPostFactory(thread=thread, body_html="<p>Names and addresses of people we transported</p>")
    forum_services.forum_post_report(reporter=MemberFactory(), post=post, reason="Private details of a person")

    outside_requests = []
    with admin_browser(chromium, live_server, tmp_path) as page:
        page.on("request", lambda request: outside_requests.append(request.url) if not local(request.url) else None)

        log_in(page, editor)
        drafts = page.get_by_role("region", name="My drafts")
        expect(drafts).to_contain_text("Dispatcher training (draft)")
        expect(drafts).to_contain_text("Draft, never published")
        expect(drafts).not_to_contain_text("Deflection webinar")  # submitted: it sits in the workflow panel
        expect(page.get_by_role("region", name=re.compile("Your pages and snippets in a workflow"))).to_contain_text(
            "Deflection webinar"
        )
        coming_up = page.get_by_role("region", name=re.compile("Coming up"))
        expect(coming_up).to_contain_text("CIT Core Course, Tulsa")
        expect(coming_up).to_contain_text(re.compile(r"8:00 AM C[SD]T"))  # the event's own zone, not Tokyo's
        expect(page.get_by_role("region", name="Forum reports")).to_have_count(0)  # not a forum moderator
        avatar = page.get_by_role("complementary", name="Sidebar").locator("img[src*=avatar]")
        expect(avatar).to_be_visible()
        assert avatar.evaluate("img => img.complete && img.naturalWidth > 0"), "the avatar is a broken image"

        coming_up.get_by_role("link", name="Add a training event").click()
        expect(page).to_have_url(re.compile(r"/admin/pages/add/events/trainingeventpage/\d+/$"))
        log_out(page, editor)

        log_in(page, moderator)
        expect(review_row(page, "Deflection webinar")).to_have_count(1)
        reports = page.get_by_role("region", name="Forum reports")
        expect(reports).to_contain_text("1 open report")
        expect(reports).to_contain_text("Names and addresses of people we transported")
        reports.get_by_role("link", name=re.compile("Names and addresses")).click()
        expect(page).to_have_url(re.compile(r"/admin/forum_reports/inspect/\d+/$"))
        expect(page.get_by_text("Private details of a person")).to_be_visible()

    assert outside_requests == []


def local(url: str) -> bool:
    return urlsplit(url).hostname in ("localhost", "127.0.0.1") or url.startswith(("data:", "blob:"))
