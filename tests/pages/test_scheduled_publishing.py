"""Scheduled go-live through the real task queue: run_worker enqueues Wagtail's publish_scheduled and runs it."""

import signal
from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import Revision

from events.factories import TrainingEventPageFactory
from events.models import TrainingEventPage

# The worker runs as in production: it commits, claims tasks in its own transactions and calls
# close_old_connections(), which closes a connection held inside a test transaction (on PostgreSQL). So these tests
# use a real transactional database.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def restore_signal_handlers():
    """The worker installs SIGINT/SIGTERM handlers for graceful shutdown; give the test process its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def scheduled_event(wagtail_tree, event_index):
    """A new event approved for publication one hour from now: Wagtail keeps it unpublished until then."""
    event = TrainingEventPageFactory(
        parent=event_index,
        live=False,
        title="Early Diversion",
        start_date=date(2027, 5, 13),
        start_time=time(10, 0),
        end_time=time(11, 30),
        time_zone="America/Chicago",
    )
    event.go_live_at = timezone.now() + timedelta(hours=1)
    revision = event.save_revision()
    revision.publish()
    return TrainingEventPage.objects.get(pk=event.pk), Revision.objects.get(pk=revision.pk)


def pass_time(revision: Revision) -> None:
    """Simulate the go-live time arriving: move it into the past everywhere Wagtail keeps it (the revision's
    approval, the go_live_at inside the revision's content, which publishing re-checks, and the page)."""
    past = timezone.now() - timedelta(seconds=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    TrainingEventPage.objects.filter(pk=revision.object_id).update(go_live_at=past)


def test_future_go_live_is_not_live(scheduled_event):
    event, revision = scheduled_event
    assert not event.live
    assert revision.approved_go_live_at is not None
    assert revision.approved_go_live_at > timezone.now()
    assert event.ical_sequence == 0
    assert event.schedule_fingerprint == ""  # a scheduled publish is not yet a calendar change


def test_worker_does_not_publish_before_the_go_live_time(scheduled_event):
    event, revision = scheduled_event

    call_command("run_worker", "--once")

    assert not TrainingEventPage.objects.get(pk=event.pk).live
    assert Revision.objects.get(pk=revision.pk).approved_go_live_at is not None
    # The scheduled-publishing task did run, through the database queue, and succeeded.
    task_result = DBTaskResult.objects.get(task_path="cms.tasks.publish_scheduled_pages")
    assert task_result.status == "SUCCESSFUL"


def test_worker_publishes_once_the_go_live_time_has_passed(scheduled_event):
    event, revision = scheduled_event
    pass_time(revision)
    assert not TrainingEventPage.objects.get(pk=event.pk).live

    call_command("run_worker", "--once")

    stored = TrainingEventPage.objects.get(pk=event.pk)
    assert stored.live
    assert stored.live_revision_id == revision.pk
    assert Revision.objects.get(pk=revision.pk).approved_go_live_at is None
    assert stored.schedule_fingerprint == stored.compute_schedule_fingerprint()  # the real publish counted
    assert stored.ical_sequence == 0
    assert DBTaskResult.objects.ready().count() == 0


def test_worker_expires_pages_past_their_expiry(wagtail_tree, event_index):
    event = TrainingEventPageFactory(parent=event_index, title="Deflection", start_date=date(2027, 6, 10))
    TrainingEventPage.objects.filter(pk=event.pk).update(expire_at=timezone.now() - timedelta(seconds=1))

    call_command("run_worker", "--once")

    stored = TrainingEventPage.objects.get(pk=event.pk)
    assert not stored.live
    assert stored.expired


def test_scheduled_time_change_of_a_live_event_counts_when_it_goes_live(wagtail_tree, event_index):
    event = TrainingEventPageFactory(
        parent=event_index,
        live=False,
        title="988 Crisis Hotline",
        start_date=date(2027, 5, 13),
        start_time=time(10, 0),
        end_time=time(11, 30),
        time_zone="America/Chicago",
    )
    event.save_revision().publish()
    event = TrainingEventPage.objects.get(pk=event.pk)
    original_start = event.start

    event.start_time = time(13, 0)
    event.end_time = time(14, 30)
    event.go_live_at = timezone.now() + timedelta(hours=1)
    revision = event.save_revision()
    revision.publish()

    waiting = TrainingEventPage.objects.get(pk=event.pk)
    assert waiting.live
    assert waiting.start == original_start  # the live schedule holds until the go-live time
    assert waiting.ical_sequence == 0

    pass_time(Revision.objects.get(pk=revision.pk))
    call_command("run_worker", "--once")

    moved = TrainingEventPage.objects.get(pk=event.pk)
    assert moved.live_revision_id == revision.pk
    assert moved.start == original_start + timedelta(hours=3)
    assert moved.ical_sequence == 1
    assert moved.ical_uid == event.ical_uid
