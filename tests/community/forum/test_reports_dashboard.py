"""The dashboard's "Forum reports" panel: what a forum moderator sees first thing, and nobody else does."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.forum import services
from community.forum.factories import ForumPostFactory, ForumThreadFactory
from community.forum.models import ForumReport

pytestmark = pytest.mark.django_db

HOME = reverse("wagtailadmin_home")


def panel_of(client, user) -> str:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    return html.split('id="forum-reports-section"')[1].split("</section>")[0] if "forum-reports-section" in html else ""


@pytest.fixture
def thread(category, member_a):
    return ForumThreadFactory(category=category, author=member_a, title="Night-shift co-response staffing")


def report(post, reporter, reason, days_ago=0):
    created = services.forum_post_report(reporter=reporter, post=post, reason=reason)
    ForumReport.objects.filter(pk=created.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return created


def test_moderator_sees_open_reports_oldest_first_with_links(client, forum_moderator, thread, member_a, member_b):
    recent = ForumPostFactory(thread=thread, author=member_b, body_html="<p>Buy cheap watches here</p>")
    older = ForumPostFactory(thread=thread, author=member_b, body_html="<p>Names of the people we detained</p>")
    newer_report = report(recent, member_a, "Spam")
    older_report = report(older, member_a, "Shares private details of a person in crisis", days_ago=3)

    panel = panel_of(client, forum_moderator)

    assert "<strong>2</strong> open reports, the oldest 3\xa0days ago" in panel
    assert panel.index("Names of the people we detained") < panel.index("Buy cheap watches here")
    assert "Night-shift co-response staffing" in panel and "Shares private details" in panel
    for item in (older_report, newer_report):
        assert reverse("forum_reports:inspect", args=[item.pk]) in panel
    assert reverse("forum_reports:index") + "?status=open" in panel


def test_resolved_reports_leave_the_panel(client, forum_moderator, thread, member_a, member_b):
    post = ForumPostFactory(thread=thread, author=member_b, body_html="<p>Off-topic advert</p>")
    services.forum_report_resolve(report=report(post, member_a, "Spam"), by=forum_moderator)

    panel = panel_of(client, forum_moderator)

    assert "Off-topic advert" not in panel
    assert "No open reports." in panel


def test_editors_and_members_without_moderation_rights_do_not_get_the_panel(
    client, plain_editor, thread, member_a, member_b
):
    report(ForumPostFactory(thread=thread, author=member_b, body_html="<p>Reported text</p>"), member_a, "Spam")

    assert panel_of(client, plain_editor) == ""


def test_the_panel_costs_the_same_queries_for_one_report_or_many(client, forum_moderator, thread, member_a, member_b):
    def queries():
        client.force_login(forum_moderator)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(HOME).status_code == 200
        return len(captured)

    report(ForumPostFactory(thread=thread, author=member_b, body_html="<p>First</p>"), member_a, "Spam")
    one = queries()
    for n in range(8):
        report(ForumPostFactory(thread=thread, author=member_b, body_html=f"<p>More {n}</p>"), member_a, "Spam")
    assert queries() == one
