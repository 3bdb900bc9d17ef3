"""The admin screens TA staff and forum moderators work from, in headless Chromium on the live server: the TA
dashboard panel and triage list (a TA staff user who is not a superuser assigns, replies and writes an internal
note), a reported forum post inspected (rendered, in the moderator's time zone) and hidden, and the failed emails
screen (the dashboard hint, the status filter, the error in plain words, sending one again)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from community.factories import AgencyFactory, FocusAreaFactory, TaRequestFactory, member_user
from community.forum import services as forum_services
from community.forum.factories import ForumCategoryFactory, MemberFactory
from community.forum.models import ForumReport
from community.forum.permissions import FORUM_MODERATORS
from community.models import TA_STAFF_GROUP, Notification, TaMessage
from tests.browser_helpers import admin_browser, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_tree")]


def staff_account(username: str, group: str) -> User:
    user = User.objects.create_user(username, f"{username}@ncpi.example.org", f"{username}-secret", first_name="Tay")
    user.groups.add(Group.objects.get(name=group))
    return user


def test_ta_staff_triage_assign_reply_and_note(chromium, live_server, tmp_path):
    agency = AgencyFactory(name="Franklin County Sheriff's Office", state="OH")
    requester = member_user("dortiz", agency=agency)
    ta_request = TaRequestFactory(
        agency=agency,
        focus_area=FocusAreaFactory(),
        submitted_by=requester,
        urgency="urgent",
        created_at=timezone.now() - timedelta(days=2),
    )
    staff = staff_account("tay.staff", TA_STAFF_GROUP)
    assert not staff.is_superuser

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, staff)
        panel = page.locator("[data-ta-triage-panel]")
        expect(panel).to_contain_text("1 overdue")
        panel.get_by_role("link", name=re.compile("overdue")).click()
        expect(page).to_have_url(re.compile(r"/admin/ta_requests/\?queue=overdue"))
        page.get_by_role("table").get_by_role("link", name=str(ta_request.pk), exact=True).click()
        expect(page).to_have_url(re.compile(rf"/admin/ta_requests/edit/{ta_request.pk}/"))
        page.locator("#id_status").select_option("in_progress")
        page.locator("#id_assignee").select_option(str(staff.pk))
        page.get_by_role("textbox", name="Reply to the agency").fill("We can help: which CAD system do you use?")
        page.get_by_role("textbox", name="Internal note").fill("Budget frozen until July.")
        call_log = tmp_path / "call-types.csv"
        call_log.write_text("code,meaning\n10-96,mental health call\n")
        page.locator("#id_reply_attachment").set_input_files(call_log)
        page.get_by_role("button", name="Save").first.click()
        expect(page.locator(".messages")).to_contain_text("updated")
        page.goto(f"/admin/ta_requests/edit/{ta_request.pk}/")
        conversation = page.locator(".ta-conversation")
        expect(conversation).to_contain_text("which CAD system")
        expect(conversation.locator(".ta-message--note")).to_contain_text("(staff only)")
        expect(conversation.locator(".ta-message--reply")).to_contain_text("Attachment: call-types.csv")
        page.goto("/admin/ta_requests/?queue=mine")
        expect(page.get_by_role("table").get_by_role("link", name=str(ta_request.pk), exact=True)).to_be_visible()

    ta_request.refresh_from_db()
    assert ta_request.status == "in_progress" and ta_request.assignee == staff
    assert ta_request.first_response_at is not None
    assert sorted(TaMessage.objects.values_list("kind", flat=True)) == ["note", "reply"]
    assert TaMessage.objects.get(kind="reply").attachment.title == "call-types.csv"
    emailed = Notification.objects.filter(recipient=requester)
    assert sorted(emailed.values_list("kind", flat=True)) == ["ta_request.reply", "ta_request.status"]
    assert not any("Budget" in n.body_text for n in emailed)


def test_forum_moderator_inspects_a_reported_post_and_hides_it(chromium, live_server, tmp_path):
    author = MemberFactory(username="ana", first_name="Ana", last_name="Ruiz", email="ana@pd.example.org")
    reporter = MemberFactory(username="ben", first_name="Ben", last_name="Okafor", email="ben@pd.example.org")
    thread = forum_services.forum_thread_create(
        author=author,
        category=ForumCategoryFactory(name="Field", slug="field"),
        title="Caller follow-up",
        body="<p>Call <strong>988</strong> first.</p>",
    )
    post = thread.posts.get()
    post.created_at = datetime(2027, 1, 15, 17, 30, tzinfo=UTC)
    post.save(update_fields=["created_at"])
    forum_services.forum_post_report(reporter=reporter, post=post, reason="Names a caller")
    moderator = staff_account("fran.mod", FORUM_MODERATORS)
    profile = UserProfile.get_for_user(moderator)
    profile.current_time_zone = "America/Denver"
    profile.save()
    report = ForumReport.objects.get()

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, moderator)
        page.goto(f"/admin/forum_reports/inspect/{report.pk}/")
        page.get_by_role("link", name="Open the post").click()
        main = page.locator("main")
        expect(main.locator("strong", has_text="988")).to_be_visible()  # rendered, not markup shown as text
        expect(main).to_contain_text("Ana Ruiz (ana)")
        expect(main).to_contain_text("10:30")  # 17:30 UTC in Denver
        expect(main).not_to_contain_text("<strong>")
        page.get_by_role("link", name="Hide").click()
        page.get_by_role("button", name="Hide post").click()
        expect(page.locator(".messages")).to_contain_text("Post hidden")

    report.refresh_from_db()
    assert report.status == "resolved" and report.resolved_by == moderator


def test_operator_finds_a_failed_email_from_the_dashboard_and_sends_it_again(chromium, live_server, tmp_path):
    agency = AgencyFactory(name="Franklin County Sheriff's Office", state="OH")
    requester = member_user("dortiz", agency=agency)
    ta_request = TaRequestFactory(agency=agency, focus_area=FocusAreaFactory(), submitted_by=requester)
    failed = Notification.objects.create(
        recipient=requester,
        category="ta_updates",
        kind="ta_request.status",
        subject=f"TA request #{ta_request.pk} is now scheduled",
        body_text="Scheduled for the 14th.\n",
        body_html="<p>Scheduled for the 14th.</p>",
        link="https://cms.example.org/x",
        audience_agency=agency,
        status="failed",
        attempts=6,
        last_error="SMTPRecipientsRefused: {'dortiz@agency.example.gov': (550, b'5.1.1 mailbox unavailable')}",
    )
    Notification.objects.create(
        recipient=requester,
        category="ta_updates",
        kind="ta_request.reply",
        subject="NCPI replied to your TA request",
        body_text="x\n",
        body_html="<p>x</p>",
        link="https://cms.example.org/x",
        audience_agency=agency,
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
        last_error="TimeoutError: timed out",
    )
    operator = staff_account("olu.ops", TA_STAFF_GROUP)
    operator.user_permissions.add(*Permission.objects.filter(codename__in=["view_notification", "resend_notification"]))

    with admin_browser(chromium, live_server, tmp_path) as page:
        log_in(page, operator)
        panel = page.locator("[data-failed-notifications-panel]")
        expect(panel).to_contain_text("1 email failed")
        panel.get_by_role("link", name=re.compile("email failed")).click()
        expect(page).to_have_url(re.compile(r"/admin/notifications/\?state=failed"))
        table = page.get_by_role("table")
        expect(table).to_contain_text("refused the recipient's address")
        expect(table).not_to_contain_text("NCPI replied")
        page.goto("/admin/notifications/?state=retrying")
        expect(page.get_by_role("table")).to_contain_text("did not answer in time")
        page.goto("/admin/notifications/")
        page.get_by_role("table").get_by_role("link", name=failed.subject).click()
        expect(page.locator("main")).to_contain_text("550")
        page.get_by_role("link", name="Send again").click()
        page.get_by_role("button", name="Send again").click()
        expect(page.locator(".messages")).to_contain_text("Queued again")

    failed.refresh_from_db()
    assert failed.status == "pending" and failed.attempts == 0
