"""Writes for webhooks: endpoints, the outbox, one delivery attempt, recovery, replay and pruning.

Delivery follows Standard Webhooks / Svix: the same `webhook-id` on every retry, a retry schedule with jitter,
`Retry-After` honoured on 429/503, 2xx only is success, 3xx is a failure (never followed), 410 disables the
endpoint, and an endpoint failing for `WEBHOOKS_DISABLE_AFTER_DAYS` is disabled and its owner emailed.
"""

import email.utils
import logging
import math
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks.webhooks import Webhook
from wagtail.models import Page

from integrations.webhooks import network, selectors
from integrations.webhooks.models import (
    PING,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Endpoint,
    WebhookEvent,
    generate_secret,
)
from pages.selectors import page_is_public

logger = logging.getLogger(__name__)

BODY_LOG_BYTES = 2048


# --- endpoints ---------------------------------------------------------------------------------------------------


def endpoint_create(
    *,
    url: str,
    event_types: list[str],
    audience: str = "public",
    secret: str | None = None,
    description: str = "",
    headers: dict | None = None,
    owner_email: str = "",
) -> Endpoint:
    """Validate (URL resolved and checked: SSRF) and save a new endpoint; raises ValidationError."""
    endpoint = Endpoint(
        url=url,
        event_types=event_types,
        audience=audience,
        secret=secret or generate_secret(),
        description=description,
        headers=headers or {},
        owner_email=owner_email,
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_rotate_secret(*, endpoint: Endpoint, grace: timedelta | None = None) -> str:
    """A new secret signs from now on; the old one also signs (a second `v1,` signature) until `grace` ends."""
    grace = grace if grace is not None else timedelta(hours=settings.WEBHOOKS_SECRET_GRACE_HOURS)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + grace
    endpoint.secret = generate_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint.secret


def endpoint_disable(*, endpoint: Endpoint, reason: str, notify: bool = False) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_reason=reason[:255])
    endpoint.active, endpoint.disabled_reason = False, reason[:255]
    logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, reason)
    if notify and endpoint.owner_email:
        send_mail(
            subject=f"Webhook endpoint disabled: {endpoint.url}",
            message=(
                f"The CMS stopped sending webhooks to {endpoint.url} ({endpoint.description or 'no description'}).\n"
                f"Reason: {reason}\n\nFix the receiver, re-activate the endpoint in the admin, then replay what "
                f"it missed (admin, or: manage.py webhooks replay {endpoint.pk} --since <ISO time>)."
            ),
            from_email=None,
            recipient_list=[endpoint.owner_email],
            fail_silently=True,  # the endpoint is disabled either way; a mail outage must not undo that
        )


def endpoint_enable(*, endpoint: Endpoint) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(active=True, disabled_reason="", failing_since=None)
    endpoint.active, endpoint.disabled_reason, endpoint.failing_since = True, "", None


def endpoint_ping(*, endpoint: Endpoint) -> Delivery:
    """A `webhook.ping` to this endpoint only (the admin's "send test ping"), delivered like any event."""
    data = {"endpointId": endpoint.pk, "message": "Test ping from the CIT ASSIST CMS."}
    event = WebhookEvent.objects.create(type=PING, object_key=f"endpoint:{endpoint.pk}", data=data, public=True)
    return _queue_deliveries(event, [endpoint])[0]


def endpoint_replay(*, endpoint: Endpoint, since: datetime) -> int:
    """Send again every event since `since` this endpoint subscribes to (same webhook-ids: partners dedupe)."""
    events = WebhookEvent.objects.filter(created_at__gte=since).exclude(type=PING).order_by("created_at", "pk")
    matching = [event for event in events if endpoint.subscribes_to(event.type)]
    with transaction.atomic():
        for event in matching:
            _queue_deliveries(event, [endpoint])
    return len(matching)


def delivery_resend(*, delivery: Delivery) -> Delivery:
    """A fresh delivery of the same event (same webhook-id) to the same endpoint; the old log stays."""
    return _queue_deliveries(delivery.event, [delivery.endpoint])[0]


# --- the outbox ------------------------------------------------------------------------------------------------


def event_record(*, event_type: str, object_key: str, data: dict, public: bool) -> WebhookEvent:
    """Write the event and one delivery per subscribed, active endpoint in the caller's transaction.

    Nothing is sent from here: after commit one task wakes a worker, so a rolled back change sends nothing and
    publishing costs the same few queries whatever the number of endpoints.
    """
    event = WebhookEvent.objects.create(type=event_type, object_key=object_key, data=data, public=public)
    endpoints = [endpoint for endpoint in Endpoint.objects.filter(active=True) if endpoint.subscribes_to(event_type)]
    if endpoints:
        _queue_deliveries(event, endpoints)
    return event


def page_event_record(*, page: Page, action: str) -> WebhookEvent:
    """The outbox row for `action` on `page`; the kind (event, publication, recording, page) comes from its type."""
    event_type = f"{selectors.page_kind(page)}.{action}"
    return event_record(
        event_type=event_type,
        object_key=f"page:{page.pk}",
        data=selectors.page_event_data(page),
        public=page_is_public(page),
    )


def _queue_deliveries(event: WebhookEvent, endpoints: list[Endpoint]) -> list[Delivery]:
    from integrations.webhooks import tasks

    deliveries = Delivery.objects.bulk_create(
        [Delivery(event=event, endpoint=endpoint, object_key=event.object_key) for endpoint in endpoints]
    )
    # One wake-up per commit whatever the number of endpoints: the drain finds the work in the table.
    transaction.on_commit(lambda: tasks.enqueue(tasks.drain))
    return deliveries


# --- delivering ------------------------------------------------------------------------------------------------


def signed_headers(*, endpoint: Endpoint, webhook_id: str, body: str, at: datetime | None = None) -> dict:
    """Standard Webhooks headers; one `v1,` signature per live secret (two during a rotation's grace period)."""
    at = at or datetime.now(UTC)
    signatures = " ".join(
        Webhook(secret).sign(msg_id=webhook_id, timestamp=at, data=body) for secret in endpoint.signing_secrets()
    )
    return {
        **endpoint.headers,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
        "Content-Type": "application/json",
        "User-Agent": "CIT-ASSIST-Webhooks/1.0",
    }


def deliveries_claim(*, limit: int, skip_endpoints=()) -> list[Delivery]:
    """Atomically take up to `limit` runnable deliveries of one endpoint (the one whose work is oldest), in order.

    The UPDATE only moves rows still PENDING, so concurrent workers never share a delivery; the claim token tells
    this worker which rows it won. Batching per endpoint keeps one slow partner from holding up the others' work.
    """
    # In the due index's order, so the scan stops at the first rows that qualify (ORDER BY pk made SQLite test
    # every pending row). Only the earliest unfinished delivery per (endpoint, object) is runnable, so a batch
    # never holds two events of one object and its order within the batch does not matter.
    runnable = selectors.runnable_deliveries().exclude(endpoint_id__in=skip_endpoints).order_by("next_attempt_at", "pk")
    endpoint_id = runnable.values_list("endpoint_id", flat=True).first()
    if endpoint_id is None:
        return []
    ids = list(runnable.filter(endpoint_id=endpoint_id).values_list("pk", flat=True)[:limit])
    # The lease outlasts the slowest possible batch (every attempt to its deadline, SEND_THREADS at a time), so
    # only a dead worker's deliveries are ever taken over.
    rounds = math.ceil(len(ids) / settings.WEBHOOKS_SEND_THREADS)
    lease = rounds * settings.WEBHOOKS_DEADLINE_SECONDS + settings.WEBHOOKS_LEASE_MARGIN_SECONDS
    token = uuid.uuid4().hex
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.RUNNING,
        attempts=F("attempts") + 1,
        lease_expires_at=timezone.now() + timedelta(seconds=lease),
        claim_token=token,
    )
    return list(Delivery.objects.filter(claim_token=token).select_related("event", "endpoint").order_by("pk"))


def deliveries_drain(*, time_budget: float | None = None) -> int:
    """Deliver everything runnable now, batch by batch; returns the number of attempts made.

    A batch (one endpoint) is sent concurrently by a small thread pool: the threads only sign and POST, every
    database write happens here. An endpoint that failed is left alone for the rest of this run so the other
    endpoints' work goes on; another drain is enqueued to come back to it.
    """
    from integrations.webhooks import tasks

    budget = time_budget if time_budget is not None else settings.WEBHOOKS_DRAIN_SECONDS
    started = time.monotonic()
    skipped: set[int] = set()
    attempted, out_of_time = 0, False
    with ThreadPoolExecutor(max_workers=settings.WEBHOOKS_SEND_THREADS, thread_name_prefix="webhooks") as pool:
        while True:
            if time.monotonic() - started >= budget:
                out_of_time = True  # work may be left: continue in a fresh task so others get a turn
                break
            batch = deliveries_claim(limit=settings.WEBHOOKS_BATCH_SIZE, skip_endpoints=skipped)
            if not batch:
                break
            attempted += len(batch)
            if _deliver_batch(batch, pool):
                skipped.add(batch[0].endpoint_id)
    if skipped or out_of_time:
        tasks.enqueue(tasks.drain)
    return attempted


def _deliver_batch(batch: list[Delivery], pool: ThreadPoolExecutor) -> bool:
    """Send a claimed batch (one endpoint, at most one delivery per object) at once; the whole batch takes at most
    one attempt's deadline, well inside the lease. Returns whether any delivery failed."""
    endpoint = batch[0].endpoint
    if not endpoint.active:
        for delivery in batch:
            _finish(delivery, DeliveryStatus.FAILED, f"Endpoint disabled: {endpoint.disabled_reason or 'inactive'}")
        return False
    results = list(pool.map(_send, batch))
    DeliveryAttempt.objects.bulk_create([attempt for attempt, _, _ in results])
    succeeded = [delivery.pk for delivery, (attempt, _, _) in zip(batch, results, strict=True) if attempt.succeeded]
    Delivery.objects.filter(pk__in=succeeded).update(
        status=DeliveryStatus.SUCCEEDED, finished_at=timezone.now(), lease_expires_at=None, last_error=""
    )
    if succeeded and endpoint.failing_since:
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
    failures = [(d, result) for d, result in zip(batch, results, strict=True) if not result[0].succeeded]
    gone = retrying = False
    for delivery, (attempt, response, permanent) in failures:
        if response is not None and response.status == 410:
            _finish(delivery, DeliveryStatus.FAILED, "HTTP 410 Gone: endpoint disabled")
            gone = True
        elif permanent:
            _finish(delivery, DeliveryStatus.FAILED, attempt.error)
        else:
            _retry_later(delivery, attempt.error, response)
            retrying = True
    # What happens to the endpoint is decided once per batch, so its owner gets one email, not one per delivery.
    if gone:
        endpoint_disable(endpoint=endpoint, reason="The receiver answered 410 Gone.", notify=True)
    elif retrying:
        _note_failure(endpoint)
    return bool(failures)


def _send(delivery: Delivery) -> tuple[DeliveryAttempt, network.Response | None, bool]:
    """One signed POST; returns the attempt to record, the response (if any) and whether the failure is final."""
    endpoint = delivery.endpoint
    body = selectors.delivery_body(delivery.event, endpoint.audience)
    headers = signed_headers(endpoint=endpoint, webhook_id=delivery.event.webhook_id, body=body)
    started = time.monotonic()
    response, error, permanent = None, "", False
    try:
        response = network.post(endpoint.url, body.encode(), headers)
    except network.BlockedDestination as exc:
        error, permanent = f"Blocked destination: {exc}", True
    except Exception as exc:  # any transport failure is a failed attempt, retried on schedule
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    succeeded = response is not None and 200 <= response.status < 300
    if response is not None and not succeeded:
        error = f"HTTP {response.status}" + (" (redirects are not followed)" if 300 <= response.status < 400 else "")
    attempt = DeliveryAttempt(
        delivery=delivery,
        duration_ms=int((time.monotonic() - started) * 1000),
        response_status=response.status if response is not None else None,
        response_body=response.body[:BODY_LOG_BYTES].decode("utf-8", "replace") if response is not None else "",
        error=error[:500],
        succeeded=succeeded,
    )
    return attempt, response, permanent


def _finish(delivery: Delivery, status: str, error: str) -> None:
    delivery.status, delivery.last_error, delivery.finished_at = status, error[:500], timezone.now()
    delivery.lease_expires_at = None
    delivery.save(update_fields=["status", "last_error", "finished_at", "lease_expires_at"])


def retry_delay(attempts: int, response: network.Response | None) -> timedelta | None:
    """When to try again after `attempts` attempts, or None when the schedule is exhausted."""
    schedule = settings.WEBHOOKS_RETRY_SCHEDULE
    if attempts >= len(schedule):
        return None
    seconds = schedule[attempts] * random.uniform(0.9, 1.1)  # noqa: S311 - jitter, not security
    if response is not None and response.status in (429, 503) and response.retry_after:
        asked = parse_retry_after(response.retry_after)
        if asked is not None:
            seconds = min(asked, max(schedule))
    return timedelta(seconds=seconds)


def parse_retry_after(value: str) -> float | None:
    """Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def _retry_later(delivery: Delivery, error: str, response: network.Response | None) -> None:
    from integrations.webhooks import tasks

    delay = retry_delay(delivery.attempts, response)
    if delay is None:
        _finish(delivery, DeliveryStatus.FAILED, f"Gave up after {delivery.attempts} attempts; last: {error}")
        return
    delivery.status, delivery.last_error = DeliveryStatus.PENDING, error[:500]
    delivery.next_attempt_at, delivery.lease_expires_at = timezone.now() + delay, None
    delivery.save(update_fields=["status", "last_error", "next_attempt_at", "lease_expires_at"])
    tasks.enqueue(tasks.drain, run_after=delivery.next_attempt_at if delay else None)


def _note_failure(endpoint: Endpoint) -> None:
    """Remember when the endpoint started failing; past the limit, disable it and tell its owner."""
    now = timezone.now()
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    since = endpoint.failing_since or now
    if now - since >= timedelta(days=settings.WEBHOOKS_DISABLE_AFTER_DAYS):
        endpoint_disable(
            endpoint=endpoint,
            reason=f"Every delivery failed for {settings.WEBHOOKS_DISABLE_AFTER_DAYS} days (since {since:%Y-%m-%d}).",
            notify=True,
        )


# --- recovery and housekeeping (the worker's periodic sweep) ---------------------------------------------------


def deliveries_recover() -> int:
    """Put back work a killed worker left RUNNING past its lease, and wake a drain when anything is runnable
    (the queue is only a wake-up call: the delivery table is the source of truth)."""
    from integrations.webhooks import tasks

    now = timezone.now()
    expired = list(Delivery.objects.filter(status=DeliveryStatus.RUNNING, lease_expires_at__lt=now))
    for delivery in expired:
        DeliveryAttempt.objects.create(delivery=delivery, error="The worker stopped mid-delivery (lease expired).")
        reset = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.RUNNING, lease_expires_at__lt=now)
        reset.update(status=DeliveryStatus.PENDING, next_attempt_at=now, lease_expires_at=None)
    if selectors.runnable_deliveries().exists():
        tasks.enqueue(tasks.drain)
    return len(expired)


def delivery_log_prune(*, older_than: timedelta | None = None) -> int:
    """Delete attempts, finished deliveries and events older than the retention period."""
    older_than = older_than or timedelta(days=settings.WEBHOOKS_LOG_RETENTION_DAYS)
    cutoff = timezone.now() - older_than
    attempts, _ = DeliveryAttempt.objects.filter(attempted_at__lt=cutoff).delete()
    unfinished = Delivery.objects.filter(status__in=selectors.UNFINISHED).values("event_id")
    events, _ = WebhookEvent.objects.filter(created_at__lt=cutoff).exclude(pk__in=unfinished).delete()
    return attempts + events
