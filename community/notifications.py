"""Email notifications: written with what caused them, sent after commit by a task, retried from the queue.

`notify()` renders the email (plain text and HTML, from Django templates) and stores a `Notification` row in the
caller's transaction; on commit a task sends it. A refused or unreachable mail server never fails the member's
request (the request only wrote a row) and loses nothing: the task records the error and re-enqueues itself later
(NOTIFICATION_RETRY_SCHEDULE); `notifications_sweep`, run by `run_worker`, re-enqueues pending rows whose task was
lost. Each recipient gets at most NOTIFICATION_RATE_LIMIT emails per window; the rest wait for the next window.

Every email carries a link to what it is about and a signed link to the recipient's email preferences that works
without signing in (`preferences_url`); the `List-Unsubscribe` header points at the same page.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cms.links import public_url
from cms.ratelimit import window_hit
from community.models import Agency, ForumReplyDelivery, Notification, NotificationCategory, NotificationPreference
from pages.access import user_is_member

logger = logging.getLogger(__name__)

PREFERENCES_SALT = "community.notification-preferences"


# --- who may receive --------------------------------------------------------------------------------------------


def preferences_of(user) -> NotificationPreference:
    """The user's saved choices, or the defaults (unsaved) when they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def audience_allows(notification: Notification) -> bool:
    """Whether the recipient may still read what the email says: active, with an address, and still in its
    audience (a member of the agency, a member, holding the permission, able to read the forum category)."""
    user = notification.recipient
    if not user.is_active or not user.email:
        return False
    if notification.audience_permission and not user.has_perm(notification.audience_permission):
        return False
    if notification.audience_members or notification.audience_agency_id:
        if not user_is_member(user):
            return False
        membership = getattr(user, "membership", None)  # None when the account has no agency
        if notification.audience_agency_id and (
            membership is None or membership.agency_id != notification.audience_agency_id
        ):
            return False
    if notification.audience_forum_category_id:
        from community.forum.selectors import can_read_category  # the forum app builds on this module

        if not can_read_category(user, notification.audience_forum_category_id):
            return False
    return True


# --- writing ----------------------------------------------------------------------------------------------------


def preferences_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=PREFERENCES_SALT, compress=True)


def user_for_preferences_token(token: str):
    """The user a preferences link was made for, or None for a forged, altered or unknown one (no expiry: the
    link in a years-old email must still stop the emails)."""
    try:
        data = signing.loads(token[:500], salt=PREFERENCES_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return get_user_model().objects.filter(pk=data["u"]).first()


def preferences_url(user) -> str:
    return public_url(reverse("community:notification_preferences", args=[preferences_token(user)]))


def notify(
    *,
    recipient,
    category: str,
    kind: str,
    template: str,
    context: dict,
    link: str,
    audience_agency: Agency | None = None,
    audience_members: bool = False,
    audience_permission: str = "",
    audience_forum_category=None,
) -> Notification | None:
    """Store one email to `recipient` (sent after commit), or nothing when they may not or do not want to get it.

    `template` names `community/email/<template>.txt` and `.html`, whose first line (text) is the subject."""
    if not recipient or not recipient.email:
        return None
    preferences = preferences_of(recipient)
    if not preferences.allows(category):
        return None
    digest = category == NotificationCategory.FORUM_REPLIES and preferences.forum_replies == ForumReplyDelivery.DAILY
    context = {
        **context,
        "recipient_name": recipient.get_full_name() or recipient.get_username(),
        "link": link,
        "preferences_url": preferences_url(recipient),
    }
    subject, _, text = render_to_string(f"community/email/{template}.txt", context).strip().partition("\n")
    notification = Notification(
        recipient=recipient,
        category=category,
        kind=kind,
        subject=" ".join(subject.split())[:255],
        body_text=text.strip() + "\n",
        body_html=render_to_string(f"community/email/{template}.html", context),
        link=link,
        audience_agency=audience_agency,
        audience_members=audience_members,
        audience_permission=audience_permission,
        audience_forum_category=audience_forum_category,
        digest=digest,
    )
    if not audience_allows(notification):
        return None
    notification.save()
    if not digest:
        transaction.on_commit(lambda: enqueue(notification.pk))
    return notification


def enqueue(notification_id: int, *, run_after=None) -> None:
    """Wake a worker for the row; never raises (the sweep finds a row whose task could not be enqueued)."""
    from community import tasks  # tasks imports this module

    try:
        tasks.send_notification.using(run_after=run_after).enqueue(notification_id)
    except Exception:
        logger.warning("could not enqueue notification %s; the sweep will", notification_id, exc_info=True)


# --- sending ----------------------------------------------------------------------------------------------------


def email_message(notification: Notification) -> EmailMultiAlternatives:
    preferences = preferences_url(notification.recipient)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        to=[notification.recipient.email],
        headers={"List-Unsubscribe": f"<{preferences}>", "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(notification.body_html, "text/html")
    return message


def notification_send(*, notification_id: int) -> str:
    """Send one pending notification now; returns its status afterwards ("pending" when it will be retried).

    The row is locked while sending, so a sweep's duplicate task waits and then finds it sent: one email each."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, status=Notification.Status.PENDING, digest=False)
            .first()
        )
        if notification is None:
            return "absent"
        now = timezone.now()
        if notification.next_attempt_at > now:
            return notification.status  # a retry's own task will come
        if not audience_allows(notification) or not preferences_of(notification.recipient).allows(
            notification.category
        ):
            notification.status = Notification.Status.SKIPPED
            notification.save(update_fields=["status"])
            return notification.status
        count, wait = window_hit(f"notify:{notification.recipient_id}", settings.NOTIFICATION_RATE_WINDOW_SECONDS)
        if count > settings.NOTIFICATION_RATE_LIMIT:
            notification.next_attempt_at = now + timedelta(seconds=wait)
            notification.save(update_fields=["next_attempt_at"])
            transaction.on_commit(lambda: enqueue(notification.pk, run_after=notification.next_attempt_at))
            return notification.status
        notification.attempts += 1
        try:
            email_message(notification).send()
        except Exception as error:  # SMTP refusals, timeouts, connection errors: all retried
            _schedule_retry(notification, error, now)
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["status", "attempts", "last_error", "sent_at", "next_attempt_at"])
        return notification.status


def _schedule_retry(notification: Notification, error: Exception, now) -> None:
    schedule = settings.NOTIFICATION_RETRY_SCHEDULE
    notification.last_error = f"{type(error).__name__}: {error}"[:2000]
    if notification.attempts > len(schedule):
        notification.status = Notification.Status.FAILED
        logger.error("notification %s failed for good: %s", notification.pk, notification.last_error)
        return
    notification.next_attempt_at = now + timedelta(seconds=schedule[notification.attempts - 1])
    logger.warning("notification %s: %s; retrying at %s", notification.pk, error, notification.next_attempt_at)
    transaction.on_commit(lambda: enqueue(notification.pk, run_after=notification.next_attempt_at))


def notifications_sweep() -> int:
    """Re-enqueue pending, due notifications that have waited a while (their task was lost); returns how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
    ids = list(
        Notification.objects.filter(
            status=Notification.Status.PENDING, digest=False, next_attempt_at__lte=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        enqueue(pk)
    return len(ids)


# --- failed notifications (the admin's "Failed emails" screen) ---------------------------------------------------


def needing_attention():
    """Emails staff should know about: failed for good, or pending with at least one failed attempt (retrying)."""
    return Notification.objects.filter(
        Q(status=Notification.Status.FAILED) | Q(status=Notification.Status.PENDING, attempts__gt=0, digest=False)
    )


def is_retrying(notification: Notification) -> bool:
    return notification.status == Notification.Status.PENDING and notification.attempts > 0


# What the exception recorded in `last_error` means, for the staff who read the screen (type name → words).
ERROR_EXPLANATIONS = {
    "SMTPRecipientsRefused": "The mail server refused the recipient's address (mistyped, or the mailbox is gone).",
    "SMTPSenderRefused": "The mail server refused our sender address (DEFAULT_FROM_EMAIL).",
    "SMTPAuthenticationError": "The mail server refused our sign-in (EMAIL_HOST_USER / EMAIL_HOST_PASSWORD).",
    "SMTPDataError": "The mail server refused the message itself.",
    "SMTPServerDisconnected": "The mail server closed the connection before the email was sent.",
    "SMTPConnectError": "The mail server answered but refused the connection.",
    "ConnectionRefusedError": "Nothing accepted our connection at the mail server's address (EMAIL_HOST, EMAIL_PORT).",
    "TimeoutError": "The mail server did not answer in time.",
    "timeout": "The mail server did not answer in time.",
    "gaierror": "The mail server's name could not be found (EMAIL_HOST).",
    "SSLError": "The secure connection to the mail server failed (EMAIL_USE_TLS / EMAIL_USE_SSL).",
}


def error_in_plain_words(last_error: str) -> str:
    """`last_error` ("SMTPRecipientsRefused: {...}") explained; the technical text stays on the detail page."""
    if not last_error:
        return ""
    kind = last_error.split(":", 1)[0].strip().rsplit(".", 1)[-1]
    return ERROR_EXPLANATIONS.get(kind, "The email could not be handed to the mail server (see the technical detail).")


class NotResendable(Exception):
    """The notification is neither failed nor retrying: already sent, digested or skipped (sending again would
    duplicate it, or reach someone no longer allowed to get it)."""


def notification_resend(*, notification_id: int) -> Notification:
    """Queue a failed or retrying email again, now, with a fresh retry schedule; it is checked against its audience
    and the recipient's preferences when sent, as the first time. Raises NotResendable otherwise."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or not (notification.status == Notification.Status.FAILED or is_retrying(notification)):
            raise NotResendable("Only failed or retrying emails can be sent again.")
        notification.status = Notification.Status.PENDING
        notification.attempts = 0
        notification.next_attempt_at = timezone.now()
        notification.save(update_fields=["status", "attempts", "next_attempt_at"])
        transaction.on_commit(lambda: enqueue(notification.pk))
    return notification


# --- daily digest -------------------------------------------------------------------------------------------------


def digests_send() -> int:
    """Fold each recipient's waiting digest notifications into one email (itself a notification, so it is
    retried like any other); returns how many digests were written."""
    written = 0
    waiting = (
        Notification.objects.filter(status=Notification.Status.PENDING, digest=True)
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_recipient: dict[int, list[Notification]] = {}
    for notification in waiting:
        by_recipient.setdefault(notification.recipient_id, []).append(notification)
    for items in by_recipient.values():
        recipient = items[0].recipient
        with transaction.atomic():
            allowed = [item for item in items if audience_allows(item)]
            if allowed:
                digest = notify(
                    recipient=recipient,
                    category=NotificationCategory.FORUM_REPLIES,
                    kind="forum.digest",
                    template="forum_digest",
                    context={"items": allowed},
                    link=allowed[-1].link,
                    audience_members=True,
                )
                if digest is not None and digest.digest:  # notify() would queue it again: send it on its own
                    digest.digest = False
                    digest.save(update_fields=["digest"])
                    transaction.on_commit(lambda pk=digest.pk: enqueue(pk))
                    written += 1
            Notification.objects.filter(pk__in=[item.pk for item in items]).update(
                status=Notification.Status.DIGESTED, sent_at=timezone.now()
            )
    return written
