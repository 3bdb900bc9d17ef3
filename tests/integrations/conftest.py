"""Fixtures for the webhook tests: a verifying receiver on 127.0.0.1 and a quick way to run the real worker."""

import signal

import pytest
from django.core.management import call_command

from integrations.webhooks import services
from tests.integrations.webhook_receiver import start_receiver, stop_receiver
from tests.pages.test_workflow import editor, moderator  # noqa: F401 - the workflow's users, as fixtures


@pytest.fixture
def receiver():
    server = start_receiver()
    yield server
    stop_receiver(server)


@pytest.fixture
def subscribe(receiver):
    """An endpoint for the receiver, its secret registered with the receiver for verification."""

    def make(events=("*",), **kwargs):
        endpoint = services.endpoint_create(url=receiver.url, event_types=list(events), **kwargs)
        receiver.secrets.append(endpoint.secret)
        return endpoint

    return make


@pytest.fixture
def restore_signal_handlers():
    """The worker installs SIGINT/SIGTERM handlers for graceful shutdown; give the test process its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def run_worker(restore_signal_handlers):
    """Run the project's worker until its queue is empty (transactional tests only: it commits)."""

    def run():
        call_command("run_worker", "--once")

    return run


@pytest.fixture
def fast_retries(settings):
    settings.WEBHOOKS_RETRY_SCHEDULE = [0, 0, 0, 0, 0]
