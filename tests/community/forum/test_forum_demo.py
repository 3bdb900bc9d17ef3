"""The demo command seeds the forum: four categories, threads with replies by named members, idempotently."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from community.forum.models import ForumCategory, ForumPost, ForumThread
from community.forum.permissions import can_moderate
from tests.integrations.graphql.helpers import data

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", "--allow-production", verbosity=0)


def test_seeds_the_forum_once_and_members_see_it():
    seed()
    counts = (ForumCategory.objects.count(), ForumThread.objects.count(), ForumPost.objects.count())
    seed()
    assert (ForumCategory.objects.count(), ForumThread.objects.count(), ForumPost.objects.count()) == counts
    assert counts[0] == 5 and counts[1] >= 5 and counts[2] > counts[1]

    users = get_user_model().objects
    threads = data("{ forumThreads { items { title replyCount author { name } } } }", user=users.get(username="member"))
    items = threads["forumThreads"]["items"]
    assert len(items) == counts[1]  # `member` is a CIT coordinator: the restricted category's thread too
    assert all(item["replyCount"] >= 1 for item in items)
    assert {item["author"]["name"] for item in items} <= {"Dana Morales", "James Okafor", "Lin Chen", "Rae Whitehorse"}
    assert can_moderate(users.get(username="moderator"))
    assert not can_moderate(users.get(username="editor"))


def test_the_coordinators_corner_is_restricted():
    seed()
    users = get_user_model().objects
    corner = ForumCategory.objects.get(slug="coordinators-corner")
    assert [group.name for group in corner.restricted_to.all()] == ["CIT coordinators"]
    assert corner.threads.count() == 1
    query = '{ forumCategories { slug restricted } forumSearch(text: "instructors") { pagination { total } } }'
    coordinator = data(query, user=users.get(username="member"))
    assert {"slug": "coordinators-corner", "restricted": True} in coordinator["forumCategories"]
    assert coordinator["forumSearch"]["pagination"]["total"] >= 1
    other = data(query, user=users.get(username="tulsa"))
    assert "coordinators-corner" not in str(other["forumCategories"]) and len(other["forumCategories"]) == 4
    assert other["forumSearch"]["pagination"]["total"] == 0
