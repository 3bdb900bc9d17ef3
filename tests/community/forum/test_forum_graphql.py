"""The forum's GraphQL queries and mutations, executed in-process as each kind of caller: members get the forum,
moderation shows (hidden posts gone, locked threads refuse replies, banned members refused), and every forum field
is members-only. Query counts stay the same for 5 and 50 threads or posts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from community.forum import services
from community.forum.factories import ForumCategoryFactory, ForumPostFactory, ForumThreadFactory, MemberFactory
from community.forum.models import ForumPost, ForumReport, ForumThread
from tests.integrations.graphql.helpers import data, run

pytestmark = pytest.mark.django_db

THREADS = """
query ($category: String, $page: Int, $perPage: Int) {
  forumThreads(category: $category, page: $page, perPage: $perPage) {
    items { id title locked replyCount createdAt lastActivityAt category { name slug }
            author { name } lastPost { id author { name } bodyHtml createdAt canEdit } }
    pagination { total count perPage currentPage totalPages nextPage }
  }
}"""
THREAD = """
query ($id: ID!, $page: Int, $perPage: Int) {
  forumThread(id: $id) {
    id title locked replyCount author { name } category { slug }
    posts(page: $page, perPage: $perPage) {
      items { id isOpening bodyHtml author { name } createdAt editedAt canEdit editableUntil }
      pagination { total count }
    }
  }
}"""
CATEGORIES = "{ forumCategories { name slug description threadCount } }"
CREATE_THREAD = """
mutation ($input: CreateForumThreadInput!) {
  createForumThread(input: $input) { thread { id title replyCount author { name } posts { items { bodyHtml } } }
                                      errors { field message code } }
}"""
REPLY = """
mutation ($input: CreateForumReplyInput!) {
  createForumReply(input: $input) { post { id bodyHtml author { name } canEdit } errors { field message code } }
}"""
EDIT = """
mutation ($id: ID!, $input: EditForumPostInput!) {
  editForumPost(id: $id, input: $input) { post { id bodyHtml editedAt } errors { field message code } }
}"""
REPORT = """
mutation ($id: ID!, $reason: String!) {
  reportForumPost(id: $id, reason: $reason) { ok errors { field message code } }
}"""


def create_thread(user, category, title="Deflection referrals after hours", body="<p>Who takes them at 2 am?</p>"):
    result = data(CREATE_THREAD, user=user, input={"category": category.slug, "title": title, "body": body})
    return result["createForumThread"]


def reply(user, thread_id, body="<p>Our mobile crisis team does.</p>"):
    return data(REPLY, user=user, input={"threadId": str(thread_id), "body": body})["createForumReply"]


def test_member_posts_a_thread_and_another_replies(member_a, member_b, category):
    created = create_thread(member_a, category)
    assert created["errors"] == []
    thread = created["thread"]
    assert thread["author"] == {"name": "Ana Ruiz"}
    assert thread["posts"]["items"] == [{"bodyHtml": "<p>Who takes them at 2 am?</p>"}]

    answer = reply(member_b, thread["id"])
    assert answer["errors"] == []
    assert answer["post"]["author"] == {"name": "Ben Okafor"}
    assert answer["post"]["canEdit"] is True

    listed = data(THREADS, user=member_b)["forumThreads"]
    assert listed["pagination"]["total"] == 1
    item = listed["items"][0]
    assert item["replyCount"] == 1
    assert item["lastPost"]["id"] == answer["post"]["id"]
    assert item["lastPost"]["author"] == {"name": "Ben Okafor"}

    shown = data(THREAD, user=member_a, id=thread["id"])["forumThread"]
    assert [post["isOpening"] for post in shown["posts"]["items"]] == [True, False]
    assert [post["canEdit"] for post in shown["posts"]["items"]] == [True, False]  # Ana's own, not Ben's

    assert data(CATEGORIES, user=member_a)["forumCategories"] == [
        {
            "name": "Crisis response in the field",
            "slug": "crisis-response-in-the-field",
            "description": "",
            "threadCount": 1,
        }
    ]


def test_threads_filter_by_category_and_paginate(member_a, category):
    other = ForumCategoryFactory(name="Data & evaluation", slug="data-evaluation")
    for n in range(3):
        ForumThreadFactory(category=category, author=member_a, title=f"Field question {n}")
    ForumThreadFactory(category=other, author=member_a, title="Measuring diversion outcomes")
    page = data(THREADS, user=member_a, category="crisis-response-in-the-field", perPage=2, page=2)["forumThreads"]
    assert page["pagination"] == {
        "total": 3,
        "count": 1,
        "perPage": 2,
        "currentPage": 2,
        "totalPages": 2,
        "nextPage": None,
    }
    evaluation = data(THREADS, user=member_a, category="data-evaluation")["forumThreads"]["items"]
    assert [item["title"] for item in evaluation] == ["Measuring diversion outcomes"]
    refused = run(THREADS, user=member_a, perPage=101)
    assert "perPage must be between 1 and 100" in refused.errors[0].message


def test_field_errors_for_bad_input(member_a, category):
    result = create_thread(member_a, category, title="  ", body="<script>alert(1)</script>")
    assert result["thread"] is None
    assert {(e["field"], e["code"]) for e in result["errors"]} == {("title", "required"), ("body", "required")}
    assert create_thread(member_a, category, title="x" * 201)["errors"][0]["code"] == "max_length"
    html_title = create_thread(member_a, category, title="<img src=x onerror=alert(1)>")
    assert html_title["errors"] == [
        {"field": "title", "message": "Titles are plain text: remove the HTML.", "code": "invalid"}
    ]
    unknown = data(CREATE_THREAD, user=member_a, input={"category": "nope", "title": "t", "body": "b"})
    assert unknown["createForumThread"]["errors"][0] == {
        "field": "category",
        "message": "No such category, or it was removed.",
        "code": "not_found",
    }
    assert reply(member_a, 999999)["errors"][0]["code"] == "not_found"
    assert reply(member_a, "not-an-id")["errors"][0]["code"] == "not_found"
    assert not ForumThread.objects.exists()


def test_hidden_and_deleted_posts_and_threads_are_gone_for_every_member(member_a, member_b, forum_moderator, category):
    thread = ForumThreadFactory(category=category, author=member_a)
    kept = ForumPostFactory(thread=thread, author=member_b, body_html="<p>Kept</p>")
    hidden = ForumPostFactory(thread=thread, author=member_b, body_html="<p>Hidden</p>")
    deleted = ForumPostFactory(thread=thread, author=member_b, body_html="<p>Deleted</p>")
    services.forum_post_hide(post=hidden, by=forum_moderator, reason="Off topic")
    services.forum_post_delete(post=deleted, by=forum_moderator, reason="Personal data")
    for viewer in (member_a, member_b):  # the author of the hidden post too
        shown = data(THREAD, user=viewer, id=thread.pk)["forumThread"]
        bodies = [post["bodyHtml"] for post in shown["posts"]["items"]]
        assert "<p>Hidden</p>" not in bodies and "<p>Deleted</p>" not in bodies
        assert "<p>Kept</p>" in bodies
        assert shown["replyCount"] == 1
        assert data(THREADS, user=viewer)["forumThreads"]["items"][0]["lastPost"]["id"] == str(kept.pk)
    edit = data(EDIT, user=member_b, id=str(hidden.pk), input={"body": "<p>sneaky</p>"})["editForumPost"]
    assert edit["errors"][0]["code"] == "not_found"
    assert data(REPORT, user=member_a, id=str(hidden.pk), reason="x")["reportForumPost"]["ok"] is False

    services.forum_thread_hide(thread=thread, by=forum_moderator)
    assert data(THREAD, user=member_a, id=thread.pk)["forumThread"] is None
    assert data(THREADS, user=member_a)["forumThreads"]["items"] == []
    assert data(CATEGORIES, user=member_a)["forumCategories"][0]["threadCount"] == 0
    assert reply(member_a, thread.pk)["errors"][0]["code"] == "not_found"


def test_locked_threads_refuse_replies_and_edits(member_a, member_b, forum_moderator, category):
    thread = create_thread(member_a, category)["thread"]
    services.forum_thread_lock(thread=ForumThread.objects.get(), by=forum_moderator, reason="Answered")
    refused = reply(member_b, thread["id"])
    assert refused == {
        "post": None,
        "errors": [
            {"field": "threadId", "message": "This thread is locked: it takes no new replies.", "code": "locked"}
        ],
    }
    opening = ForumPost.objects.get()
    edit = data(EDIT, user=member_a, id=str(opening.pk), input={"body": "<p>more</p>"})["editForumPost"]
    assert edit["errors"][0]["code"] == "locked"
    assert data(THREAD, user=member_a, id=thread["id"])["forumThread"]["locked"] is True
    assert ForumPost.objects.count() == 1


def test_banned_members_read_but_every_mutation_is_refused(member_a, member_b, forum_moderator, category):
    thread = create_thread(member_a, category)["thread"]
    services.forum_member_ban(member=member_b, by=forum_moderator, reason="Advertising", expires_at=None)
    for query, variables in [
        (REPLY, {"input": {"threadId": thread["id"], "body": "<p>hi</p>"}}),
        (CREATE_THREAD, {"input": {"category": category.slug, "title": "Buy now", "body": "<p>spam</p>"}}),
        (REPORT, {"id": str(ForumPost.objects.get().pk), "reason": "revenge"}),
    ]:
        result = run(query, user=member_b, **variables)
        assert result.errors[0].message == "You are banned from posting in the forum. Reason: Advertising"
        assert result.errors[0].extensions == {"code": "BANNED"}
    assert data(THREADS, user=member_b)["forumThreads"]["pagination"]["total"] == 1
    assert ForumPost.objects.count() == 1
    assert not ForumReport.objects.exists()


def test_expired_bans_no_longer_apply(member_b, forum_moderator, category):
    ban = services.forum_member_ban(
        member=member_b, by=forum_moderator, reason="Cool off", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert run(CREATE_THREAD, user=member_b, input={"category": category.slug, "title": "t", "body": "b"}).errors
    ban.expires_at = timezone.now() - timedelta(seconds=1)
    ban.save()
    assert create_thread(member_b, category)["errors"] == []


def test_edit_own_post_within_the_window_only(member_a, member_b, category, settings):
    thread = create_thread(member_a, category)["thread"]
    opening = ForumPost.objects.get()
    edited = data(
        EDIT,
        user=member_a,
        id=str(opening.pk),
        input={"body": "<p>Who takes them at 3 am?</p>", "title": "Deflection referrals overnight"},
    )
    assert edited["editForumPost"]["errors"] == []
    assert edited["editForumPost"]["post"]["editedAt"] is not None
    assert data(THREAD, user=member_a, id=thread["id"])["forumThread"]["title"] == "Deflection referrals overnight"

    answer = reply(member_b, thread["id"])["post"]
    title_on_reply = data(EDIT, user=member_b, id=answer["id"], input={"body": "<p>x</p>", "title": "x"})
    assert title_on_reply["editForumPost"]["errors"][0]["field"] == "title"

    ForumPost.objects.filter(pk=opening.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    late = data(EDIT, user=member_a, id=str(opening.pk), input={"body": "<p>late</p>"})["editForumPost"]
    assert late == {
        "post": None,
        "errors": [
            {"field": "id", "message": "Posts can only be edited within 30 minutes of posting.", "code": "edit_window"}
        ],
    }


def test_editing_someone_elses_post_is_refused(member_a, member_b, category):
    create_thread(member_a, category)
    opening = ForumPost.objects.get()
    result = data(EDIT, user=member_b, id=str(opening.pk), input={"body": "<p>Ana is wrong</p>"})["editForumPost"]
    assert result == {
        "post": None,
        "errors": [{"field": "id", "message": "You can only edit your own posts.", "code": "forbidden"}],
    }
    opening.refresh_from_db()
    assert opening.body_html == "<p>Who takes them at 2 am?</p>"
    assert opening.edited_at is None


def test_reports_go_to_the_queue_once_and_freeze_edits(member_a, member_b, category):
    create_thread(member_a, category)
    opening = ForumPost.objects.get()
    for _ in range(2):
        result = data(REPORT, user=member_b, id=str(opening.pk), reason="Shares a caller's name")["reportForumPost"]
        assert result == {"ok": True, "errors": []}
    assert ForumReport.objects.get().reason == "Shares a caller's name"
    missing = data(REPORT, user=member_b, id=str(opening.pk), reason="  ")["reportForumPost"]
    assert missing["errors"][0] == {
        "field": "reason",
        "message": "Say what is wrong with the post.",
        "code": "required",
    }
    frozen = data(EDIT, user=member_a, id=str(opening.pk), input={"body": "<p>edited away</p>"})["editForumPost"]
    assert frozen["errors"][0]["code"] == "reported"


FORUM_QUERIES = [
    (CATEGORIES, {}),
    (THREADS, {}),
    (THREAD, {"id": "1"}),
    (CREATE_THREAD, {"input": {"category": "crisis-response-in-the-field", "title": "t", "body": "b"}}),
    (REPLY, {"input": {"threadId": "1", "body": "b"}}),
    (EDIT, {"id": "1", "input": {"body": "b"}}),
    (REPORT, {"id": "1", "reason": "r"}),
]


@pytest.mark.parametrize(("query", "variables"), FORUM_QUERIES)
def test_everything_is_members_only(query, variables, outsider, member_a, category):
    ForumThreadFactory(category=category, author=member_a, title="Members only talk")
    for caller, code in [(None, "UNAUTHENTICATED"), (outsider, "FORBIDDEN")]:
        result = run(query, user=caller, **variables)
        assert [error.extensions for error in result.errors] == [{"code": code}]
        assert "Members only talk" not in str(result.data)
    assert ForumThread.objects.count() == 1
    assert ForumPost.objects.count() == 1
    assert not ForumReport.objects.exists()


def count_queries(query, user, **variables) -> int:
    user = type(user).objects.get(pk=user.pk)  # as in a request: nothing (permissions) cached on it yet
    with CaptureQueriesContext(connection) as queries:
        data(query, user=user, **variables)
    return len(queries)


def test_thread_list_query_count_does_not_grow(member_a, category):
    def add_threads(count):
        for n in range(count):
            thread = ForumThreadFactory(category=category, author=MemberFactory())
            ForumPostFactory(thread=thread, author=MemberFactory(), body_html=f"<p>Reply {n}</p>")

    add_threads(5)
    five = count_queries(THREADS, member_a, perPage=50)
    add_threads(45)
    fifty = count_queries(THREADS, member_a, perPage=50)
    # membership, the caller's user and group permissions (a moderator reads every category), count, threads with
    # reply counts, their last posts with authors
    assert five == fifty <= 6


def test_thread_with_replies_query_count_does_not_grow(member_a, category):
    thread = ForumThreadFactory(category=category, author=member_a)

    def add_replies(count):
        for _ in range(count):
            ForumPostFactory(thread=thread, author=MemberFactory())

    add_replies(4)
    five = count_queries(THREAD, member_a, id=str(thread.pk), perPage=50)
    add_replies(45)
    fifty = count_queries(THREAD, member_a, id=str(thread.pk), perPage=50)
    # membership, the caller's permissions (2), thread, its last post, posts count, posts with authors
    assert five == fifty <= 7


def test_deleted_accounts_leave_their_posts_by_a_former_member(member_a, member_b, category):
    thread = ForumThreadFactory(category=category, author=member_b)
    ForumPostFactory(thread=thread, author=member_b)
    member_b.delete()
    shown = data(THREAD, user=member_a, id=str(thread.pk))["forumThread"]
    assert shown["author"] == {"name": "Former member"}
    assert {post["author"]["name"] for post in shown["posts"]["items"]} == {"Former member"}


def test_threads_are_listed_by_latest_activity_and_categories_by_their_order(member_a, member_b, category):
    ForumCategoryFactory(name="Behavioral health partnerships", slug="behavioral-health-partnerships", sort_order=3)
    ForumCategoryFactory(name="Training & curriculum", slug="training-and-curriculum", sort_order=1)
    category.sort_order = 0
    category.save()
    older = create_thread(member_a, category, title="Older question")["thread"]
    create_thread(member_a, category, title="Newer question")
    reply(member_b, older["id"])  # new activity lifts the older thread to the top
    titles = [item["title"] for item in data(THREADS, user=member_a)["forumThreads"]["items"]]
    assert titles == ["Older question", "Newer question"]
    slugs = [item["slug"] for item in data(CATEGORIES, user=member_a)["forumCategories"]]
    assert slugs == ["crisis-response-in-the-field", "training-and-curriculum", "behavioral-health-partnerships"]
