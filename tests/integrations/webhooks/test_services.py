"""Delivery rules without the worker: claiming, leases, Retry-After, payload size, the outbox's query cost, pruning."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from events.factories import TrainingEventPageFactory
from integrations.webhooks import network, selectors, services
from integrations.webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint():
    return services.endpoint_create(url="http://127.0.0.1:9/hooks", event_types=["*"])


@pytest.fixture
def delivery(endpoint):
    message = OutboxMessage.objects.create(type="event.published", object_key="page:1", data={"id": 1}, public=True)
    return Delivery.objects.create(message=message, endpoint=endpoint, object_key="page:1")


def test_a_delivery_is_claimed_once(delivery):
    assert services.deliveries_claim(limit=10) == [delivery]
    assert services.deliveries_claim(limit=10) == []  # a second worker gets nothing
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RUNNING
    assert delivery.attempts == 1
    assert delivery.lease_expires_at > timezone.now()


def test_a_batch_is_one_endpoint_in_order_and_holds_back_later_events_for_the_same_object(endpoint, delivery):
    other = services.endpoint_create(url="http://127.0.0.1:9/other", event_types=["*"])
    later = OutboxMessage.objects.create(type="event.updated", object_key="page:1", data={"id": 1}, public=True)
    held = Delivery.objects.create(message=later, endpoint=endpoint, object_key="page:1")
    elsewhere = Delivery.objects.create(message=later, endpoint=other, object_key="page:1")
    unrelated = OutboxMessage.objects.create(type="event.updated", object_key="page:2", data={"id": 2}, public=True)
    free = Delivery.objects.create(message=unrelated, endpoint=endpoint, object_key="page:2")

    assert services.deliveries_claim(limit=10) == [delivery, free]  # `held` waits for `delivery`
    assert services.deliveries_claim(limit=10) == [elsewhere]
    assert services.deliveries_claim(limit=10) == []
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SUCCEEDED)
    assert services.deliveries_claim(limit=10) == [held]


def test_an_expired_lease_is_recovered_by_the_sweep(delivery, django_capture_on_commit_callbacks):
    services.deliveries_claim(limit=1)
    Delivery.objects.filter(pk=delivery.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    assert services.deliveries_recover() == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "lease expired" in DeliveryAttempt.objects.get().error


def test_a_live_lease_is_left_alone(delivery):
    services.deliveries_claim(limit=1)
    assert services.deliveries_recover() == 0
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RUNNING


@pytest.mark.parametrize(
    ("status", "header", "expected"),
    [(429, "120", 120), (503, "30", 30), (503, "Wed, 21 Oct 2015 07:28:00 GMT", 0), (500, "120", None)],
)
def test_retry_after_is_honoured_on_429_and_503(status, header, expected):
    delay = services.retry_delay(1, network.Response(status, b"", header))
    if expected is None:  # not a 429/503: the schedule's 5 s, with jitter
        assert 4.5 <= delay.total_seconds() <= 5.5
    else:
        assert delay.total_seconds() == expected


def test_retry_after_is_capped_at_the_longest_wait():
    assert services.retry_delay(1, network.Response(429, b"", "99999999")) == timedelta(days=1)


def test_garbage_retry_after_falls_back_to_the_schedule():
    assert 4.5 <= services.retry_delay(1, network.Response(503, b"", "soon")).total_seconds() <= 5.5


def test_the_schedule_ends_after_ten_attempts():
    assert services.retry_delay(10, None) is None
    assert 0.9 * 86400 <= services.retry_delay(9, None).total_seconds() <= 1.1 * 86400


def test_signature_verifies_with_the_standard_library(endpoint):
    body = '{"type":"webhook.ping"}'
    headers = services.signed_headers(endpoint=endpoint, webhook_id="msg_1", body=body)
    assert Webhook(endpoint.secret).verify(body, headers) == {"type": "webhook.ping"}


def test_an_expired_grace_period_stops_the_old_secret(endpoint):
    services.endpoint_rotate_secret(endpoint=endpoint, grace=timedelta(seconds=-1))
    assert endpoint.signing_secrets() == [endpoint.secret]


def test_payload_stays_small_for_the_longest_title(event_index):
    event = TrainingEventPageFactory(parent=event_index, title="T" * 255, summary="S" * 600)
    created = services.page_message_record(page=event, action="published")
    body = selectors.delivery_body(created, "trusted")
    assert len(body.encode()) < 20_000


def test_publishing_writes_the_same_queries_for_1_or_20_endpoints(event_index, django_assert_max_num_queries):
    """The outbox costs a constant number of queries per publish, whatever the number of endpoints."""
    event = TrainingEventPageFactory(parent=event_index)
    services.endpoint_create(url="http://127.0.0.1:9/", event_types=["*"])
    with django_assert_max_num_queries(6) as one:
        services.page_message_record(page=event, action="updated")
    for _ in range(19):
        services.endpoint_create(url="http://127.0.0.1:9/", event_types=["*"])
    with django_assert_max_num_queries(len(one.captured_queries)):
        services.page_message_record(page=event, action="updated")
    assert Delivery.objects.count() == 21


def test_pruning_keeps_recent_and_unfinished_work(endpoint, delivery):
    old = OutboxMessage.objects.create(type="event.updated", object_key="page:2", data={}, public=True)
    old_delivery = Delivery.objects.create(
        message=old, endpoint=endpoint, object_key="page:2", status=DeliveryStatus.SUCCEEDED
    )
    DeliveryAttempt.objects.create(delivery=old_delivery, succeeded=True)
    long_ago = timezone.now() - timedelta(days=60)
    OutboxMessage.objects.filter(pk__in=[old.pk, delivery.message_id]).update(created_at=long_ago)
    DeliveryAttempt.objects.update(attempted_at=long_ago)

    services.delivery_log_prune()

    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [delivery.message_id]  # still pending
    assert not DeliveryAttempt.objects.exists()


def test_an_inactive_endpoint_fails_its_deliveries(endpoint, delivery):
    services.endpoint_disable(endpoint=endpoint, reason="Partner asked.")
    services.deliveries_drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "Partner asked." in delivery.last_error
