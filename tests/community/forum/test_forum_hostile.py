"""Hostile input through the real /graphql/ view with real bearer tokens: script and event-handler HTML, a 1 MB
post, posting 100 times a minute, editing someone else's post. Each is refused clearly or made harmless, and nothing
refused is ever stored."""

import json
from unittest import mock

import pytest

from community.forum.factories import ForumThreadFactory
from community.forum.models import ForumPost, ForumReport, ForumThread

pytestmark = pytest.mark.django_db

CREATE_THREAD = """
mutation ($input: CreateForumThreadInput!) {
  createForumThread(input: $input) { thread { id posts { items { id bodyHtml } } } errors { field message code } }
}"""
REPLY = """
mutation ($input: CreateForumReplyInput!) {
  createForumReply(input: $input) { post { id bodyHtml } errors { field message code } }
}"""
EDIT = """
mutation ($id: ID!, $input: EditForumPostInput!) {
  editForumPost(id: $id, input: $input) { post { id bodyHtml } errors { field message code } }
}"""
REPORT = """
mutation ($id: ID!, $reason: String!) { reportForumPost(id: $id, reason: $reason) { ok errors { field code } } }"""


def call(client, bearer, query, **variables):
    body = json.dumps({"query": query, "variables": variables})
    return client.post("/graphql/", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {bearer}")


def mutate(client, bearer, query, **variables) -> dict:
    response = call(client, bearer, query, **variables)
    assert response.status_code == 200, response.content
    payload = response.json()
    assert "errors" not in payload, payload
    return next(iter(payload["data"].values()))


def create_thread(client, bearer, category: str, title: str, body: str) -> dict:
    return mutate(client, bearer, CREATE_THREAD, input={"category": category, "title": title, "body": body})


@pytest.fixture
def ana(member_a, token_for):
    return token_for(member_a)


@pytest.fixture
def ben(member_b, token_for):
    return token_for(member_b)


@pytest.fixture
def thread_id(client, ana, category):
    created = create_thread(client, ana, category.slug, "988 warm handoffs", "<p>How do you hand off to 988?</p>")
    return created["thread"]["id"]


SANITISED = [
    ("<script>alert(document.cookie)</script><p>ok</p>", "<p>ok</p>"),
    ('<p onclick="steal()">hi</p>', "<p>hi</p>"),
    ("<p>see <img src=x onerror=alert(1)></p>", "<p>see </p>"),
    ("<svg><g onload=alert(1)></g></svg><p>after</p>", "<p>after</p>"),
    ('<iframe src="https://evil.example"></iframe><p>x</p>', "<p>x</p>"),
    ("<style>body{display:none}</style><p>x</p>", "<p>x</p>"),
    ('<p style="background:url(javascript:alert(1))">x</p>', "<p>x</p>"),
    ('<a href="javascript:alert(1)">click</a>', '<a rel="nofollow ugc noopener">click</a>'),
    ('<a href=" JaVaScRiPt:alert(1)">click</a>', '<a rel="nofollow ugc noopener">click</a>'),
    ('<a href="data:text/html,<script>alert(1)</script>">d</a>', '<a rel="nofollow ugc noopener">d</a>'),
    ('<a href="//evil.example/login">rel</a>', '<a rel="nofollow ugc noopener">rel</a>'),
    (
        '<a href="https://www.citinternational.org/" target="_blank" rel="opener" onmouseover="x()">CIT</a>',
        '<a href="https://www.citinternational.org/" rel="nofollow ugc noopener">CIT</a>',
    ),
    (
        '<a href="mailto:ta@ncpi.example.org">TA desk</a>',
        '<a href="mailto:ta@ncpi.example.org" rel="nofollow ugc noopener">TA desk</a>',
    ),
    (
        "<blockquote><p><strong>Tip</strong>: <em>ask</em> <code>988</code></p></blockquote><ul><li>a</li></ul>",
        "<blockquote><p><strong>Tip</strong>: <em>ask</em> <code>988</code></p></blockquote><ul><li>a</li></ul>",
    ),
]


@pytest.mark.parametrize(("body", "stored"), SANITISED)
def test_script_and_event_handler_html_in_posts_is_made_harmless(client, ana, thread_id, body, stored):
    result = mutate(client, ana, REPLY, input={"threadId": thread_id, "body": body})
    assert result["errors"] == []
    assert result["post"]["bodyHtml"] == stored
    assert ForumPost.objects.get(pk=result["post"]["id"]).body_html == stored


def test_markup_in_titles_is_refused(client, ana, category):
    result = create_thread(client, ana, category.slug, "<script>alert(1)</script>Help", "<p>x</p>")
    assert result["errors"] == [
        {"field": "title", "message": "Titles are plain text: remove the HTML.", "code": "invalid"}
    ]
    assert not ForumThread.objects.exists()


def test_a_1_mb_post_is_refused_by_the_view_and_never_stored(client, ana, thread_id):
    megabyte = "<p>" + "a" * (1024 * 1024) + "</p>"
    response = call(client, ana, REPLY, input={"threadId": thread_id, "body": megabyte})
    assert response.status_code == 413
    assert response.json() == {"errors": [{"message": "Request body too large: the limit is 65536 bytes."}]}
    assert ForumPost.objects.count() == 1  # the opening post only


def test_a_post_over_the_size_limit_but_under_the_body_cap_gets_a_field_error(client, ana, thread_id):
    long_post = "<p>" + "Deflection works. " * 2000 + "</p>"  # 36,000 characters: under 64 KB, over 20,000
    result = mutate(client, ana, REPLY, input={"threadId": thread_id, "body": long_post})
    assert result["post"] is None
    assert result["errors"][0]["field"] == "body"
    assert result["errors"][0]["code"] == "max_length"
    assert ForumPost.objects.count() == 1


def test_posting_100_times_a_minute_most_refused_none_lost_silently(client, ben, thread_id, settings):
    settings.FORUM_POST_RATE_LIMIT = 10
    accepted, refused = [], []
    with mock.patch("cms.ratelimit.time.time", return_value=1_800_000_000.0):  # one window
        for n in range(100):
            result = mutate(client, ben, REPLY, input={"threadId": thread_id, "body": f"<p>spam {n}</p>"})
            if result["post"]:
                assert result["errors"] == []
                accepted.append(result["post"]["id"])
            else:
                assert [error["code"] for error in result["errors"]] == ["RATE_LIMITED"]
                assert "You are posting too fast: at most 10 per 60 s" in result["errors"][0]["message"]
                refused.append(n)
    assert len(accepted) == 10
    assert len(refused) == 90
    stored = set(ForumPost.objects.filter(is_opening=False).values_list("pk", flat=True))
    assert stored == {int(pk) for pk in accepted}
    # the next window lets the member post again
    with mock.patch("cms.ratelimit.time.time", return_value=1_800_000_060.0):
        assert mutate(client, ben, REPLY, input={"threadId": thread_id, "body": "<p>later</p>"})["errors"] == []


def test_editing_someone_elses_post_is_refused(client, ben, thread_id):
    opening = ForumPost.objects.get()
    result = mutate(client, ben, EDIT, id=str(opening.pk), input={"body": "<p>defaced</p>"})
    assert result == {
        "post": None,
        "errors": [{"field": "id", "message": "You can only edit your own posts.", "code": "forbidden"}],
    }
    opening.refresh_from_db()
    assert opening.body_html == "<p>How do you hand off to 988?</p>"


def test_an_overlong_report_is_refused(client, ben, thread_id):
    opening = ForumPost.objects.get()
    result = mutate(client, ben, REPORT, id=str(opening.pk), reason="x" * 1001)
    assert result == {"ok": False, "errors": [{"field": "reason", "code": "max_length"}]}
    assert not ForumReport.objects.exists()


def test_nul_characters_are_refused_not_500s(client, ana, ben, thread_id, category):
    opening = ForumPost.objects.get()
    assert mutate(client, ben, REPORT, id=str(opening.pk), reason="spam\x00")["errors"] == [
        {"field": "reason", "code": "invalid"}
    ]
    created = create_thread(client, ana, "x\x00", "t", "<p>b</p>")
    assert created["errors"][0]["code"] == "not_found"
    empty = mutate(client, ana, REPLY, input={"threadId": thread_id, "body": "\x00"})
    assert empty["errors"][0]["code"] == "required"
    response = call(client, ana, "query ($c: String) { forumThreads(category: $c) { pagination { total } } }", c="\x00")
    assert response.json() == {"data": {"forumThreads": {"pagination": {"total": 0}}}}


def test_reporting_every_post_in_sight_is_rate_limited(client, ana, ben, member_a, category, settings):
    settings.FORUM_REPORT_RATE_LIMIT = 3
    posts = [ForumThreadFactory(category=category, author=member_a).posts.get() for _ in range(5)]
    with mock.patch("cms.ratelimit.time.time", return_value=1_800_000_000.0):
        results = [mutate(client, ben, REPORT, id=str(post.pk), reason="spam") for post in posts]
        again = mutate(client, ben, REPORT, id=str(posts[0].pk), reason="spam")  # a repeat costs nothing
    assert [result["ok"] for result in results] == [True, True, True, False, False]
    assert results[3]["errors"] == [{"field": "__all__", "code": "RATE_LIMITED"}]
    assert again == {"ok": True, "errors": []}
    assert ForumReport.objects.count() == 3
