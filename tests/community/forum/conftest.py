"""Forum fixtures: members (CoP Members, with full names), a forum moderator, an editor, a category.

The cache (posting and report limits) is cleared around every test by tests/community/conftest.py."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from community.forum.factories import ForumCategoryFactory, MemberFactory
from community.forum.permissions import FORUM_MODERATORS
from pages.editorial import EDITORS


@pytest.fixture
def member_a(db):
    return MemberFactory(username="ana", first_name="Ana", last_name="Ruiz", email="ana@pd.example.org")


@pytest.fixture
def member_b(db):
    return MemberFactory(username="ben", first_name="Ben", last_name="Okafor", email="ben@pd.example.org")


@pytest.fixture
def outsider(db):
    """Signed in, but not a Community of Practice member."""
    return get_user_model().objects.create_user("pat", "pat@partner.example.org", "x", first_name="Pat")


@pytest.fixture
def forum_moderator(db):
    user = get_user_model().objects.create_user("fmod", "fmod@ncpi.example.org", "x", first_name="Fran")
    user.groups.add(Group.objects.get(name=FORUM_MODERATORS))
    return user


@pytest.fixture
def plain_editor(db):
    user = get_user_model().objects.create_user("ed", "ed@ncpi.example.org", "x", first_name="Ed")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def category(db):
    return ForumCategoryFactory(name="Crisis response in the field", slug="crisis-response-in-the-field")
