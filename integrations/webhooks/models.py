"""Webhook endpoints, the outbox of messages, one delivery per (message, endpoint) and every attempt made.

The outbox rows (`OutboxMessage` + `Delivery`) are written in the transaction that changes the content, so a rolled
back publish leaves nothing to send; the worker moves each delivery from PENDING through RUNNING (under a lease, so
a killed worker's work is picked up again) to SUCCEEDED or FAILED, recording a `DeliveryAttempt` each time.
"""

import base64
import fnmatch
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from integrations.webhooks import network

KINDS = ("event", "publication", "recording", "page")
ACTIONS = ("published", "updated", "unpublished", "deleted")
PING = "webhook.ping"
# Technical-assistance requests (community/) concern one agency and internal triage: never public.
TA_REQUEST_TYPES = ("ta_request.created", "ta_request.updated")
TRUSTED_ONLY_TYPES = frozenset(TA_REQUEST_TYPES)
EVENT_TYPES = (
    *(f"{kind}.{action}" for kind in KINDS for action in ACTIONS),
    "event.cancelled",
    *TA_REQUEST_TYPES,
    PING,
)

# Headers the signature and transport own: a custom header may not replace them.
RESERVED_HEADERS = {"host", "content-type", "content-length", "transfer-encoding", "connection", "user-agent"}


def generate_secret() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes (Svix uses 24 to 64)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def validate_secret(value: str) -> None:
    body = value.removeprefix("whsec_")
    try:
        raw = base64.b64decode(body, validate=True)
    except ValueError:
        raw = b""
    if not value.startswith("whsec_") or not 24 <= len(raw) <= 64:
        raise ValidationError("A secret is 'whsec_' followed by the base64 of 24 to 64 random bytes.")


def validate_event_patterns(value) -> None:
    """Subscriptions are event types or wildcards over them ('*', 'event.*', '*.deleted')."""
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise ValidationError("Subscribe to at least one event type, e.g. 'event.*' or '*'.")
    for pattern in value:
        if not any(fnmatch.fnmatchcase(event_type, pattern) for event_type in EVENT_TYPES):
            raise ValidationError(f"'{pattern}' matches no event type. Known types: {', '.join(EVENT_TYPES)}.")


def validate_custom_headers(value) -> None:
    if not isinstance(value, dict):
        raise ValidationError('Custom headers are a JSON object: {"Header-Name": "value"}.')
    for name, header_value in value.items():
        token_ok = name and all(c.isalnum() or c in "-_" for c in name)
        if not token_ok or not isinstance(header_value, str) or any(c in header_value for c in "\r\n\0"):
            raise ValidationError(f"'{name}' is not a valid header name and single-line string value.")
        if name.lower() in RESERVED_HEADERS or name.lower().startswith("webhook-"):
            raise ValidationError(f"'{name}' is set by the CMS itself and cannot be overridden.")


class Audience(models.TextChoices):
    PUBLIC = "public", "Public partner (members-only items: id and type only)"
    TRUSTED = "trusted", "Trusted partner (receives members-only items in full)"


class Endpoint(models.Model):
    url = models.URLField(
        "URL",
        max_length=500,
        help_text="Where to POST events: http or https, a public address (checked again at every delivery).",
    )
    description = models.CharField(max_length=255, blank=True)
    event_types = models.JSONField(
        default=list,
        validators=[validate_event_patterns],
        help_text=f'A JSON list of event types or wildcards, e.g. ["event.*", "publication.published"] or '
        f'["*"]. Types: {", ".join(EVENT_TYPES)}.',
    )
    active = models.BooleanField(default=True, help_text="Inactive endpoints receive nothing.")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    secret = models.CharField(max_length=100, default=generate_secret, validators=[validate_secret])
    # Rotation: the previous secret keeps signing (a second `v1,` signature) until this grace period ends.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    headers = models.JSONField(
        "custom headers",
        default=dict,
        blank=True,
        validators=[validate_custom_headers],
        help_text='Extra headers sent with every request, e.g. {"X-Partner-Key": "..."}.',
    )
    owner_email = models.EmailField(
        blank=True, help_text="Told by email when the endpoint is disabled or its deliveries run out of retries."
    )
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the owner was told that deliveries ran out of retries; cleared by the next success (or re-enabling),
    # so one run of trouble sends one email however many deliveries give up.
    gave_up_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description or self.url

    def clean(self):
        super().clean()
        if self.url:
            try:
                network.check_url(self.url)
            except (network.BlockedDestination, network.UnresolvableHost) as error:
                raise ValidationError({"url": str(error)}) from error

    def subscribes_to(self, event_type: str) -> bool:
        if event_type in TRUSTED_ONLY_TYPES and self.audience != Audience.TRUSTED:
            return False  # not even an id: that a TA request exists is itself members' business
        return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in self.event_types)

    def signing_secrets(self) -> list[str]:
        """The current secret, then the previous one while its grace period lasts."""
        current = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires and expires > timezone.now():
            current.append(self.previous_secret)
        return current


class OutboxMessage(models.Model):
    """One change worth telling partners about; its id is the `webhook-id` every retry and replay reuses.

    Standard Webhooks calls it a message too; "event" in this project is the training event (events.models).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=40, db_index=True)
    # The content's identity, e.g. "page:42": deliveries of one object to one endpoint go out in order.
    object_key = models.CharField(max_length=64)
    data = models.JSONField(help_text="The full payload data, for trusted endpoints.")
    public = models.BooleanField(help_text="False for members-only content: public endpoints get id and type only.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.object_key}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    object_key = models.CharField(max_length=64, help_text="Copied from the message to keep the ordering check cheap.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhooks_delivery_due"),
            models.Index(fields=["endpoint", "object_key", "status"], name="webhooks_delivery_order"),
        ]

    def __str__(self) -> str:
        return f"{self.message.type} → {self.endpoint} ({self.status})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(default=timezone.now, db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The first 2 KB of the response.")
    error = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"{self.response_status or self.error} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"
