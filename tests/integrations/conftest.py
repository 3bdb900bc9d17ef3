"""Fixtures for the webhook tests: a verifying receiver on 127.0.0.1 and a quick way to run the real worker."""

from datetime import date, time

import pytest
from django.core.management import call_command

from events.factories import TrainingEventPageFactory
from integrations.webhooks import services

# autouse: gives each test back the signal handlers the worker replaces
from tests.pages.test_scheduled_publishing import restore_signal_handlers  # noqa: F401
from tests.pages.test_workflow import editor, moderator  # noqa: F401 - the workflow's users, as fixtures


@pytest.fixture
def subscribe(receiver):
    """An endpoint for the receiver, its secret registered with the receiver for verification."""

    def make(events=("*",), **kwargs):
        endpoint = services.endpoint_create(url=receiver.url, event_types=list(events), **kwargs)
        receiver.secrets.append(endpoint.secret)
        return endpoint

    return make


@pytest.fixture
def run_worker():
    """Run the project's worker until its queue is empty (transactional tests only: it commits)."""

    def run():
        call_command("run_worker", "--once")

    return run


@pytest.fixture
def fast_retries(settings):
    settings.WEBHOOKS_RETRY_SCHEDULE = [0, 0, 0, 0, 0]


@pytest.fixture
def draft_event(wagtail_tree, event_index):
    """A never-published training event."""
    return TrainingEventPageFactory(
        parent=event_index,
        live=False,
        title="Youth in Suicide Crisis",
        slug="youth-in-suicide-crisis",
        start_date=date(2027, 4, 8),
        start_time=time(13, 0),
        end_time=time(14, 30),
        time_zone="America/Denver",
    )
