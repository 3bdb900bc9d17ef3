"""Restricted forum categories: a category visible only to some groups is absent, with its threads and posts, for
every other member on every channel (lists, thread, search, every mutation, follow emails, digests), present for
its groups and for forum moderators, and managed from the admin's category form."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from community.forum import selectors, services
from community.forum.factories import ForumCategoryFactory, MemberFactory
from community.forum.models import ForumCategory, ForumFollow, ForumPost, ForumReport, ForumThread
from community.forum.permissions import FORUM_MODERATORS
from community.models import Notification, NotificationPreference
from tests.community.forum.test_forum_notifications import deliver
from tests.integrations.graphql.helpers import data, run, user_in

pytestmark = pytest.mark.django_db

CATEGORIES = "{ forumCategories { slug restricted threadCount } }"
THREADS = """
query ($category: String) { forumThreads(category: $category) { items { id title category { slug restricted } } } }
"""
THREAD = "query ($id: ID!) { forumThread(id: $id) { id title posts { items { id bodyHtml } } } }"
SEARCH = "query ($text: String!) { forumSearch(text: $text) { items { id threadTitle } pagination { total } } }"
CREATE_THREAD = """
mutation ($input: CreateForumThreadInput!) { createForumThread(input: $input) { thread { id } errors { field code } } }
"""
REPLY = """
mutation ($input: CreateForumReplyInput!) { createForumReply(input: $input) { post { id } errors { field code } } }
"""
EDIT = """
mutation ($id: ID!, $input: EditForumPostInput!) {
  editForumPost(id: $id, input: $input) { post { id } errors { code } }
}
"""
REPORT = 'mutation ($id: ID!) { reportForumPost(id: $id, reason: "spam") { ok errors { field code } } }'
FOLLOW = """
mutation ($id: ID!) { followForumThread(threadId: $id, follow: true) { thread { id } errors { field code } } }
"""


@pytest.fixture
def coordinators(db):
    return Group.objects.create(name="CIT coordinators")


@pytest.fixture
def corner(coordinators):
    category = ForumCategoryFactory(name="Coordinators' corner", slug="coordinators-corner", sort_order=9)
    category.restricted_to.set([coordinators])
    return category


@pytest.fixture
def coordinator(coordinators):
    user = MemberFactory(username="coord", first_name="Cora", last_name="Diaz", email="cora@pd.example.org")
    user.groups.add(coordinators)
    return user


@pytest.fixture
def member_moderator(db):
    """A member who also moderates the forum: reads every category."""
    user = MemberFactory(username="memmod", first_name="Mo", last_name="Dee", email="mo@pd.example.org")
    user.groups.add(Group.objects.get(name=FORUM_MODERATORS))
    return user


@pytest.fixture
def secret_thread(coordinator, corner):
    return services.forum_thread_create(
        author=coordinator,
        category=corner,
        title="Coordinator stipends for the 40-hour course",
        body="<p>Our budget line for coordinator stipends is confidential.</p>",
    )


@pytest.fixture
def open_thread(member_a, category):
    return services.forum_thread_create(
        author=member_a, category=category, title="Open stipends question", body="<p>stipends in general</p>"
    )


def slugs(rows):
    return [row["slug"] for row in rows]


def test_outsiders_never_see_the_category_its_threads_or_posts(member_b, secret_thread, open_thread, category):
    assert slugs(data(CATEGORIES, user=member_b)["forumCategories"]) == [category.slug]
    assert [t["id"] for t in data(THREADS, user=member_b)["forumThreads"]["items"]] == [str(open_thread.pk)]
    assert data(THREADS, user=member_b, category="coordinators-corner")["forumThreads"]["items"] == []
    assert data(THREAD, user=member_b, id=str(secret_thread.pk))["forumThread"] is None
    found = data(SEARCH, user=member_b, text="stipends")["forumSearch"]
    assert [item["threadTitle"] for item in found["items"]] == ["Open stipends question"]
    assert "confidential" not in str(found) and found["pagination"]["total"] == 1


def test_its_groups_and_moderators_see_it_all(coordinator, member_moderator, secret_thread, open_thread, corner):
    for reader in (coordinator, member_moderator):
        categories = data(CATEGORIES, user=reader)["forumCategories"]
        assert {row["slug"]: row["restricted"] for row in categories} == {
            "crisis-response-in-the-field": False,
            "coordinators-corner": True,
        }
        assert data(THREAD, user=reader, id=str(secret_thread.pk))["forumThread"]["title"].startswith("Coordinator")
        items = data(THREADS, user=reader, category=corner.slug)["forumThreads"]["items"]
        assert [(t["id"], t["category"]["restricted"]) for t in items] == [(str(secret_thread.pk), True)]
        assert data(SEARCH, user=reader, text="stipends")["forumSearch"]["pagination"]["total"] == 2


def test_every_mutation_treats_it_as_absent_for_outsiders(member_b, secret_thread, corner):
    post = secret_thread.posts.get()
    created = data(
        CREATE_THREAD, user=member_b, input={"category": corner.slug, "title": "Sneaking in", "body": "<p>hi</p>"}
    )["createForumThread"]
    assert created == {"thread": None, "errors": [{"field": "category", "code": "not_found"}]}
    replied = data(REPLY, user=member_b, input={"threadId": str(secret_thread.pk), "body": "<p>hi</p>"})
    assert replied["createForumReply"]["errors"] == [{"field": "threadId", "code": "not_found"}]
    assert data(REPORT, user=member_b, id=str(post.pk))["reportForumPost"] == {
        "ok": False,
        "errors": [{"field": "id", "code": "not_found"}],
    }
    assert data(FOLLOW, user=member_b, id=str(secret_thread.pk))["followForumThread"]["thread"] is None
    # Editing is also refused to the post's own author once they lose the group.
    secret_thread.author.groups.remove(corner.restricted_to.get())
    edited = data(EDIT, user=secret_thread.author, id=str(post.pk), input={"body": "<p>new</p>"})
    assert edited["editForumPost"]["errors"] == [{"code": "not_found"}]
    assert ForumThread.objects.count() == 1 and ForumPost.objects.count() == 1
    assert not ForumReport.objects.exists()
    assert not ForumFollow.objects.filter(user=member_b).exists()


def test_its_groups_post_reply_and_follow(coordinator, member_moderator, corner, secret_thread):
    created = data(
        CREATE_THREAD, user=coordinator, input={"category": corner.slug, "title": "Refresher days", "body": "<p>x</p>"}
    )["createForumThread"]
    assert created["errors"] == [] and created["thread"]["id"]
    replied = data(REPLY, user=member_moderator, input={"threadId": str(secret_thread.pk), "body": "<p>Noted.</p>"})
    assert replied["createForumReply"]["errors"] == []


def test_anonymous_and_partner_tokens_get_nothing(secret_thread):
    for caller in (None, user_in("Partners", "partner-web")):
        for query, variables in ((CATEGORIES, {}), (THREAD, {"id": str(secret_thread.pk)}), (SEARCH, {"text": "x"})):
            result = run(query, user=caller, **variables)
            assert result.errors and "Coordinator" not in str(result.data)


def test_a_follower_who_loses_access_gets_no_mail(coordinator, coordinators, secret_thread):
    other = MemberFactory(username="cal", first_name="Cal", last_name="Park", email="cal@pd.example.org")
    other.groups.add(coordinators)
    services.forum_reply_create(author=other, thread=secret_thread, body="<p>We pay a day rate.</p>")
    # Written while the coordinator could read it, then they leave the group before it is sent: skipped.
    coordinator.groups.remove(coordinators)
    deliver()
    assert mail.outbox == []
    assert Notification.objects.get(recipient=coordinator).status == Notification.Status.SKIPPED
    # A later reply writes no email for them at all; `other` (the author) gets none either.
    services.forum_reply_create(author=other, thread=secret_thread, body="<p>Plus mileage.</p>")
    assert Notification.objects.filter(kind="forum.reply").count() == 1
    # Back in the group: the follow (never undone) works again.
    coordinator.groups.add(coordinators)
    services.forum_reply_create(author=other, thread=secret_thread, body="<p>And lunch.</p>")
    deliver()
    assert [message.to for message in mail.outbox] == [[coordinator.email]]


def test_a_digest_leaves_out_a_category_the_reader_lost(coordinator, coordinators, secret_thread, member_a, category):
    NotificationPreference.objects.create(user=coordinator, forum_replies="daily")
    opened = services.forum_thread_create(author=coordinator, category=category, title="Open one", body="<p>x</p>")
    other = MemberFactory(username="cal", first_name="Cal", last_name="Park", email="cal@pd.example.org")
    other.groups.add(coordinators)
    services.forum_reply_create(author=other, thread=secret_thread, body="<p>Secret day rate.</p>")
    services.forum_reply_create(author=member_a, thread=opened, body="<p>Open answer.</p>")
    coordinator.groups.remove(coordinators)
    call_command("send_forum_digests")
    deliver()
    [digest] = mail.outbox
    assert "Open one" in digest.body and "Secret day rate" not in digest.body
    assert "Coordinator stipends" not in digest.body + digest.alternatives[0][0]


def test_selectors_refuse_anonymous_and_inactive_readers(coordinator, secret_thread):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.readable_categories(AnonymousUser()).count() == 0
    coordinator.is_active = False
    assert selectors.readable_categories(coordinator).count() == 0
    assert selectors.readable_categories(None).count() == 0


def test_moderators_restrict_a_category_in_the_admin(client, forum_moderator, coordinators, category):
    client.force_login(forum_moderator)
    response = client.post(
        reverse("forum_categories:edit", args=[category.pk]),
        {
            "name": category.name,
            "slug": category.slug,
            "description": "",
            "sort_order": 0,
            "restricted_to": [coordinators.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(ForumCategory.objects.get().restricted_to.all()) == [coordinators]
    index = client.get(reverse("forum_categories:index")).content.decode()
    assert "CIT coordinators" in index
    response = client.post(
        reverse("forum_categories:edit", args=[category.pk]),
        {"name": category.name, "slug": category.slug, "sort_order": 0, "restricted_to": ["999999"]},
    )
    assert response.status_code == 200  # a group that does not exist: the form says so, nothing saved
    assert list(ForumCategory.objects.get().restricted_to.all()) == [coordinators]
    client.post(
        reverse("forum_categories:edit", args=[category.pk]),
        {"name": category.name, "slug": category.slug, "description": "", "sort_order": 0},
    )
    assert not ForumCategory.objects.get().restricted_to.exists()
    assert "All members" in client.get(reverse("forum_categories:index")).content.decode()
