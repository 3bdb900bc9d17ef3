"""Fixtures shared by the GraphQL tests."""

import pytest
from django.core.cache import cache as default_cache


@pytest.fixture
def no_rate_limits(settings):
    """Rate limits off (and their counters gone), for tests that send many requests to test something else."""
    settings.GRAPHQL_RATE_LIMIT_ANONYMOUS = settings.GRAPHQL_RATE_LIMIT_TOKEN = 0
    default_cache.clear()
