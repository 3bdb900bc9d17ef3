"""End to end: content changes through Wagtail → outbox → the real worker → a real receiver that verifies every
request with the `standardwebhooks` library."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import PageViewRestriction, Revision, WorkflowState

from events.factories import EventIndexPageFactory, TrainingEventPageFactory
from events.models import TrainingEventPage
from integrations.webhooks import services
from integrations.webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, OutboxMessage
from tests.integrations.webhooks.receiver import start_receiver, stop_receiver
from tests.pages.test_scheduled_publishing import pass_time
from tests.pages.test_workflow import act, submit

# The worker commits and closes connections between tasks, so these tests use a real transactional database.
pytestmark = pytest.mark.django_db(transaction=True)


def publish(page) -> TrainingEventPage:
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def test_publish_through_the_workflow_delivers_a_verified_event_published(
    draft_event, editor, moderator, subscribe, receiver, run_worker
):
    subscribe(events=["event.*"])
    state = act(act(submit(draft_event, editor), moderator, "approve"), moderator, "approve")
    assert state.status == WorkflowState.STATUS_APPROVED

    run_worker()

    [request] = receiver.verified()
    assert request.headers["webhook-id"].startswith("msg_")
    assert request.headers["content-type"] == "application/json"
    body = request.payload
    assert body["type"] == "event.published"
    data = body["data"]
    assert data["id"] == draft_event.pk
    assert data["typename"] == "TrainingEventPage"
    assert data["slug"] == "youth-in-suicide-crisis"
    assert data["title"] == "Youth in Suicide Crisis"
    assert data["url"].startswith("https://cms.example.org/")
    assert data["timeZone"] == "America/Denver"
    assert data["status"] == "scheduled"
    assert len(request.body) < 20_000
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_update_cancel_unpublish_and_delete_each_send_their_type(draft_event, subscribe, receiver, run_worker):
    subscribe(events=["*"])
    event = publish(draft_event)
    event.summary = "Moved to the afternoon."
    event = publish(event)
    event.status = "cancelled"
    event = publish(event)
    event.unpublish()
    publish(TrainingEventPage.objects.get(pk=event.pk))
    TrainingEventPage.objects.get(pk=event.pk).delete()

    run_worker()

    types = [request.payload["type"] for request in receiver.verified()]
    assert types == [
        "event.published",
        "event.updated",
        "event.cancelled",
        "event.unpublished",
        "event.published",
        "event.deleted",
    ]


def test_subscriptions_filter_by_type_and_wildcard(draft_event, subscribe, receiver, run_worker):
    only_deletes = subscribe(events=["*.deleted"])
    publish(draft_event)
    run_worker()
    assert receiver.received == []
    assert not Delivery.objects.filter(endpoint=only_deletes).exists()


def test_drafts_and_future_go_live_send_nothing(draft_event, subscribe, receiver, run_worker):
    subscribe(events=["*"])
    draft_event.save_revision()  # a draft revision
    draft_event.go_live_at = draft_event.start
    draft_event.save_revision().publish()  # scheduled: not live yet
    run_worker()
    assert receiver.received == []
    assert not OutboxMessage.objects.exists()


def test_rolled_back_publish_sends_nothing(draft_event, subscribe, receiver, run_worker):
    subscribe(events=["*"])

    class Abort(Exception):
        pass

    written = []

    def publish_then_fail():
        with transaction.atomic():
            draft_event.save_revision().publish()
            written.append(OutboxMessage.objects.count())
            raise Abort

    with pytest.raises(Abort):
        publish_then_fail()

    assert written == [1]  # the event was written in the publish's transaction...

    run_worker()
    assert not OutboxMessage.objects.exists()  # ...and gone with it
    assert receiver.received == []


def test_deleting_a_subtree_sends_one_deleted_per_live_page(event_index, subscribe, receiver, run_worker):
    subscribe(events=["*.deleted"])
    event_index = publish(event_index)
    events = [publish(TrainingEventPageFactory(parent=event_index, live=False, title=f"Session {n}")) for n in range(3)]
    TrainingEventPageFactory(parent=event_index, live=False, title="Never published")
    TrainingEventPageFactory(parent=event_index, title="Made live without a publish")  # never announced either

    event_index.delete()
    run_worker()

    deleted = sorted((r.payload["type"], r.payload["data"]["id"]) for r in receiver.verified())
    assert deleted == sorted([("page.deleted", event_index.pk)] + [("event.deleted", event.pk) for event in events])


def test_members_only_content_reaches_public_endpoints_as_id_and_type_only(
    draft_event, subscribe, receiver, run_worker
):
    public = subscribe(events=["*"], audience="public")
    trusted = subscribe(events=["*"], audience="trusted")
    PageViewRestriction.objects.create(page=draft_event, restriction_type=PageViewRestriction.LOGIN)
    publish(draft_event)
    run_worker()

    by_endpoint = {
        Delivery.objects.get(message__type="event.published", endpoint=endpoint).pk: endpoint
        for endpoint in (public, trusted)
    }
    assert len(by_endpoint) == 2
    bodies = {request.headers["webhook-signature"]: request.payload for request in receiver.verified()}
    payloads = sorted(bodies.values(), key=lambda payload: len(payload["data"]))
    assert payloads[0]["data"] == {"id": draft_event.pk, "typename": "TrainingEventPage"}
    assert payloads[1]["data"]["title"] == "Youth in Suicide Crisis"
    assert payloads[0]["type"] == payloads[1]["type"] == "event.published"


def test_500_three_times_then_200_is_delivered_with_the_same_webhook_id(
    draft_event, subscribe, receiver, run_worker, fast_retries
):
    receiver.script = [500, 500, 500, 200]
    subscribe(events=["event.published"])
    publish(draft_event)

    run_worker()

    requests = receiver.verified()
    assert len(requests) == 4
    assert len({request.headers["webhook-id"] for request in requests}) == 1
    assert len({request.body for request in requests}) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 4
    statuses = list(DeliveryAttempt.objects.order_by("attempted_at").values_list("response_status", flat=True))
    assert statuses == [500, 500, 500, 200]


def test_retries_wait_on_the_schedule(draft_event, subscribe, receiver, run_worker):
    receiver.script = [500]
    subscribe(events=["event.published"])
    publish(draft_event)
    run_worker()

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    wait = (delivery.next_attempt_at - DeliveryAttempt.objects.get().attempted_at).total_seconds()
    assert 4.4 <= wait <= 5.6  # the second attempt is 5 s later, with jitter
    assert len(receiver.received) == 1


def test_redirect_is_a_failure_and_is_never_followed(draft_event, subscribe, receiver, run_worker, settings):
    settings.WEBHOOKS_RETRY_SCHEDULE = [0]
    receiver.script = ["redirect"]
    subscribe(events=["*"])
    publish(draft_event)
    run_worker()

    assert len(receiver.received) == 1  # nothing went to /elsewhere
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "307" in delivery.last_error
    assert "not followed" in DeliveryAttempt.objects.get().error


def test_410_disables_the_endpoint_and_tells_its_owner(draft_event, subscribe, receiver, run_worker):
    receiver.script = [410]
    endpoint = subscribe(events=["*"], owner_email="webteam@citinternational.example")
    publish(draft_event)
    run_worker()

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "410" in endpoint.disabled_reason
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    assert [message.to for message in mail.outbox] == [["webteam@citinternational.example"]]


def test_a_hanging_receiver_is_cut_off_at_the_deadline(draft_event, subscribe, receiver, run_worker, settings):
    settings.WEBHOOKS_RETRY_SCHEDULE = [0]
    settings.WEBHOOKS_DEADLINE_SECONDS = 1.0
    receiver.script = ["hang"]
    subscribe(events=["*"])
    publish(draft_event)
    run_worker()

    attempt = DeliveryAttempt.objects.get()
    assert not attempt.succeeded
    assert "deadline" in attempt.error
    assert attempt.duration_ms < 1000 + 5000


def test_a_receiver_slower_than_the_connect_timeout_but_within_the_deadline_succeeds(
    draft_event, subscribe, receiver, run_worker, settings
):
    """The partner that answered in 7 s (connect timeout 5 s, deadline 15 s), scaled down: only connecting is held
    to the connect timeout; the answer may take the rest of the deadline."""
    settings.WEBHOOKS_CONNECT_TIMEOUT_SECONDS = 0.5
    settings.WEBHOOKS_DEADLINE_SECONDS = 5.0
    receiver.delay = 1.5
    subscribe(events=["*"])
    publish(draft_event)
    run_worker()

    attempt = DeliveryAttempt.objects.get()
    assert attempt.succeeded, attempt.error
    assert attempt.response_status == 200
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


@pytest.mark.parametrize("mode", ["drip", "drip-close", "drip-http10"])
def test_a_slow_drip_cannot_hold_the_worker_past_the_deadline(
    mode, draft_event, subscribe, receiver, run_worker, settings
):
    """A byte every 0.5 s (or 0.25 s) never trips a per-read timeout. "drip" keeps the connection alive; Python's own
    http.server answers HTTP/1.0 or `Connection: close` with no Content-Length ("drip-http10", "drip-close"): the
    body then runs until the server hangs up, and http.client hands the socket from the connection to the response."""
    settings.WEBHOOKS_RETRY_SCHEDULE = [0]
    settings.WEBHOOKS_DEADLINE_SECONDS = 2.0
    receiver.script = [mode]
    subscribe(events=["*"])
    publish(draft_event)
    run_worker()

    attempt = DeliveryAttempt.objects.get()
    assert not attempt.succeeded
    assert "deadline" in attempt.error
    assert 1900 <= attempt.duration_ms < 2000 + 5000


def test_a_delivery_still_being_sent_is_never_taken_over_by_another_worker(draft_event, subscribe, receiver, settings):
    """Another worker's sweep re-queues deliveries whose lease has ended: while the sender still works on one, its
    lease must not have ended, or the same delivery goes out twice at once."""
    settings.WEBHOOKS_RETRY_SCHEDULE = [0]
    settings.WEBHOOKS_DEADLINE_SECONDS = 2.0
    settings.WEBHOOKS_LEASE_MARGIN_SECONDS = 2.0
    receiver.script = ["drip-close"]
    subscribe(events=["*"])
    publish(draft_event)

    def worker():
        try:
            services.deliveries_drain()
        finally:
            connection.close()  # this thread's own database connection

    sender = threading.Thread(target=worker)
    sender.start()
    recovered = []
    while sender.is_alive():
        recovered.append(services.deliveries_recover())  # another worker's sweep, meanwhile
        time.sleep(0.1)
    sender.join()

    assert sum(recovered) == 0
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == DeliveryStatus.FAILED  # cut at the deadline, no retry left


@pytest.fixture
def second_receiver():
    server = start_receiver()
    yield server
    stop_receiver(server)


def test_a_slow_endpoint_does_not_hold_up_the_others(draft_event, receiver, second_receiver, run_worker):
    """The slow partner's delivery is claimed first (its endpoint is older); the fast one's must not wait for it,
    nor must a fast delivery that falls due (a retry, say) while the slow one is still being sent."""
    slow, fast = receiver, second_receiver
    slow.delay = 4.0  # answers 200, but only after 4 s
    endpoints = []
    for server in (slow, fast):
        endpoints.append(services.endpoint_create(url=server.url, event_types=["*"]))
        server.secrets.append(endpoints[-1].secret)
    publish(draft_event)
    retry = OutboxMessage.objects.create(type="page.updated", object_key="page:1", data={"id": 1}, public=True)
    due_soon = timezone.now() + timedelta(seconds=1)
    Delivery.objects.create(message=retry, endpoint=endpoints[1], object_key=retry.object_key, next_attempt_at=due_soon)
    run_worker()

    [slow_request], fast_requests = slow.verified(), fast.verified()
    assert [request.payload["type"] for request in fast_requests] == ["event.published", "page.updated"]
    assert fast_requests[0].received_at < slow_request.received_at + 1.0  # well before the slow answer (4 s)
    assert fast_requests[1].received_at < slow_request.received_at + 3.0  # due after 1 s, sent before 4 s
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}


def test_a_200_mb_answer_is_read_only_up_to_64_kb(draft_event, subscribe, receiver, run_worker):
    receiver.script = ["huge"]
    subscribe(events=["*"])
    publish(draft_event)
    run_worker()

    attempt = DeliveryAttempt.objects.get()
    assert attempt.succeeded
    assert attempt.response_status == 200
    assert len(attempt.response_body) == 2048  # the log keeps the first 2 KB
    assert attempt.duration_ms < 5000


def test_rotated_secret_signs_with_both_during_the_grace_period(draft_event, subscribe, receiver, run_worker):
    endpoint = subscribe(events=["*"])
    old_secret = endpoint.secret
    new_secret = services.endpoint_rotate_secret(endpoint=endpoint)
    receiver.secrets = [old_secret, new_secret]
    publish(draft_event)
    run_worker()

    [request] = receiver.received
    assert request.verified_with == [old_secret, new_secret]
    assert len(request.headers["webhook-signature"].split(" ")) == 2


def test_events_for_one_object_reach_an_endpoint_in_order(draft_event, subscribe, receiver, run_worker, fast_retries):
    """The update's task runs while the first event waits for its retry: it must wait behind it."""
    receiver.script = [503]
    subscribe(events=["*"])
    event = publish(draft_event)
    event.summary = "Changed."
    publish(event)
    run_worker()

    assert [r.payload["type"] for r in receiver.received] == ["event.published", "event.published", "event.updated"]
    assert [r.headers["webhook-id"] for r in receiver.received][:2] == [receiver.received[0].headers["webhook-id"]] * 2


def test_a_failing_endpoint_is_disabled_after_five_days(draft_event, subscribe, receiver, run_worker):
    receiver.script = [500]
    endpoint = subscribe(events=["*"], owner_email="owner@example.org")
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since="2020-01-01T00:00:00Z")
    publish(draft_event)
    run_worker()

    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "5 days" in endpoint.disabled_reason
    assert mail.outbox[0].to == ["owner@example.org"]


def test_deliveries_that_run_out_of_retries_tell_the_owner_once(
    draft_event, event_index, subscribe, receiver, run_worker, settings
):
    settings.WEBHOOKS_RETRY_SCHEDULE = [0]  # one attempt each, then the delivery gives up
    receiver.script = [500] * 4
    subscribe(events=["*"], owner_email="webteam@citinternational.example")
    others = [
        TrainingEventPageFactory(parent=event_index, live=False, title=f"Session {n}", slug=f"session-{n}")
        for n in (1, 2)
    ]
    with transaction.atomic():
        for page in (draft_event, *others):
            publish(page)
    run_worker()
    event = publish(TrainingEventPage.objects.get(pk=draft_event.pk))  # the receiver is still broken
    run_worker()

    assert len(receiver.received) == 4
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    [message] = mail.outbox  # once, not per delivery
    assert message.to == ["webteam@citinternational.example"]
    assert receiver.url in message.subject
    assert "replay" in message.body

    publish(event)  # the receiver recovers (200): a later run of trouble is news again
    run_worker()
    receiver.script = [500]
    publish(event)
    run_worker()
    assert len(mail.outbox) == 2


def test_scheduled_go_live_sends_published_when_the_page_goes_live(draft_event, subscribe, receiver, run_worker):
    """Wagtail's publish_scheduled (run by run_worker) publishes without the admin: the signal still fires."""
    subscribe(events=["event.published"])
    draft_event.go_live_at = timezone.now() + timedelta(hours=1)
    revision = draft_event.save_revision()
    revision.publish()
    run_worker()
    assert receiver.received == []  # only scheduled so far

    pass_time(Revision.objects.get(pk=revision.pk))
    run_worker()

    [request] = receiver.verified()
    assert request.payload["type"] == "event.published"


def test_moving_a_live_page_sends_updated_with_its_new_url(home_page, event_index, subscribe, receiver, run_worker):
    event = publish(
        TrainingEventPageFactory(parent=event_index, live=False, title="Early Diversion", slug="early-diversion")
    )
    other_index = EventIndexPageFactory(parent=home_page, title="Archive", slug="archive")
    subscribe(events=["event.updated"])

    event.move(other_index, pos="last-child")
    run_worker()

    [request] = receiver.verified()
    assert request.payload["type"] == "event.updated"
    assert request.payload["data"]["url"].endswith("/archive/early-diversion/")


def test_410_on_a_whole_batch_disables_the_endpoint_and_mails_its_owner_once(
    draft_event, event_index, subscribe, receiver, run_worker
):
    receiver.script = [410, 410, 410]
    subscribe(events=["*"], owner_email="webteam@citinternational.example")
    others = [
        TrainingEventPageFactory(parent=event_index, live=False, title=f"Session {n}", slug=f"session-{n}")
        for n in (1, 2)
    ]
    with transaction.atomic():  # one commit, so the worker claims all three in one batch
        for page in (draft_event, *others):
            publish(page)
    run_worker()

    assert len(receiver.received) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    assert [message.to for message in mail.outbox] == [["webteam@citinternational.example"]]
