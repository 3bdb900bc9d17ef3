"""The forum as a community: follows and reply emails (immediate or digest), reports emailed to moderators, hiding
resolves reports, search that never finds moderated posts, the author's agency."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import notifications
from community.factories import AgencyFactory
from community.forum import services
from community.forum.models import ForumFollow, ForumReport
from community.models import Member, Notification, NotificationPreference
from tests.integrations.graphql.helpers import data, run, user_in

pytestmark = pytest.mark.django_db

REPLY = """
mutation ($input: CreateForumReplyInput!) {
  createForumReply(input: $input) { post { id author { name agencyName } } errors { code } }
}
"""
FOLLOW = """
mutation ($id: ID!, $follow: Boolean!) {
  followForumThread(threadId: $id, follow: $follow) { thread { id viewerFollows } errors { field code } }
}
"""
SEARCH = """
query ($text: String!) { forumSearch(text: $text) { items { id threadId threadTitle bodyHtml } pagination { total } } }
"""
PREFERENCES = """
mutation ($input: NotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { notificationPreferences { forumReplies taUpdates } errors { code } }
}
"""


def deliver():
    for pk in Notification.objects.filter(status="pending", digest=False).values_list("pk", flat=True):
        notifications.notification_send(notification_id=pk)


@pytest.fixture
def member_c(db):
    from community.forum.factories import MemberFactory

    return MemberFactory(username="cy", first_name="Cy", last_name="Ng", email="cy@pd.example.org")


@pytest.fixture
def thread(member_a, category):
    return services.forum_thread_create(
        author=member_a, category=category, title="Co-responder shift overlap", body="<p>How do you schedule?</p>"
    )


def reply(member, thread, body="<p>We overlap two hours.</p>"):
    result = data(REPLY, user=member, input={"threadId": str(thread.pk), "body": body})["createForumReply"]
    assert result["errors"] == []
    return result


def test_a_reply_emails_each_follower_once_but_not_its_author(
    thread, member_a, member_b, member_c, django_capture_on_commit_callbacks
):
    reply(member_b, thread)  # member_b now follows too
    deliver()
    assert [message.to for message in mail.outbox] == [[member_a.email]]  # the starter; not member_b
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply(member_c, thread, "<p>Same here, <script>x</script>two hours.</p>")
        reply(member_c, thread, "<p>And a debrief.</p>")
    deliver()
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([member_a.email, member_b.email] * 2)  # once per reply each, never member_c
    first = mail.outbox[0]
    assert "Co-responder shift overlap" in first.subject and "<script>" not in first.body
    assert first.alternatives and "/resource-center/forum/threads/" in first.body


def test_unfollow_stops_the_emails_and_survives_replying(thread, member_a, member_b):
    assert (
        data(FOLLOW, user=member_a, id=thread.pk, follow=False)["followForumThread"]["thread"]["viewerFollows"] is False
    )
    reply(member_b, thread)
    reply(member_a, thread)  # replying again does not undo the unfollow
    deliver()
    assert [message.to for message in mail.outbox] == [[member_b.email]]  # member_b follows; member_a does not
    assert ForumFollow.objects.get(user=member_a).following is False
    assert data(FOLLOW, user=member_a, id=thread.pk, follow=True)["followForumThread"]["thread"]["viewerFollows"]


def test_follow_refuses_bad_ids_and_non_members(thread, member_a, outsider):
    for bad in ("", "abc", "-1", "99999999", "1' OR '1'='1"):
        result = data(FOLLOW, user=member_a, id=bad, follow=True)["followForumThread"]
        assert result["thread"] is None and result["errors"][0]["code"] == "not_found"
    for caller in (outsider, None):
        result = run(FOLLOW, user=caller, id=thread.pk, follow=True)
        assert result.errors and result.errors[0].extensions["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
    assert ForumFollow.objects.count() == 1  # the starter's own


def test_daily_digest_folds_replies_into_one_email(thread, member_a, member_b):
    result = data(PREFERENCES, user=member_a, input={"forumReplies": "DAILY"})["updateNotificationPreferences"]
    assert result["notificationPreferences"]["forumReplies"] == "DAILY"
    reply(member_b, thread)
    reply(member_b, thread, "<p>Also: radios.</p>")
    deliver()
    assert mail.outbox == []  # waiting for the digest
    call_command("send_forum_digests")
    deliver()
    [digest] = mail.outbox
    assert digest.to == [member_a.email] and "2 new replies" in digest.subject
    assert Notification.objects.filter(status="digested").count() == 2
    call_command("send_forum_digests")
    deliver()
    assert len(mail.outbox) == 1  # nothing twice


def test_global_preference_off_sends_nothing(thread, member_a, member_b):
    data(PREFERENCES, user=member_a, input={"forumReplies": "OFF"})
    reply(member_b, thread)
    assert not Notification.objects.exists()
    assert NotificationPreference.objects.get(user=member_a).forum_replies == "off"
    assert run(PREFERENCES, input={"forumReplies": "OFF"}).errors[0].extensions["code"] == "UNAUTHENTICATED"
    assert run(PREFERENCES, user=member_a, input={"forumReplies": "LOUD"}).errors  # not an enum value


def test_a_report_reaches_the_moderators_and_hiding_resolves_it(thread, member_b, forum_moderator, plain_editor):
    post = thread.posts.get()
    services.forum_post_report(reporter=member_b, post=post, reason="Names a client <b>by name</b>")
    deliver()
    [alert] = mail.outbox
    assert alert.to == [forum_moderator.email] and "reported" in alert.subject
    assert f"/admin/forum_reports/inspect/{ForumReport.objects.get().pk}/" in alert.body
    services.forum_post_report(reporter=member_b, post=post, reason="again")  # a repeat: no second email
    deliver()
    assert len(mail.outbox) == 1
    services.forum_post_hide(post=post, by=forum_moderator, reason="Client privacy")
    report = ForumReport.objects.get()
    assert report.status == "resolved" and report.resolved_by == forum_moderator


def test_search_finds_visible_posts_only(thread, member_a, member_b, forum_moderator):
    visible = reply(member_b, thread, "<p>Our debrief checklist works.</p>")
    hidden = reply(member_b, thread, "<p>A debrief with client names.</p>")
    services.forum_post_hide(post=thread.posts.get(pk=hidden["post"]["id"]), by=forum_moderator)
    other = services.forum_thread_create(
        author=member_a, category=thread.category, title="Removed debrief thread", body="<p>debrief</p>"
    )
    services.forum_thread_hide(thread=other, by=forum_moderator)
    found = data(SEARCH, user=member_a, text="debrief")["forumSearch"]
    assert [item["id"] for item in found["items"]] == [visible["post"]["id"]]
    assert found["items"][0]["threadTitle"] == "Co-responder shift overlap"
    assert (
        data(SEARCH, user=member_a, text="co-responder")["forumSearch"]["pagination"]["total"] == 2
    )  # opening + visible
    for bad in ("", "   ", "x" * 101, "bad\x00"):
        assert run(SEARCH, user=member_a, text=bad).errors[0].extensions["code"] == "BAD_USER_INPUT"
    assert data(SEARCH, user=member_a, text="%' OR 1=1 --")["forumSearch"]["items"] == []
    for caller in (user_in("Partners", "partner-web"), None):
        result = run(SEARCH, user=caller, text="debrief")
        assert result.errors and "debrief" not in str(result.data)


def test_author_agency_is_shown_in_constant_queries(thread, member_a, member_b, category):
    Member.objects.create(user=member_b, agency=AgencyFactory(name="Tucson Police Department", state="AZ"))
    result = reply(member_b, thread)
    assert result["post"]["author"] == {"name": "Ben Okafor", "agencyName": "Tucson Police Department"}
    query = (
        "{ forumThreads(perPage: 50) { items { viewerFollows author { agencyName } "
        "lastPost { author { agencyName } } } } }"
    )

    def add(count):
        for index in range(count):
            services.forum_thread_create(author=member_b, category=category, title=f"T{index}", body="<p>x</p>")

    def fresh(user):
        return type(user).objects.get(pk=user.pk)  # as in a request: nothing (permissions) cached on it yet

    with CaptureQueriesContext(connection) as few:
        data(query, user=fresh(member_a))
    add(5)
    with CaptureQueriesContext(connection) as many:
        items = data(query, user=fresh(member_a))["forumThreads"]["items"]
    assert len(items) == 6 and items[0]["author"]["agencyName"] == "Tucson Police Department"
    assert len(many) == len(few)


WINTER_UTC = datetime(2027, 1, 15, 17, 30, tzinfo=UTC)


def test_moderation_screens_show_rendered_text_names_and_the_admins_time_zone(
    client, thread, member_a, forum_moderator
):
    from wagtail.users.models import UserProfile

    post = thread.posts.get()
    post.body_html = '<p>Call <strong>988</strong> first.</p><img src=x onerror="alert(1)">'  # as if tampered
    post.created_at = WINTER_UTC
    post.save()
    profile = UserProfile.get_for_user(forum_moderator)
    profile.current_time_zone = "America/Denver"
    profile.save()
    client.force_login(forum_moderator)
    page = client.get(reverse("forum_posts:inspect", args=[post.pk])).content.decode()
    assert "Call <strong>988</strong> first." in page and "onerror" not in page  # rendered, still sanitised
    assert "&lt;strong&gt;" not in page
    assert "Ana Ruiz (ana)" in page  # the display name, with the account
    assert "10:30" in page and "17:30" not in page  # 17:30 UTC is 10:30 in Denver
    assert ">True<" not in page and ">None<" not in page
    services.forum_post_report(reporter=forum_moderator, post=post, reason="check")
    report_page = client.get(reverse("forum_reports:inspect", args=[ForumReport.objects.get().pk])).content.decode()
    assert "Fran (fmod)" in report_page and ">None<" not in report_page
