"""Fixtures for the Online Resource Center: an agency with contacts, a member of it, focus areas, tokens."""

import pytest
from django.core.cache import cache

from community.factories import AgencyContactFactory, AgencyFactory, FocusAreaFactory, member_user
from integrations.graphql.services import api_token_create
from tests.integrations.conftest import run_worker, subscribe  # noqa: F401 - the webhook fixtures

# autouse: gives each test back the signal handlers the worker replaces
from tests.pages.test_scheduled_publishing import restore_signal_handlers  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # sign-in, invitation and GraphQL counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def agency(db):
    agency = AgencyFactory(name="Franklin County Sheriff's Office", city="Columbus", state="OH", cohort=2023)
    AgencyContactFactory(agency=agency, name="Sgt. Dana Ortiz", email="dortiz@sheriff.example.gov")
    return agency


@pytest.fixture
def focus_area(db):
    return FocusAreaFactory()


@pytest.fixture
def member(agency):
    return member_user("dortiz", agency=agency)


@pytest.fixture
def token_for():
    def make(user) -> str:
        return api_token_create(user=user, name="test")[1]

    return make
