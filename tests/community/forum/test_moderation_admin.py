"""Moderation in the Wagtail admin: every list and action page works for forum moderators, every action is in the
audit trail, and editors without the moderation permission can neither see nor act."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.forum import services
from community.forum.factories import ForumPostFactory, ForumThreadFactory
from community.forum.models import ForumBan, ForumReport, ModerationAction
from community.forum.selectors import active_ban

pytestmark = pytest.mark.django_db

INDEXES = ["forum_reports", "forum_threads", "forum_posts", "forum_bans", "forum_categories", "forum_moderation_log"]


@pytest.fixture
def thread(category, member_a):
    return ForumThreadFactory(category=category, author=member_a, title="Night-shift co-response staffing")


@pytest.fixture
def reply(thread, member_b):
    return ForumPostFactory(thread=thread, author=member_b, body_html="<p>Call me, it's urgent!!!</p>")


def test_moderator_sees_every_forum_page_with_report_counts(client, forum_moderator, thread, reply, member_a):
    services.forum_post_report(reporter=member_a, post=reply, reason="Spam")
    client.force_login(forum_moderator)
    for name in INDEXES:
        assert client.get(reverse(f"{name}:index")).status_code == 200, name
    threads = client.get(reverse("forum_threads:index")).content.decode()
    assert "Night-shift co-response staffing" in threads
    assert "Ana Ruiz" in threads
    posts = client.get(reverse("forum_posts:index")).content.decode()
    assert "Call me, it&#x27;s urgent" in posts
    for name, pk in [("forum_threads", thread.pk), ("forum_posts", reply.pk)]:
        page = client.get(reverse(f"{name}:inspect", args=[pk]))
        assert page.status_code == 200
    reports = client.get(reverse("forum_reports:index")).content.decode()
    assert "Spam" in reports
    report = ForumReport.objects.get()
    assert "Resolve" in client.get(reverse("forum_reports:inspect", args=[report.pk])).content.decode()
    ban_form = client.get(reverse("forum_bans:add") + f"?member={reply.author_id}").content.decode()
    assert f'<option value="{reply.author_id}" selected>' in ban_form  # "Ban author" on a post pre-fills the form


def test_each_action_changes_the_forum_and_is_audited(client, forum_moderator, thread, reply, member_a, member_b):
    client.force_login(forum_moderator)

    def act(viewset, action, pk, reason):
        url = reverse(f"{viewset}:{action}", args=[pk])
        assert client.get(url).status_code == 200  # the confirmation page
        assert client.post(url, {"reason": reason}).status_code == 302

    act("forum_posts", "hide_post", reply.pk, "Spam")
    reply.refresh_from_db()
    assert reply.hidden_at is not None
    act("forum_posts", "unhide_post", reply.pk, "Appeal accepted")
    act("forum_threads", "lock_thread", thread.pk, "Resolved question")
    thread.refresh_from_db()
    assert thread.is_locked
    act("forum_threads", "unlock_thread", thread.pk, "")
    act("forum_posts", "delete_post", reply.pk, "Personal details")
    reply.refresh_from_db()
    assert reply.deleted_at is not None
    services.forum_post_report(reporter=member_a, post=reply, reason="Phone number posted")
    act("forum_reports", "resolve_report", ForumReport.objects.get().pk, "Deleted")
    assert ForumReport.objects.get().status == ForumReport.Status.RESOLVED

    expires = (timezone.now() + timedelta(days=7)).strftime("%Y-%m-%d %H:%M")
    response = client.post(
        reverse("forum_bans:add"), {"member": member_b.pk, "reason": "Repeated spam", "expires_at": expires}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ban = ForumBan.objects.get()
    assert active_ban(member_b) == ban
    assert ban.created_by == forum_moderator
    act("forum_bans", "lift_ban", ban.pk, "Agreed to the guidelines")
    assert active_ban(member_b) is None

    log = list(ModerationAction.objects.order_by("id").values_list("action", "actor__username", "reason"))
    assert log == [
        ("hide_post", "fmod", "Spam"),
        ("unhide_post", "fmod", "Appeal accepted"),
        ("lock_thread", "fmod", "Resolved question"),
        ("unlock_thread", "fmod", ""),
        ("delete_post", "fmod", "Personal details"),
        ("resolve_report", "fmod", "Deleted"),
        ("ban_member", "fmod", "Repeated spam"),
        ("unban_member", "fmod", "Agreed to the guidelines"),
    ]
    audit = client.get(reverse("forum_moderation_log:index")).content.decode()
    assert "Ben Okafor" in audit and "Repeated spam" in audit


def test_editors_without_the_permission_cannot_see_or_moderate(client, plain_editor, thread, reply):
    client.force_login(plain_editor)
    for name in INDEXES:
        response = client.get(reverse(f"{name}:index"))
        assert response.status_code in (302, 403), name
    for viewset, action, pk in [
        ("forum_posts", "hide_post", reply.pk),
        ("forum_threads", "lock_thread", thread.pk),
        ("forum_posts", "delete_post", reply.pk),
    ]:
        # Wagtail turns PermissionDenied into a redirect to the dashboard with an error message.
        assert client.post(reverse(f"{viewset}:{action}", args=[pk]), {"reason": "x"}).status_code in (302, 403)
    assert client.post(reverse("forum_bans:add"), {"member": reply.author_id, "reason": "x"}).status_code in (302, 403)
    reply.refresh_from_db()
    thread.refresh_from_db()
    assert reply.hidden_at is None and reply.deleted_at is None and not thread.is_locked
    assert not ForumBan.objects.exists()
    assert not ModerationAction.objects.exists()
    assert "Forum" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_nobody_edits_members_words_in_the_admin(client, forum_moderator, reply):
    client.force_login(forum_moderator)
    response = client.post(reverse("forum_posts:edit", args=[reply.pk]), {"body_html": "<p>rewritten</p>"})
    assert response.status_code in (302, 403)
    reply.refresh_from_db()
    assert reply.body_html == "<p>Call me, it's urgent!!!</p>"
