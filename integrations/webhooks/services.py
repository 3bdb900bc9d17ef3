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
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta
from queue import Empty, SimpleQueue

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
    OutboxMessage,
    generate_secret,
)
from pages.access import page_is_public

logger = logging.getLogger(__name__)

BODY_LOG_BYTES = 2048
POLL_SECONDS = 0.5  # while deliveries are in flight, how often the drain looks for more work


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
    if notify:
        _tell_owner(
            endpoint,
            subject=f"Webhook endpoint disabled: {endpoint.url}",
            message=f"The CMS stopped sending webhooks to {endpoint.url}.\nReason: {reason}\n\nFix the receiver, "
            f"re-activate the endpoint in the admin, then replay what it missed",
        )


def _tell_owner(endpoint: Endpoint, *, subject: str, message: str) -> None:
    if not endpoint.owner_email:
        return
    send_mail(
        subject=subject,
        message=f"{message} (admin, or: manage.py webhooks replay {endpoint.pk} --since <ISO time>).\n\n"
        f"Endpoint {endpoint.pk}: {endpoint.description or 'no description'}",
        from_email=None,
        recipient_list=[endpoint.owner_email],
        fail_silently=True,  # what happened to the deliveries stands either way; a mail outage must not undo it
    )


def endpoint_enable(*, endpoint: Endpoint) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(
        active=True, disabled_reason="", failing_since=None, gave_up_notified_at=None
    )
    endpoint.active, endpoint.disabled_reason, endpoint.failing_since = True, "", None
    endpoint.gave_up_notified_at = None


def endpoint_ping(*, endpoint: Endpoint) -> Delivery:
    """A `webhook.ping` to this endpoint only (the admin's "send test ping"), delivered like any message."""
    data = {"endpointId": endpoint.pk, "message": "Test ping from the CIT ASSIST CMS."}
    message = OutboxMessage.objects.create(type=PING, object_key=f"endpoint:{endpoint.pk}", data=data, public=True)
    return _queue_deliveries(message, [endpoint])[0]


def endpoint_replay(*, endpoint: Endpoint, since: datetime) -> int:
    """Send again every message since `since` this endpoint subscribes to (same webhook-ids: partners dedupe)."""
    messages = OutboxMessage.objects.filter(created_at__gte=since).exclude(type=PING).order_by("created_at", "pk")
    matching = [message for message in messages if endpoint.subscribes_to(message.type)]
    with transaction.atomic():
        for message in matching:
            _queue_deliveries(message, [endpoint])
    return len(matching)


def delivery_resend(*, delivery: Delivery) -> Delivery:
    """A fresh delivery of the same message (same webhook-id) to the same endpoint; the old log stays."""
    return _queue_deliveries(delivery.message, [delivery.endpoint])[0]


# --- the outbox ------------------------------------------------------------------------------------------------


def message_record(
    *, event_type: str, object_key: str, data: dict, public: bool, audience: str | None = None
) -> OutboxMessage:
    """Write the message and one delivery per subscribed, active endpoint (of `audience` only, when given) in the
    caller's transaction.

    Nothing is sent from here: after commit one task wakes a worker, so a rolled back change sends nothing and
    publishing costs the same few queries whatever the number of endpoints.
    """
    message = OutboxMessage.objects.create(type=event_type, object_key=object_key, data=data, public=public)
    candidates = Endpoint.objects.filter(active=True)
    if audience:
        candidates = candidates.filter(audience=audience)
    endpoints = [endpoint for endpoint in candidates if endpoint.subscribes_to(event_type)]
    if endpoints:
        _queue_deliveries(message, endpoints)
    return message


def page_message_record(*, page: Page, action: str, audience: str | None = None) -> OutboxMessage:
    """The outbox row for `action` on `page`; the kind (event, publication, recording, page) comes from its type."""
    event_type = f"{selectors.page_kind(page)}.{action}"
    return message_record(
        event_type=event_type,
        object_key=f"page:{page.pk}",
        data=selectors.page_message_data(page),
        public=page_is_public(page),
        audience=audience,
    )


def _queue_deliveries(message: OutboxMessage, endpoints: list[Endpoint]) -> list[Delivery]:
    deliveries = Delivery.objects.bulk_create(
        [Delivery(message=message, endpoint=endpoint, object_key=message.object_key) for endpoint in endpoints]
    )
    # One wake-up per commit whatever the number of endpoints and messages (a replay writes hundreds): the drain finds
    # the work in the table. Django keeps no public record of what a transaction will run on commit; its pending
    # list is the only place to see that a wake-up is already due (one a rolled back savepoint dropped is gone
    # from it too, so it is registered again).
    connection = transaction.get_connection()
    if not any(func is _wake_drain for _, func, _ in connection.run_on_commit):
        transaction.on_commit(_wake_drain)
    return deliveries


def _wake_drain() -> None:
    from integrations.webhooks import tasks

    tasks.enqueue(tasks.drain)


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


def deliveries_claim(*, limit: int, threads: int = 1, skip_endpoints=()) -> list[Delivery]:
    """Atomically take up to `limit` runnable deliveries of one endpoint (the one whose work is oldest), in order,
    to be sent `threads` at a time.

    The UPDATE only moves rows still PENDING, so concurrent workers never share a delivery; the claim token tells
    this worker which rows it won.
    """
    # In the due index's order, so the scan stops at the first rows that qualify (ORDER BY pk made SQLite test
    # every pending row). Only the earliest unfinished delivery per (endpoint, object) is runnable, so a batch
    # never holds two messages about one object and its order within the batch does not matter.
    runnable = selectors.runnable_deliveries().exclude(endpoint_id__in=skip_endpoints).order_by("next_attempt_at", "pk")
    endpoint_id = runnable.values_list("endpoint_id", flat=True).first()
    if endpoint_id is None:
        return []
    ids = list(runnable.filter(endpoint_id=endpoint_id).values_list("pk", flat=True)[:limit])
    # The lease outlasts the slowest possible batch: the drain starts sending at once, `threads` at a time, and no
    # attempt outlives the deadline (network.post). So only a dead worker's deliveries are ever taken over.
    rounds = math.ceil(len(ids) / threads)
    lease = rounds * settings.WEBHOOKS_DEADLINE_SECONDS + settings.WEBHOOKS_LEASE_MARGIN_SECONDS
    token = uuid.uuid4().hex
    Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.RUNNING,
        attempts=F("attempts") + 1,
        lease_expires_at=timezone.now() + timedelta(seconds=lease),
        claim_token=token,
    )
    return list(Delivery.objects.filter(claim_token=token).select_related("message", "endpoint").order_by("pk"))


def deliveries_drain(*, time_budget: float | None = None) -> int:
    """Deliver everything runnable now; returns the number of attempts made.

    A worker sends up to WEBHOOKS_SEND_THREADS deliveries at once, in batches of one endpoint each, at most one
    batch per endpoint and WEBHOOKS_ENDPOINT_THREADS threads per batch: an endpoint that is slow or failing holds
    only its own threads while the others' deliveries go on. The threads only sign and POST; every database write
    happens here, once per batch. An endpoint that failed is left alone for the rest of this run; another drain is
    enqueued to come back to it.
    """
    from integrations.webhooks import tasks

    budget = time_budget if time_budget is not None else settings.WEBHOOKS_DRAIN_SECONDS
    threads = settings.WEBHOOKS_SEND_THREADS
    started = time.monotonic()
    skipped: set[int] = set()
    sending: dict[int, tuple[list[Delivery], list[Future]]] = {}  # endpoint id -> its batch and the threads on it
    attempted, out_of_time = 0, False
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhooks") as pool:
        while True:
            while not out_of_time:
                free = threads - sum(len(runners) for _, runners in sending.values())
                if free <= 0:
                    break
                if time.monotonic() - started >= budget:
                    out_of_time = True  # work may be left: continue in a fresh task so others get a turn
                    break
                batch_threads = min(free, settings.WEBHOOKS_ENDPOINT_THREADS)
                batch = deliveries_claim(
                    limit=settings.WEBHOOKS_BATCH_SIZE, threads=batch_threads, skip_endpoints=skipped | sending.keys()
                )
                if not batch:
                    break
                attempted += len(batch)
                if not _endpoint_inactive(batch):
                    queue = SimpleQueue()
                    for delivery in batch:
                        queue.put(delivery)
                    runners = [pool.submit(_send_queued, queue) for _ in range(min(batch_threads, len(batch)))]
                    sending[batch[0].endpoint_id] = (batch, runners)
            if not sending:
                break
            # Look again for new work now and then: what falls due meanwhile (a retry, another endpoint's message) must
            # not wait for a slow endpoint's batch to end.
            in_flight = [runner for _, runners in sending.values() for runner in runners]
            wait(in_flight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for endpoint_id, (batch, runners) in list(sending.items()):
                if all(runner.done() for runner in runners):
                    del sending[endpoint_id]
                    results = dict(item for runner in runners for item in runner.result())
                    if _record_batch(batch, [results[delivery.pk] for delivery in batch]):
                        skipped.add(endpoint_id)
    if skipped or out_of_time:
        tasks.enqueue(tasks.drain)
    return attempted


def _send_queued(queue: SimpleQueue) -> list[tuple[int, tuple]]:
    """One of a batch's threads: send deliveries from the batch's queue until it is empty."""
    sent = []
    while True:
        try:
            delivery = queue.get_nowait()
        except Empty:
            return sent
        sent.append((delivery.pk, _send(delivery)))


def _endpoint_inactive(batch: list[Delivery]) -> bool:
    """Fail a batch claimed for an endpoint disabled since its deliveries were queued; True when it was."""
    endpoint = batch[0].endpoint
    if endpoint.active:
        return False
    for delivery in batch:
        _finish(delivery, DeliveryStatus.FAILED, f"Endpoint disabled: {endpoint.disabled_reason or 'inactive'}")
    return True


def _record_batch(batch: list[Delivery], results: list) -> bool:
    """Write what the attempts of a batch (one endpoint) came to; returns whether any of them failed."""
    endpoint = batch[0].endpoint
    DeliveryAttempt.objects.bulk_create([attempt for attempt, _, _ in results])
    succeeded = [delivery.pk for delivery, (attempt, _, _) in zip(batch, results, strict=True) if attempt.succeeded]
    Delivery.objects.filter(pk__in=succeeded).update(
        status=DeliveryStatus.SUCCEEDED, finished_at=timezone.now(), lease_expires_at=None, last_error=""
    )
    if succeeded and (endpoint.failing_since or endpoint.gave_up_notified_at):
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None, gave_up_notified_at=None)
    failures = [(d, result) for d, result in zip(batch, results, strict=True) if not result[0].succeeded]
    gone = retrying = False
    gave_up: list[str] = []
    for delivery, (attempt, response, permanent) in failures:
        if response is not None and response.status == 410:
            _finish(delivery, DeliveryStatus.FAILED, "HTTP 410 Gone: endpoint disabled")
            gone = True
        elif permanent:
            _finish(delivery, DeliveryStatus.FAILED, attempt.error)
        elif _retry_later(delivery, attempt.error, response):
            retrying = True
        else:
            gave_up.append(attempt.error)
    # What happens to the endpoint is decided once per batch, so its owner gets one email, not one per delivery.
    if gone:
        endpoint_disable(endpoint=endpoint, reason="The receiver answered 410 Gone.", notify=True)
        return True
    if gave_up:
        _report_given_up(endpoint, len(gave_up), gave_up[-1])
    if retrying or gave_up:
        _note_failure(endpoint)
    return bool(failures)


def _send(delivery: Delivery) -> tuple[DeliveryAttempt, network.Response | None, bool]:
    """One signed POST; returns the attempt to record, the response (if any) and whether the failure is final."""
    endpoint = delivery.endpoint
    body = selectors.delivery_body(delivery.message, endpoint.audience)
    headers = signed_headers(endpoint=endpoint, webhook_id=delivery.message.webhook_id, body=body)
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


def _retry_later(delivery: Delivery, error: str, response: network.Response | None) -> bool:
    """Schedule the next attempt; False (and the delivery failed) when the retry schedule is used up."""
    from integrations.webhooks import tasks

    delay = retry_delay(delivery.attempts, response)
    if delay is None:
        _finish(delivery, DeliveryStatus.FAILED, f"Gave up after {delivery.attempts} attempts; last: {error}")
        return False
    delivery.status, delivery.last_error = DeliveryStatus.PENDING, error[:500]
    delivery.next_attempt_at, delivery.lease_expires_at = timezone.now() + delay, None
    delivery.save(update_fields=["status", "last_error", "next_attempt_at", "lease_expires_at"])
    tasks.enqueue(tasks.drain, run_after=delivery.next_attempt_at if delay else None)
    return True


def _report_given_up(endpoint: Endpoint, count: int, last_error: str) -> None:
    """Tell the owner that deliveries ran out of retries: once until a delivery succeeds again (or the endpoint is
    re-enabled), however many give up meanwhile and however many workers see them do so."""
    unreported = Endpoint.objects.filter(pk=endpoint.pk, gave_up_notified_at__isnull=True)
    if unreported.update(gave_up_notified_at=timezone.now()):
        _tell_owner(
            endpoint,
            subject=f"Webhooks were not delivered to {endpoint.url}",
            message=f"{count} webhook(s) to {endpoint.url} failed on every attempt of the retry schedule and will not "
            f"be sent again on their own (later ones that fail too are not reported again until one succeeds).\n"
            f"Last error: {last_error}\n\nFix the receiver, then replay what it missed",
        )


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
    """Delete attempts, finished deliveries and messages older than the retention period."""
    older_than = older_than or timedelta(days=settings.WEBHOOKS_LOG_RETENTION_DAYS)
    cutoff = timezone.now() - older_than
    attempts, _ = DeliveryAttempt.objects.filter(attempted_at__lt=cutoff).delete()
    unfinished = Delivery.objects.filter(status__in=selectors.UNFINISHED).values("message_id")
    messages, _ = OutboxMessage.objects.filter(created_at__lt=cutoff).exclude(pk__in=unfinished).delete()
    return attempts + messages
