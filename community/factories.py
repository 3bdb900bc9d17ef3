"""Factories for the member directory, members and TA requests."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from community.models import TA_STAFF_GROUP, Agency, AgencyContact, AgencyType, Member, TaRequest
from pages.access import MEMBERS_GROUP
from pages.models import Topic


class AgencyFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Franklin County Sheriff's Office {n}")
    city = "Columbus"
    state = "OH"
    agency_type = AgencyType.LAW_ENFORCEMENT
    cohort = 2023
    website = "https://sheriff.example.gov"

    class Meta:
        model = Agency


class AgencyContactFactory(factory.django.DjangoModelFactory):
    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Sgt. Jordan Reyes {n}")
    role = "cit_coordinator"
    email = factory.Sequence(lambda n: f"cit{n}@sheriff.example.gov")
    phone = "614-555-0100"

    class Meta:
        model = AgencyContact


class FocusAreaFactory(factory.django.DjangoModelFactory):
    name = "Data collection and analysis"
    slug = "data-collection-and-analysis"
    kind = Topic.Kind.TECHNICAL_ASSISTANCE

    class Meta:
        model = Topic
        django_get_or_create = ("slug",)


def member_user(username: str, *, agency: Agency | None = None, password: str = "a-Long-pass-phrase-42"):  # noqa: S107 - test users only
    """An active user in the CoP Members group, linked to `agency` when given."""
    user = get_user_model().objects.create_user(
        username, email=f"{username}@agency.example.gov", password=password, first_name=username.title()
    )
    user.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    if agency is not None:
        Member.objects.create(user=user, agency=agency)
    return user


def ta_staff_user(username: str, *, password: str = "a-Long-pass-phrase-42"):  # noqa: S107 - test users only
    """An active TA staff account: in the TA staff group, not a superuser (the group grants admin access)."""
    user = get_user_model().objects.create_user(
        username, email=f"{username}@ncpi.example.org", password=password, first_name=username.title()
    )
    user.groups.add(Group.objects.get(name=TA_STAFF_GROUP))
    return user


class TaRequestFactory(factory.django.DjangoModelFactory):
    agency = factory.SubFactory(AgencyFactory)
    focus_area = factory.SubFactory(FocusAreaFactory)
    description = "We want to measure CIT call outcomes; help us set up data collection with our 911 center."

    class Meta:
        model = TaRequest
