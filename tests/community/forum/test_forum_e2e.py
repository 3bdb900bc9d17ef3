"""End to end through a running server with real bearer tokens: two members hold a discussion, a forum moderator
moderates it in the admin, and the moderation shows in GraphQL; a non-member token, an expired token and an
anonymous caller each get a clear error and no forum data from any forum query or mutation."""

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.forum.models import ForumPost, ForumReport, ForumThread, ModerationAction
from integrations.graphql.services import api_token_create

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Co-response after midnight: who covers?"
OPENING = "<p>Our clinicians go home at 11 pm. How do other agencies cover overnight crisis calls?</p>"

CREATE_THREAD = """
mutation ($input: CreateForumThreadInput!) {
  createForumThread(input: $input) { thread { id title author { name } } errors { field message code } }
}"""
REPLY = """
mutation ($input: CreateForumReplyInput!) {
  createForumReply(input: $input) { post { id bodyHtml author { name } } errors { field message code } }
}"""
EDIT = """
mutation ($id: ID!, $input: EditForumPostInput!) {
  editForumPost(id: $id, input: $input) { post { id bodyHtml editedAt } errors { field message code } }
}"""
REPORT = """
mutation ($id: ID!, $reason: String!) { reportForumPost(id: $id, reason: $reason) { ok errors { field code } } }"""
THREAD = """
query ($id: ID!) {
  forumThread(id: $id) { title locked replyCount posts { items { id bodyHtml author { name } } } }
}"""
THREADS = "{ forumThreads { items { id title replyCount lastPost { bodyHtml } } pagination { total } } }"
CATEGORIES = "{ forumCategories { name slug threadCount } }"


def call(base: str, token: str | None, query: str, **variables) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables}).encode()
    assert base.startswith(("http://localhost:", "http://127.0.0.1:"))
    request = urllib.request.Request(base + "/graphql/", body, headers)  # noqa: S310 (the live server, checked)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def mutate(base, token, query, **variables) -> dict:
    status, payload = call(base, token, query, **variables)
    assert status == 200 and "errors" not in payload, payload
    return next(iter(payload["data"].values()))


def moderate(client: Client, viewset: str, action: str, pk: int, reason: str) -> None:
    response = client.post(reverse(f"{viewset}:{action}", args=[pk]), {"reason": reason})
    assert response.status_code == 302


@pytest.fixture
def forum(wagtail_tree, member_a, member_b, outsider, forum_moderator, category):
    # A member's own token, expired: membership does not outlive the token.
    expired = api_token_create(user=member_a, name="old laptop", expires_at=timezone.now() - timedelta(minutes=1))[1]
    return {
        "ana": api_token_create(user=member_a, name="Ana's agency site")[1],
        "ben": api_token_create(user=member_b, name="Ben's agency site")[1],
        "outsider": api_token_create(user=outsider, name="Partner site")[1],
        "expired": expired,
    }


def test_discussion_with_moderation_through_the_running_server(live_server, forum, forum_moderator):
    base, ana, ben = live_server.url, forum["ana"], forum["ben"]

    created = mutate(
        base, ana, CREATE_THREAD, input={"category": "crisis-response-in-the-field", "title": TITLE, "body": OPENING}
    )
    assert created["errors"] == []
    thread_id = created["thread"]["id"]
    assert created["thread"]["author"] == {"name": "Ana Ruiz"}

    answer = mutate(
        base,
        ben,
        REPLY,
        input={
            "threadId": thread_id,
            "body": '<p>We use the <a href="https://988lifeline.org/">988</a> mobile team.</p>',
        },
    )
    assert answer["errors"] == []
    assert answer["post"]["bodyHtml"] == (
        '<p>We use the <a href="https://988lifeline.org/" rel="nofollow ugc noopener">988</a> mobile team.</p>'
    )

    opening_id = str(ForumPost.objects.get(is_opening=True).pk)
    edited = mutate(base, ana, EDIT, id=opening_id, input={"body": OPENING + "<p>Rural county, 3 officers.</p>"})
    assert edited["errors"] == [] and edited["post"]["editedAt"]
    refused = mutate(base, ben, EDIT, id=opening_id, input={"body": "<p>defaced</p>"})
    assert refused["errors"] == [{"field": "id", "message": "You can only edit your own posts.", "code": "forbidden"}]

    assert mutate(base, ben, REPORT, id=opening_id, reason="Names a caller") == {"ok": True, "errors": []}
    report = ForumReport.objects.get()
    assert report.status == ForumReport.Status.OPEN

    moderator = Client()
    moderator.force_login(forum_moderator)
    assert "Names a caller" in moderator.get(reverse("forum_reports:index")).content.decode()
    moderate(moderator, "forum_posts", "hide_post", int(opening_id), "Caller's name in the post")
    report.refresh_from_db()
    assert report.status == ForumReport.Status.RESOLVED  # hiding the post resolved its report
    moderate(moderator, "forum_reports", "resolve_report", report.pk, "Hidden")  # resolving again changes nothing
    for token in (ana, ben):
        _, shown = call(base, token, THREAD, id=thread_id)
        bodies = [post["bodyHtml"] for post in shown["data"]["forumThread"]["posts"]["items"]]
        assert bodies == [answer["post"]["bodyHtml"]]  # the hidden opening post is gone for everyone

    moderate(moderator, "forum_threads", "lock_thread", int(thread_id), "Answered")
    locked = mutate(base, ben, REPLY, input={"threadId": thread_id, "body": "<p>one more thing</p>"})
    assert locked == {
        "post": None,
        "errors": [
            {"field": "threadId", "message": "This thread is locked: it takes no new replies.", "code": "locked"}
        ],
    }
    _, shown = call(base, ana, THREAD, id=thread_id)
    assert shown["data"]["forumThread"]["locked"] is True

    response = moderator.post(
        reverse("forum_bans:add"),
        {"member": ForumPost.objects.get(is_opening=False).author_id, "reason": "Off-topic adverts", "expires_at": ""},
    )
    assert response.status_code == 302
    status, banned = call(
        base,
        ben,
        CREATE_THREAD,
        input={"category": "crisis-response-in-the-field", "title": "Training discount", "body": "<p>buy</p>"},
    )
    assert status == 200
    assert banned["errors"] == [
        {
            "message": "You are banned from posting in the forum. Reason: Off-topic adverts",
            "locations": [{"line": 3, "column": 3}],
            "path": ["createForumThread"],
            "extensions": {"code": "BANNED"},
        }
    ]
    assert ForumThread.objects.count() == 1

    actions = list(ModerationAction.objects.order_by("id").values_list("action", "actor__username"))
    assert actions == [
        ("hide_post", "fmod"),
        ("resolve_report", "fmod"),
        ("lock_thread", "fmod"),
        ("ban_member", "fmod"),
    ]


EVERY_FORUM_OPERATION = [
    (CATEGORIES, {}),
    (THREADS, {}),
    (THREAD, {"id": "THREAD"}),
    (REPLY, {"input": {"threadId": "THREAD", "body": "<p>x</p>"}}),
    (REPORT, {"id": "POST", "reason": "x"}),
    (EDIT, {"id": "POST", "input": {"body": "<p>x</p>"}}),
    (CREATE_THREAD, {"input": {"category": "crisis-response-in-the-field", "title": "x", "body": "<p>x</p>"}}),
]


def test_outsiders_get_clear_errors_and_no_forum_data(live_server, forum):
    base = live_server.url
    thread = mutate(
        base,
        forum["ana"],
        CREATE_THREAD,
        input={"category": "crisis-response-in-the-field", "title": TITLE, "body": OPENING},
    )["thread"]
    post_id = str(ForumPost.objects.get().pk)
    for query, variables in EVERY_FORUM_OPERATION:
        variables = json.loads(
            json.dumps(variables).replace('"THREAD"', f'"{thread["id"]}"').replace('"POST"', f'"{post_id}"')
        )
        # The view answers 400 when the error leaves no data at all (a required root field), 200 otherwise.
        status, anonymous = call(base, None, query, **variables)
        assert status == (400 if anonymous["data"] is None else 200)
        assert [error["extensions"]["code"] for error in anonymous["errors"]] == ["UNAUTHENTICATED"]
        assert anonymous["errors"][0]["message"] == "Sign in first: send 'Authorization: Bearer <token>'."

        status, outsider = call(base, forum["outsider"], query, **variables)
        assert status == (400 if outsider["data"] is None else 200)
        assert [error["extensions"]["code"] for error in outsider["errors"]] == ["FORBIDDEN"]
        assert outsider["errors"][0]["message"] == "Only Community of Practice members can see or do this."

        status, expired = call(base, forum["expired"], query, **variables)
        assert status == 401
        assert expired == {"errors": [{"message": "This token has expired."}]}

        for payload in (anonymous, outsider, expired):
            text = json.dumps(payload.get("data"))
            assert TITLE not in text and "clinicians" not in text and "Ana" not in text
            assert not any(value for value in (payload.get("data") or {}).values())
    assert ForumThread.objects.count() == 1
    assert ForumPost.objects.count() == 1
    assert not ForumReport.objects.exists()
