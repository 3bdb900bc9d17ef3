"""Fixtures for the calendar tests: published events, members, members-only restrictions."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from wagtail.models import PageViewRestriction

from events.factories import TrainingEventPageFactory
from pages.access import MEMBERS_GROUP


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # /calendar/login/ counts attempts per IP and failures per account in the cache
    yield
    cache.clear()


def publish(page):
    """Publish through a revision, as the admin does: sets last_published_at and fires the SEQUENCE handler."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def members_only(page):
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name=MEMBERS_GROUP)])
    return page


@pytest.fixture
def make_event(event_index):
    def make(**fields):
        return publish(TrainingEventPageFactory(parent=event_index, **fields))

    return make


@pytest.fixture
def member(db):
    user = get_user_model().objects.create_user("member-ical", password="pw-for-tests", email="m@example.org")
    user.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    return user
