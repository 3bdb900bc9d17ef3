"""Writes for the Online Resource Center: invitations, member sign-in and tokens, deactivation, TA requests.

Errors a member can fix are raised as Django `ValidationError`s keyed by input field; the GraphQL mutations and
the invitation page show them next to the field. Sign-in failures are deliberately vague (see `member_authenticate`).
"""

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken

from cms.hashing import secret_digest
from cms.links import public_url
from community import notifications, ratelimit
from community.models import (
    TA_DESCRIPTION_MAX_LENGTH,
    TA_FINISHED_STATUSES,
    TA_STAFF_GROUP,
    Agency,
    GuideProgress,
    Invitation,
    Member,
    NotificationCategory,
    TaDeliveryMode,
    TaMessage,
    TaRequest,
    TaRequestChange,
    TaRequestStatus,
    TaUpload,
    Urgency,
    person_name,
)
from community.permissions import REPLY, VIEW
from community.selectors import (
    ANSWER_FIELDS,
    INVITATION_TOKEN_MAX_LENGTH,
    answer_problem,
    chapter_progress,
    invitation_for_token,
    is_staff_account,
    member_agency,
    ta_staff_users,
)
from integrations.graphql.services import api_token_create, api_token_revoke
from integrations.webhooks.services import message_record
from pages.access import MEMBERS_GROUP, user_is_member
from pages.blocks import MAX_CHECKLIST_ITEMS, MAX_QUESTIONS, QuestionKind, guide_outline
from pages.models import GuidePage, Topic

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 256  # hashing a megabyte-long password is a denial of service, not a password


def _has_control_characters(text: str, allowed: str = "") -> bool:
    return any(ord(char) < 32 and char not in allowed for char in text)


# --- invitations ------------------------------------------------------------------------------------------------


def invitation_link(token: str) -> str:
    return public_url(reverse("community:invitation", args=[token]))


@transaction.atomic
def invitation_create(*, email: str, agency: Agency, invited_by=None) -> tuple[Invitation, str]:
    """Save an invitation and email its link (after commit); returns the row and the plain token (never stored)."""
    token = Invitation.new_token()
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email.strip().lower(),
        agency=agency,
        token_hash=secret_digest(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
    )
    transaction.on_commit(lambda: invitation_send(invitation=invitation, token=token))
    return invitation, token


def invitation_send(*, invitation: Invitation, token: str) -> None:
    send_mail(
        subject="Your invitation to the CIT ASSIST Online Resource Center",
        message=(
            f"You have been invited to join the CIT ASSIST Community of Practice Online Resource Center as a member "
            f"of {invitation.agency.name}.\n\n"
            f"Set your name and password here (the link works once and expires on "
            f"{invitation.expires_at:%B %d, %Y}):\n\n{invitation_link(token)}\n\n"
            "Then sign in on the member site with this email address. If you did not expect this message, ignore it."
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


INVALID_INVITATION = "This invitation link is not valid. Check that you copied the whole link, or ask program staff."


def _invitation_problem(invitation: Invitation | None) -> ValidationError | None:
    if invitation is None:
        return ValidationError({"token": ValidationError(INVALID_INVITATION, code="invalid")})
    status = invitation.status
    if status == "accepted":
        message = "This invitation has already been used. Sign in with your email address and password instead."
        return ValidationError({"token": ValidationError(message, code="used")})
    if status == "expired":
        message = "This invitation has expired. Ask program staff to send you a new one."
        return ValidationError({"token": ValidationError(message, code="expired")})
    return None


# Who an invitation may be for: a new member, or a deactivated member coming back. Any other account with the
# address is left as it is, and the invitee is told why (the link went to that address, so this reveals nothing
# its holder could not know).
ACCOUNT_REFUSALS = {
    "staff_account": (
        "This email address belongs to a staff account, which an invitation cannot change. Ask program staff to "
        "invite a different address."
    ),
    "active_account": (
        "This email address already has an account: sign in with it instead. An invitation only creates a new "
        "member account or re-admits a deactivated member."
    ),
    "other_account": (
        "This email address belongs to an account that is not a member account, or to more than one account: an "
        "invitation cannot change them. Ask program staff."
    ),
}


def _was_member(user) -> bool:
    return user.groups.filter(name=MEMBERS_GROUP).exists() or Member.objects.filter(user=user).exists()


def _invitee_account(email: str):
    """The deactivated member account an invitation to `email` re-admits, or None when it creates one (named by
    the address). ValidationError (whole input) when the address (as email or username) belongs to any other
    account: staff or superuser, active, not a member's, or several."""
    accounts = list(get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email)))
    if any(is_staff_account(account) for account in accounts):
        code = "staff_account"
    elif any(account.is_active for account in accounts):
        code = "active_account"
    elif len(accounts) > 1 or not all(_was_member(account) for account in accounts):
        code = "other_account"
    else:
        return accounts[0] if accounts else None
    raise ValidationError(ACCOUNT_REFUSALS[code], code=code)


def invitation_check(*, token: str) -> Invitation:
    """The usable invitation for `token`; ValidationError saying why not (unknown, used, expired, or an account
    the invitation may not touch)."""
    invitation = invitation_for_token(token)
    problem = _invitation_problem(invitation)
    if problem is not None:
        raise problem
    _invitee_account(invitation.email)
    return invitation


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": ValidationError("Enter your name.", code="required")})
    if len(name) > NAME_MAX_LENGTH or _has_control_characters(name):
        message = f"Enter your name in at most {NAME_MAX_LENGTH} characters."
        raise ValidationError({"name": ValidationError(message, code="max_length")})
    return name


def invitation_accept(*, token: str, name: str, password: str):
    """Create the invitee's account (or re-admit their deactivated member account, revoking any API token it still
    had) with this name and password, make them a member of the invitation's agency, and use the invitation up.
    Returns the user. ValidationError by field otherwise; staff, superuser and active accounts are never changed."""
    if not token or len(token) > INVITATION_TOKEN_MAX_LENGTH:
        raise _invitation_problem(None)
    name = _clean_name(name)
    if not password or len(password) > PASSWORD_MAX_LENGTH:
        message = f"Choose a password of at most {PASSWORD_MAX_LENGTH} characters."
        raise ValidationError({"password": ValidationError(message, code="invalid")})
    User = get_user_model()
    with transaction.atomic():
        # Locked so two simultaneous acceptances of one link cannot both succeed.
        invitation = Invitation.objects.select_for_update().filter(token_hash=secret_digest(token)).first()
        problem = _invitation_problem(invitation)
        if problem is not None:
            raise problem
        user = _invitee_account(invitation.email)
        first_name, _, last_name = name.partition(" ")
        candidate = user or User(username=invitation.email, email=invitation.email)
        candidate.first_name, candidate.last_name = first_name[:150], last_name[:150]
        try:
            validate_password(password, user=candidate)
        except ValidationError as error:
            raise ValidationError({"password": error.error_list}) from None
        candidate.set_password(password)
        candidate.is_active = True
        candidate.last_login = timezone.now()
        candidate.save()
        if user is not None:  # coming back: tokens from before (deactivated without revoking them) stay dead
            _revoke_api_tokens(user=candidate, by_user=None, source="invitation-readmitted")
        candidate.groups.add(Group.objects.get(name=MEMBERS_GROUP))
        Member.objects.update_or_create(user=candidate, defaults={"agency": invitation.agency})
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = candidate
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return candidate


# --- members: sign-in, tokens, deactivation ------------------------------------------------------------------

SIGN_IN_FAILED = "Email or password is incorrect, or the account is locked after repeated failures."
TOO_MANY_ATTEMPTS = "Too many sign-in attempts from your network. Wait a minute and try again."


class SignInRefused(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def member_authenticate(*, email: str, password: str, ip: str):
    """The member whose email and password these are: every member sign-in (GraphQL `login`, /calendar/login/).

    Refused (SignInRefused) with one message whatever went wrong (unknown email, wrong password, not a member, a
    staff or superuser account, inactive, locked), so the answer never says whether an account exists or is staff;
    unknown emails cost a password hash like known ones, and are locked out like them. After SIGN_IN_MAX_FAILURES
    failures the account is locked for SIGN_IN_LOCKOUT_SECONDS, the correct password included (fail closed). Each IP
    is also limited to SIGN_IN_RATE_LIMIT_PER_IP attempts per window, whatever the accounts tried.
    """
    if not ratelimit.attempt_allowed("sign_in", ip):
        raise SignInRefused(TOO_MANY_ATTEMPTS, "rate_limited")
    account = (email or "").strip().lower()[:EMAIL_MAX_LENGTH]
    password = password or ""
    if len(password) > PASSWORD_MAX_LENGTH or ratelimit.account_locked(account):
        make_password(password[:PASSWORD_MAX_LENGTH])  # the same work as a real check: timing says nothing
        raise SignInRefused(SIGN_IN_FAILED, "invalid_credentials")
    user = (
        get_user_model().objects.filter(email__iexact=account, is_active=True).order_by("pk").first()
        if account
        else None
    )
    if user is None:
        make_password(password)  # unknown emails cost a hash like known ones
        accepted = False
    else:
        # Members only: staff and superusers (whose token would pass every restriction) use `api_token create`,
        # and are refused like a wrong password, so the answer says nothing about which accounts are staff.
        accepted = user.check_password(password) and user_is_member(user) and not is_staff_account(user)
    if not accepted:
        ratelimit.failure_record(account)
        raise SignInRefused(SIGN_IN_FAILED, "invalid_credentials")
    ratelimit.failures_clear(account)
    return user


def member_sign_in(*, email: str, password: str, ip: str) -> tuple[APIToken, str, datetime]:
    """A fresh expiring API token for a member's email and password (refused as `member_authenticate` says):
    (token row, plain token, expires at)."""
    user = member_authenticate(email=email, password=password, ip=ip)
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    return member_token_issue(user=user, source="login")


def member_token_issue(*, user, source: str) -> tuple[APIToken, str, datetime]:
    """A new API token for the member that expires after MEMBER_TOKEN_DAYS: (row, plain token, expires at)."""
    now = timezone.now()
    expires_at = now + timedelta(days=settings.MEMBER_TOKEN_DAYS)
    token, plaintext = api_token_create(
        user=user, name=f"Member sign-in {now:%Y-%m-%d %H:%M}", expires_at=expires_at, by_user=user, source=source
    )
    return token, plaintext, expires_at


@transaction.atomic
def member_deactivate(*, member: Member, by_user=None) -> None:
    """Sign the member out everywhere: the account is inactive (its tokens are refused) and its tokens revoked."""
    user = member.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    _revoke_api_tokens(user=user, by_user=by_user, source="member-deactivated")


def _revoke_api_tokens(*, user, by_user, source: str) -> None:
    for token in APIToken.objects.filter(user=user, revoked_at__isnull=True):
        api_token_revoke(token=token, by_user=by_user, source=source)


def member_reactivate(*, member: Member) -> None:
    member.user.is_active = True
    member.user.save(update_fields=["is_active"])


# --- technical-assistance requests -----------------------------------------------------------------------------


def _clean_description(description: str, *, field: str = "description", empty: str = "") -> str:
    text = (description or "").strip()
    if not text:
        message = empty or "Describe what you need help with."
        raise ValidationError({field: ValidationError(message, code="required")})
    if len(text) > TA_DESCRIPTION_MAX_LENGTH:
        message = f"Keep the {field} to {TA_DESCRIPTION_MAX_LENGTH} characters or fewer (it has {len(text)})."
        raise ValidationError({field: ValidationError(message, code="max_length")})
    if _has_control_characters(text, allowed="\n\r\t"):
        message = f"The {field} contains control characters; paste it as plain text."
        raise ValidationError({field: ValidationError(message, code="invalid")})
    return text


def _focus_area(slug: str) -> Topic:
    focus_area = Topic.objects.filter(kind=Topic.Kind.TECHNICAL_ASSISTANCE, slug=(slug or "")[:120]).first()
    if focus_area is None:
        known = ", ".join(Topic.objects.filter(kind=Topic.Kind.TECHNICAL_ASSISTANCE).values_list("slug", flat=True))
        message = f"Choose one of the technical-assistance focus areas: {known}."
        raise ValidationError({"focus_area": ValidationError(message, code="invalid_choice")})
    return focus_area


def ta_request_message_data(ta_request: TaRequest, changes: list[TaRequestChange] = ()) -> dict:
    """The webhook payload (trusted endpoints only): what the member submitted and its triage state, never the
    staff notes' text."""
    return {
        "id": ta_request.pk,
        "typename": "TaRequest",
        "agency": {"id": ta_request.agency_id, "name": ta_request.agency.name, "state": ta_request.agency.state},
        "focusArea": {"slug": ta_request.focus_area.slug, "name": ta_request.focus_area.name},
        "description": ta_request.description,
        "preferredDeliveryMode": ta_request.preferred_delivery_mode,
        "urgency": ta_request.urgency,
        "status": ta_request.status,
        "createdAt": ta_request.created_at.isoformat(),
        "updatedAt": ta_request.updated_at.isoformat(),
        "changedFields": sorted({change.field for change in changes}),
    }


def _record_webhook(ta_request: TaRequest, action: str, changes=()) -> None:
    message_record(
        event_type=f"ta_request.{action}",
        object_key=f"ta_request:{ta_request.pk}",
        data=ta_request_message_data(ta_request, changes),
        public=False,
    )


def ta_request_create(
    *,
    user,
    focus_area: str,
    description: str,
    preferred_delivery_mode: str = TaDeliveryMode.NO_PREFERENCE,
    urgency: str = Urgency.NORMAL,
) -> TaRequest:
    """A member's TA request for their own agency; staff are emailed and `ta_request.created` is recorded in the
    same transaction (the outbox), both sent after commit."""
    agency = member_agency(user)
    if agency is None or not user_is_member(user):
        message = "Your account is not linked to a member agency; ask program staff to add you to one."
        raise ValidationError(message, code="no_agency")
    description = _clean_description(description)
    topic = _focus_area(focus_area)
    if preferred_delivery_mode not in TaDeliveryMode.values:
        raise ValidationError({"preferred_delivery_mode": ValidationError("Unknown delivery mode.", code="invalid")})
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": ValidationError("Unknown urgency.", code="invalid")})
    from community import tasks  # imported here: tasks imports this module

    with transaction.atomic():
        ta_request = TaRequest.objects.create(
            agency=agency,
            submitted_by=user,
            focus_area=topic,
            description=description,
            preferred_delivery_mode=preferred_delivery_mode,
            urgency=urgency,
        )
        _record_webhook(ta_request, "created")
        _tell_agency(ta_request, template="ta_confirmation", kind="ta_request.created")
        transaction.on_commit(lambda: tasks.notify_staff_of_ta_request.enqueue(ta_request.pk))
    return ta_request


def _stored(ta_request: TaRequest, field: str):
    """The field's column value (the assignee's id, not the user: comparing loads nothing)."""
    return getattr(ta_request, TaRequest._meta.get_field(field).attname)


def _display(ta_request: TaRequest, field: str) -> str:
    if field == "assignee":
        user = ta_request.assignee
        return person_name(user) if user else ""
    if field == "status":
        return ta_request.get_status_display()
    return getattr(ta_request, field) or ""


@transaction.atomic
def ta_request_update(*, ta_request: TaRequest, by_user=None) -> list[TaRequestChange]:
    """Save staff's edits to `ta_request` (an instance holding the new values): each changed tracked field is
    recorded (who, when, from → to) and one `ta_request.updated` goes to trusted endpoints. Nothing changed:
    nothing is written or sent."""
    before = TaRequest.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=ta_request.pk)
    now = timezone.now()
    changes = [
        TaRequestChange(
            ta_request=ta_request,
            changed_by=by_user,
            changed_at=now,
            field=field,
            old_value=_display(before, field),
            new_value=_display(ta_request, field),
        )
        for field in TaRequest.TRACKED_FIELDS
        if _stored(before, field) != _stored(ta_request, field)
    ]
    if not changes:
        return []
    ta_request.updated_at = now
    ta_request.save()
    TaRequestChange.objects.bulk_create(changes)
    _record_webhook(ta_request, "updated", changes)
    for change in changes:
        if change.field == "status":
            _tell_agency(ta_request, template="ta_status", kind="ta_request.status", old_status=change.old_value)
    return changes


# --- the conversation --------------------------------------------------------------------------------------------


def ta_request_member_link(ta_request: TaRequest) -> str:
    path = settings.MEMBERS_TA_REQUEST_PATH.format(id=ta_request.pk)
    return (settings.MEMBERS_SITE_URL or settings.PUBLIC_BASE_URL).rstrip("/") + "/" + path.lstrip("/")


def ta_request_admin_link(ta_request: TaRequest) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("ta_requests:edit", args=[ta_request.pk])


def _agency_people(ta_request: TaRequest) -> list:
    """Who at the agency hears about the request: the requester and every member who followed up on it."""
    authors = get_user_model().objects.filter(
        Q(pk=ta_request.submitted_by_id)
        | Q(pk__in=ta_request.messages.filter(kind=TaMessage.Kind.FOLLOW_UP).values("author_id")),
        membership__agency_id=ta_request.agency_id,
    )
    return list(authors.select_related("membership"))


def _tell_agency(ta_request: TaRequest, *, template: str, kind: str, exclude=None, **context) -> None:
    for person in _agency_people(ta_request):
        if exclude is not None and person.pk == exclude.pk:
            continue
        notifications.notify(
            recipient=person,
            category=NotificationCategory.TA_UPDATES,
            kind=kind,
            template=template,
            context={"ta_request": ta_request, **context},
            link=ta_request_member_link(ta_request),
            audience_agency=ta_request.agency,
        )


def _tell_staff(ta_request: TaRequest, *, message: TaMessage) -> None:
    recipients = [ta_request.assignee] if ta_request.assignee_id else list(ta_staff_users())
    for person in recipients:
        notifications.notify(
            recipient=person,
            category=NotificationCategory.TA_STAFF,
            kind="ta_request.follow_up",
            template="ta_follow_up",
            context={"ta_request": ta_request, "message": message, "author_name": person_name(message.author)},
            link=ta_request_admin_link(ta_request),
            audience_permission=VIEW,
        )


@transaction.atomic
def ta_staff_message_add(
    *, ta_request: TaRequest, author, body: str, internal: bool, attachment_name: str = "", attachment_content=None
) -> TaMessage:
    """A TA staff reply (read by the agency, emailed to it, sent as `ta_request.updated`) or an internal note
    (staff only: no email, no webhook), optionally with one file (through the same upload checks as members')."""
    if not (author.is_active and author.has_perm(REPLY)):
        raise ValidationError("You may not reply to TA requests.", code="forbidden")
    field = "internal_note" if internal else "reply"
    body = _clean_description(body, field=field, empty="Write something first.")
    attachment = None
    if attachment_content is not None:
        attachment = _attachment(user=author, filename=attachment_name, content=attachment_content)
    message = TaMessage.objects.create(
        ta_request=ta_request,
        author=author,
        body=body,
        kind=TaMessage.Kind.NOTE if internal else TaMessage.Kind.REPLY,
        attachment=attachment,
    )
    if internal:
        return message
    now = timezone.now()
    updates = {"updated_at": now}
    if ta_request.first_response_at is None:
        updates["first_response_at"] = now
    TaRequest.objects.filter(pk=ta_request.pk).update(**updates)
    for name, value in updates.items():
        setattr(ta_request, name, value)
    _record_webhook(ta_request, "updated", [TaRequestChange(field="messages")])
    _tell_agency(
        ta_request, template="ta_reply", kind="ta_request.reply", message=message, author_name=person_name(author)
    )
    return message


def ta_request_for_member(*, user, ta_request_id) -> TaRequest:
    """The member's agency's request, locked for the change; one error for absent and another agency's."""
    agency = member_agency(user)
    found = (
        TaRequest.objects.select_for_update(of=("self",))
        .select_related("agency", "focus_area", "assignee")
        .filter(pk=ta_request_id, agency=agency)
        .first()
        if agency is not None and user_is_member(user) and ta_request_id is not None
        else None
    )
    if found is None:
        raise ValidationError(
            {"ta_request_id": ValidationError("No such TA request for your agency.", code="not_found")}
        )
    return found


def _attachment_collection():
    """The members-only collection TA attachments go in (created with its restriction on first use)."""
    from wagtail.models import Collection, CollectionViewRestriction

    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=settings.TA_ATTACHMENT_COLLECTION).first()
    if collection is None:
        collection = root.add_child(name=settings.TA_ATTACHMENT_COLLECTION)
    if not CollectionViewRestriction.objects.filter(collection=collection).exists():
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.GROUPS
        )
        restriction.groups.set(Group.objects.filter(name__in=[MEMBERS_GROUP, TA_STAFF_GROUP]))
    return collection


def _attachment(*, user, filename: str, content: bytes, field: str = "attachment"):
    """A document made from an attachment, through the admin upload form's checks, at most TA_ATTACHMENT_MAX_BYTES;
    problems are ValidationErrors on `field`."""
    from django.template.defaultfilters import filesizeformat

    from media_library.models import CustomDocument
    from media_library.services import media_upload

    name = (filename or "").strip()[:200]
    if not name or _has_control_characters(name) or "/" in name or "\\" in name:
        raise ValidationError({field: ValidationError("Give the attachment a plain file name.", code="invalid")})
    limit = settings.TA_ATTACHMENT_MAX_BYTES
    if len(content) > limit:
        message = f"Attachments may be at most {filesizeformat(limit)} (this one is {filesizeformat(len(content))})."
        raise ValidationError({field: ValidationError(message, code="too_large")})
    try:
        # user=None: the form would ask for the member's collection permissions, which members never hold.
        document = media_upload(
            CustomDocument, filename=name, content=content, collection=_attachment_collection(), user=None, title=name
        )
    except ValidationError as error:
        problems = [message for messages in error.message_dict.values() for message in messages]
        raise ValidationError({field: ValidationError(" ".join(problems), code="invalid")}) from None
    document.uploaded_by_user = user
    document.save(update_fields=["uploaded_by_user"])
    return document


def ta_upload_create(*, user, filename: str, content: bytes) -> TaUpload:
    """Store a member's file for a later follow-up (addTaMessage(attachmentUploadId)); ValidationErrors on `file`
    (code forbidden for a non-member, too_large, invalid, RATE_LIMITED), nothing stored when refused."""
    from cms.ratelimit import window_hit

    agency = member_agency(user) if user_is_member(user) else None
    if agency is None:
        refusal = ValidationError("Only members of an agency can attach files.", code="forbidden")
        raise ValidationError({"file": refusal})
    limit = settings.TA_UPLOAD_RATE_LIMIT
    count, retry_after = window_hit(f"ta-upload:{user.pk}", 3600)
    if count > limit:
        message = f"At most {limit} uploads an hour: try again in {retry_after} s."
        raise ValidationError({"file": ValidationError(message, code="RATE_LIMITED")})
    now = timezone.now()
    with transaction.atomic():
        document = _attachment(user=user, filename=filename, content=content, field="file")
        try:
            return TaUpload.objects.create(
                uploaded_by=user,
                agency=agency,
                document=document,
                created_at=now,
                expires_at=now + timedelta(seconds=settings.TA_UPLOAD_EXPIRY_SECONDS),
            )
        except Exception:
            document.file.delete(save=False)  # the row rolls back; the stored file would not
            raise


def _claim_upload(*, user, upload_id, ta_request: TaRequest):
    """The document of the caller's unexpired upload, for this request's agency; the upload row is removed in the
    caller's transaction, so a follow-up that fails leaves the upload usable."""
    try:
        key = uuid.UUID(str(upload_id))
    except ValueError:
        key = None
    upload = (
        TaUpload.objects.select_for_update(of=("self",))
        .select_related("document")
        .filter(public_id=key, uploaded_by=user, agency_id=ta_request.agency_id, expires_at__gt=timezone.now())
        .first()
        if key is not None
        else None
    )
    if upload is None:
        message = "No such upload of yours for this agency, or it expired: upload the file again."
        raise ValidationError({"attachment_upload_id": ValidationError(message, code="not_found")})
    document = upload.document
    upload.delete()
    return document


def ta_uploads_expire(now=None) -> int:
    """Delete uploads never referenced by a follow-up once expired, with their documents (and files); returns how
    many. Run by the worker every --schedule-interval."""
    now = now or timezone.now()
    removed = 0
    for upload in TaUpload.objects.filter(expires_at__lte=now).select_related("document")[:500]:
        with transaction.atomic():
            document = upload.document
            upload.delete()
            document.delete()  # Wagtail deletes the stored file after commit, in a task
        removed += 1
    return removed


@transaction.atomic
def ta_follow_up_add(
    *,
    user,
    ta_request_id,
    body: str,
    attachment_name: str = "",
    attachment_content: bytes | None = None,
    upload_id: str | None = None,
) -> TaMessage:
    """A member adds to their agency's request (text, and optionally one file: inline, or uploaded before by
    `ta_upload_create`): read by the agency and TA staff, emailed to the assignee (or all TA staff while
    unassigned), sent as `ta_request.updated`. All or nothing: a refusal leaves an upload usable."""
    ta_request = ta_request_for_member(user=user, ta_request_id=ta_request_id)
    if ta_request.status in TA_FINISHED_STATUSES:
        message = f"This request is {ta_request.get_status_display().lower()}: submit a new one instead."
        raise ValidationError({"ta_request_id": ValidationError(message, code="finished")})
    body = _clean_description(body, field="body", empty="Write something first.")
    if upload_id is not None and attachment_content is not None:
        message = "Send either attachment or attachmentUploadId, not both."
        raise ValidationError({"attachment_upload_id": ValidationError(message, code="invalid")})
    attachment = None
    if attachment_content is not None:
        attachment = _attachment(user=user, filename=attachment_name, content=attachment_content)
    elif upload_id is not None:
        attachment = _claim_upload(user=user, upload_id=upload_id, ta_request=ta_request)
    message = TaMessage.objects.create(
        ta_request=ta_request, author=user, body=body, kind=TaMessage.Kind.FOLLOW_UP, attachment=attachment
    )
    ta_request.updated_at = message.created_at
    ta_request.save(update_fields=["updated_at"])
    _record_webhook(ta_request, "updated", [TaRequestChange(field="messages")])
    _tell_staff(ta_request, message=message)
    return message


@transaction.atomic
def ta_request_withdraw(*, user, ta_request_id) -> TaRequest:
    """The member's agency withdraws its request: recorded in the status history, staff and agency emailed."""
    ta_request = ta_request_for_member(user=user, ta_request_id=ta_request_id)
    if ta_request.status in TA_FINISHED_STATUSES:
        message = f"This request is already {ta_request.get_status_display().lower()}."
        raise ValidationError({"ta_request_id": ValidationError(message, code="finished")})
    ta_request.status = TaRequestStatus.WITHDRAWN
    ta_request_update(ta_request=ta_request, by_user=user)
    return ta_request


def ta_request_notify_staff(*, ta_request_id: int) -> int:
    """Email TA staff about a new request; returns how many were told. Recipients: TA_REQUEST_NOTIFY_EMAILS, or
    when that is empty, every active member of the TA staff group with an email address."""
    ta_request = TaRequest.objects.select_related("agency", "focus_area").filter(pk=ta_request_id).first()
    if ta_request is None:
        return 0
    recipients = list(settings.TA_REQUEST_NOTIFY_EMAILS) or list(
        ta_staff_users().exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        logger.warning("TA request %s: nobody to notify (set TA_REQUEST_NOTIFY_EMAILS)", ta_request.pk)
        return 0
    admin_link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("ta_requests:edit", args=[ta_request.pk])
    send_mail(
        subject=f"New TA request from {ta_request.agency.name}: {ta_request.focus_area.name}",
        message=(
            f"{ta_request.agency} asked for technical assistance.\n\n"
            f"Focus area: {ta_request.focus_area.name}\n"
            f"Urgency: {ta_request.get_urgency_display()}\n"
            f"Preferred delivery: {ta_request.get_preferred_delivery_mode_display()}\n\n"
            f"{ta_request.description}\n\nTriage it in the admin: {admin_link}\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)


# --- eGuide progress ------------------------------------------------------------------------------------------

# Bounds on one save, whatever the body limit lets through: a chapter holds fewer (each checklist and each
# self-assessment has at most MAX_CHECKLIST_ITEMS / MAX_QUESTIONS entries; a few of each per chapter).
PROGRESS_MAX_CHECKED_ITEMS = 4 * MAX_CHECKLIST_ITEMS
PROGRESS_MAX_ANSWERS = 4 * MAX_QUESTIONS
KIND_WORDS = {QuestionKind.SCALE: "scale", QuestionKind.YES_NO: "yes/no", QuestionKind.TEXT: "free-text"}


def _shown(key) -> str:
    """A caller's id, shortened for an error message (it may be anything, of any length)."""
    text = str(key)
    return text if len(text) <= 60 else text[:57] + "..."


def _clean_checked_items(checked_items, chapter) -> list[str]:
    if len(checked_items) > PROGRESS_MAX_CHECKED_ITEMS:
        raise ValidationError(f"At most {PROGRESS_MAX_CHECKED_ITEMS} items.", code="max_length")
    known, seen = set(chapter.items), set()
    for key in checked_items:
        if not isinstance(key, str) or key not in known:
            raise ValidationError(f"The chapter has no checklist item “{_shown(key)}”.", code="unknown_item")
        if key in seen:
            raise ValidationError(f"“{_shown(key)}” is listed twice.", code="duplicate")
        seen.add(key)
    return [key for key in chapter.items if key in seen]  # the chapter's order


def _clean_answers(answers, chapter) -> dict:
    if len(answers) > PROGRESS_MAX_ANSWERS:
        raise ValidationError(f"At most {PROGRESS_MAX_ANSWERS} answers.", code="max_length")
    cleaned = {}
    for answer in answers:
        key = answer.get("question") if isinstance(answer, Mapping) else None
        question = chapter.questions.get(key) if isinstance(key, str) else None
        if question is None:
            raise ValidationError(f"The chapter has no question “{_shown(key)}”.", code="unknown_question")
        if key in cleaned:
            raise ValidationError(f"“{_shown(key)}” is answered twice.", code="duplicate")
        given = [name for name in ANSWER_FIELDS.values() if answer.get(name) is not None]
        expected = ANSWER_FIELDS[question.kind]
        if given != [expected]:
            message = f"“{key}” is a {KIND_WORDS[question.kind]} question: give one answer, of that kind."
            raise ValidationError(message, code="wrong_kind")
        value = answer[expected].strip() if expected == "text" else answer[expected]
        problem = answer_problem(question, value)
        if problem:
            raise ValidationError(problem, code="invalid_answer")
        cleaned[key] = value
    return cleaned


def guide_progress_save(
    *, user, guide: GuidePage, chapter: str, checked_items=None, answers=None, completed: bool | None = None
) -> GuideProgress:
    """Save a member's progress on one chapter of `guide` (a guide they may see: `selectors.guide_for_member`).

    Every key is checked against the guide's live content; anything unknown, of the wrong kind, out of range or
    too long raises ValidationError (keyed by input field) and nothing is saved. What is given replaces what was
    saved (`checked_items`: the items now ticked; `answers`: the chapter's answers); what is None is kept, less
    anything the editors have since removed from the chapter. Saving nothing records a visit."""
    outline = {outline.slug: outline for outline in guide_outline(guide.chapters.raw_data)}
    found = outline.get(chapter) if isinstance(chapter, str) else None
    if found is None:
        message = f"The guide has no chapter “{_shown(chapter)}”."
        raise ValidationError({"chapter": ValidationError(message, code="unknown_chapter")})
    errors, cleaned = {}, {}
    for name, value, clean in (
        ("checked_items", checked_items, _clean_checked_items),
        ("answers", answers, _clean_answers),
    ):
        if value is not None:
            try:
                cleaned[name] = clean(value, found)
            except ValidationError as error:
                errors[name] = error
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        progress, _created = GuideProgress.objects.select_for_update().get_or_create(
            user=user, guide=guide, chapter_slug=found.slug
        )
        current = chapter_progress(found, progress)  # what was saved, less what the chapter no longer has
        progress.checked_items = cleaned.get("checked_items", current.checked_items)
        progress.answers = cleaned.get("answers", current.answers)
        if completed is not None:
            progress.completed = completed
        progress.save()
    return progress
