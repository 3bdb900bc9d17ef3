"""Who sees which events: members-only events are listed for CoP members only, drafts for nobody."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import PageViewRestriction

from events.factories import TrainingEventPageFactory
from events.selectors import upcoming_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(event_index):
    public = TrainingEventPageFactory(parent=event_index, title="Deflection for Patrol")
    members_only = TrainingEventPageFactory(parent=event_index, title="CoP Quarterly Meeting")
    restriction = PageViewRestriction.objects.create(page=members_only, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name="CoP Members")])
    partners_only = TrainingEventPageFactory(parent=event_index, title="Partner Briefing")
    restriction = PageViewRestriction.objects.create(page=partners_only, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name="Partners")])
    password = TrainingEventPageFactory(parent=event_index, title="Password Event")
    PageViewRestriction.objects.create(page=password, restriction_type=PageViewRestriction.PASSWORD, password="x")
    TrainingEventPageFactory(parent=event_index, title="Unpublished Draft", live=False)
    past_date = (timezone.now() - timedelta(days=10)).date()
    TrainingEventPageFactory(parent=event_index, title="Last Month", start_date=past_date)
    return public


def user_in(group_name: str | None):
    user = get_user_model().objects.create_user(f"user-{group_name}", password="pw")
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


def titles(queryset) -> set[str]:
    return set(queryset.values_list("title", flat=True))


def test_anonymous_callers_see_public_upcoming_events_only(events):
    assert titles(upcoming_events(user=None)) == {"Deflection for Patrol"}


def test_signed_in_non_members_see_no_more_than_anonymous(events):
    assert titles(upcoming_events(user=user_in(None))) == {"Deflection for Patrol"}
    assert titles(upcoming_events(user=user_in("Editors"))) == {"Deflection for Patrol"}


def test_members_also_see_members_only_events(events):
    assert titles(upcoming_events(user=user_in("CoP Members"))) == {"Deflection for Patrol", "CoP Quarterly Meeting"}


def test_inactive_member_is_treated_as_anonymous(events):
    member = user_in("CoP Members")
    member.is_active = False
    member.save()
    assert titles(upcoming_events(user=member)) == {"Deflection for Patrol"}


def test_event_index_page_lists_by_the_same_rule(events, event_index, client):
    anonymous = client.get(event_index.url).content.decode()
    assert "Deflection for Patrol" in anonymous
    assert "CoP Quarterly Meeting" not in anonymous
    client.force_login(user_in("CoP Members"))
    member = client.get(event_index.url).content.decode()
    assert "CoP Quarterly Meeting" in member
    assert "Partner Briefing" not in member
    assert "Unpublished Draft" not in member
