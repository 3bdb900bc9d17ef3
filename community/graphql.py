"""The Online Resource Center's GraphQL fields: the member directory, TA requests, member sign-in and invitations.

Registered with the partner API's root types (integrations/graphql/registry.py), and the member's own agency
added to `Viewer`. Directory and TA fields are members-only: anonymous callers get an
UNAUTHENTICATED error, other token holders FORBIDDEN, and neither any data. Mutations return their object or a
list of field errors (integrations/graphql/mutations.py).
"""

import base64
import binascii

import graphene
from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks
from wagtail.documents import get_document_model

from cms.client_ip import client_ip
from community import models, notifications, ratelimit, selectors, services
from community.models import ContactRole, TaDeliveryMode, TaMessage, TaRequestStatus, Urgency, person_name
from community.selectors import ANSWER_FIELDS
from integrations.graphql import cache
from integrations.graphql.blocks import QuestionKindEnum
from integrations.graphql.fields import choices_enum
from integrations.graphql.loaders import get_loader, parse_id
from integrations.graphql.mutations import (
    ERRORS_DESCRIPTION,
    WHOLE_INPUT,
    AccessDenied,
    FieldErrorType,
    field_errors,
    require_authenticated,
    require_member,
)
from integrations.graphql.pagination import paginate, paginated_type, pagination_arguments
from integrations.graphql.registry import registry
from integrations.graphql.services import api_token_revoke
from pages.blocks import SCALE_MAX, SCALE_MIN
from pages.models import GuidePage, Topic

AgencyTypeEnum = choices_enum(models.AgencyType)
ContactRoleEnum = choices_enum(ContactRole)
TaRequestStatusEnum = choices_enum(TaRequestStatus)
STATUS_BY_LABEL = {label: value for value, label in TaRequestStatus.choices}  # history rows hold the labels
TaDeliveryModeEnum = choices_enum(TaDeliveryMode)
UrgencyEnum = choices_enum(Urgency)

PUBLIC = "Public-facing (may later appear on a public map)."
MEMBERS_ONLY = "Members-only."


class AgencyContactType(graphene.ObjectType):
    """A program contact. Name and role are public-facing; email and phone are members-only."""

    name = graphene.String(required=True, description=PUBLIC)
    role = ContactRoleEnum(required=True, description=PUBLIC)
    email = graphene.String(required=True, description=MEMBERS_ONLY + " Empty when unknown.")
    phone = graphene.String(required=True, description=MEMBERS_ONLY + " Empty when unknown.")

    class Meta:
        name = "AgencyContact"


class AgencyType(graphene.ObjectType):
    """A Community of Practice member agency. The directory is members-only; within it, name, city, state, type,
    cohort and website are public-facing fields, and notes and contacts' email and phone are members-only."""

    id = graphene.ID(required=True, description="The agency's id, for `agency(id:)`.")
    name = graphene.String(required=True, description=PUBLIC)
    city = graphene.String(required=True, description=PUBLIC)
    state = graphene.String(required=True, description=PUBLIC + " Two-letter code, e.g. OH.")
    state_name = graphene.String(required=True, description=PUBLIC + " e.g. Ohio.")
    agency_type = AgencyTypeEnum(required=True, description=PUBLIC)
    cohort = graphene.Int(required=True, description=PUBLIC + " The COPS Office funding year, e.g. 2023.")
    website = graphene.String(required=True, description=PUBLIC)
    notes = graphene.String(required=True, description=MEMBERS_ONLY + " Plain text.")
    contacts = graphene.List(
        graphene.NonNull(AgencyContactType), required=True, description="The agency's program contacts."
    )

    class Meta:
        name = "Agency"

    @staticmethod
    def resolve_state_name(agency, info):
        return agency.get_state_display()

    @staticmethod
    def resolve_contacts(agency, info):
        return agency.contacts.all()  # prefetched by the selector


class TaMessageKindEnum(graphene.Enum):
    """Who wrote a message in a TA request's conversation."""

    REPLY = TaMessage.Kind.REPLY.value
    FOLLOW_UP = TaMessage.Kind.FOLLOW_UP.value

    class Meta:
        name = "TaMessageKind"

    @property
    def description(self):
        return {
            "REPLY": "A reply from NCPI's TA staff.",
            "FOLLOW_UP": "A follow-up from a member of the requesting agency (addTaMessage).",
        }[self.name]


class TaMessageType(graphene.ObjectType):
    """A message in a TA request's conversation: a TA staff reply or a member's follow-up. Staff's internal notes
    are never messages here."""

    id = graphene.ID(required=True, description="The message's id.")
    kind = TaMessageKindEnum(required=True, description="A staff reply or a member's follow-up.")
    author_name = graphene.String(
        required=True, description="The writer's full name (a former account: 'Former account')."
    )
    body = graphene.String(required=True, description="Plain text as written: never render it as HTML.")
    body_html = graphene.String(
        required=True, description="The body escaped and split into paragraphs: safe to insert as HTML."
    )
    attachment = graphene.Field(
        registry.lazy(get_document_model()),
        description="The file a member attached, if any; its URL is served only to the agency's members and TA staff.",
    )
    created_at = graphene.DateTime(required=True, description="When it was written.")

    class Meta:
        name = "TaMessage"

    @staticmethod
    def resolve_kind(message, info):
        return str(message.kind)  # a fresh row holds the TextChoices member, which the enum does not know

    @staticmethod
    def resolve_author_name(message, info):
        return person_name(message.author) if message.author else "Former account"

    @staticmethod
    def resolve_body_html(message, info):
        return linebreaks(escape(message.body))


class TaStatusChangeType(graphene.ObjectType):
    """One step of a TA request's status history."""

    status = TaRequestStatusEnum(required=True, description="The status from this moment on.")
    previous_status = TaRequestStatusEnum(description="The status before; null for the submission itself.")
    changed_at = graphene.DateTime(required=True, description="When the status changed (or the request was made).")

    class Meta:
        name = "TaStatusChange"


class TaRequestType(graphene.ObjectType):
    """A technical-assistance request of the member's agency, with its triage status (staff notes stay internal)."""

    id = graphene.ID(required=True, description="The request's id.")
    agency = graphene.Field(AgencyType, required=True, description="The agency the request was made for.")
    focus_area = graphene.Field(
        registry.lazy(Topic), required=True, description="The technical-assistance focus area asked about."
    )
    description = graphene.String(required=True, description="Plain text as submitted: never render it as HTML.")
    description_html = graphene.String(
        required=True, description="The description escaped and split into paragraphs: safe to insert as HTML."
    )
    preferred_delivery_mode = TaDeliveryModeEnum(required=True, description="How the agency would like the help.")
    urgency = UrgencyEnum(required=True, description="How soon the agency needs help.")
    status = TaRequestStatusEnum(required=True, description="Where program staff are with the request.")
    created_at = graphene.DateTime(required=True, description="When the request was made (UTC).")
    updated_at = graphene.DateTime(required=True, description="When the request last changed, e.g. its status (UTC).")
    assignee_name = graphene.String(description="The TA staff member handling it; null while unassigned.")
    messages = graphene.List(
        graphene.NonNull(TaMessageType),
        required=True,
        description="The conversation, oldest first: TA staff replies and the agency's follow-ups (never staff's "
        "internal notes).",
    )
    status_history = graphene.List(
        graphene.NonNull(TaStatusChangeType),
        required=True,
        description="Every status the request has had, oldest first, starting with NEW at submission.",
    )

    class Meta:
        name = "TaRequest"

    @staticmethod
    def resolve_description_html(ta_request, info):
        return linebreaks(escape(ta_request.description))

    @staticmethod
    def resolve_assignee_name(ta_request, info):
        return person_name(ta_request.assignee) if ta_request.assignee_id else None

    @staticmethod
    def resolve_messages(ta_request, info):
        return ta_request.visible_messages  # prefetched by the selector, internal notes left out

    @staticmethod
    def resolve_status_history(ta_request, info):
        history = [TaStatusChangeType(status=TaRequestStatus.NEW.value, changed_at=ta_request.created_at)]
        for change in ta_request.status_changes:  # prefetched by the selector
            history.append(
                TaStatusChangeType(
                    status=STATUS_BY_LABEL.get(change.new_value),
                    previous_status=STATUS_BY_LABEL.get(change.old_value),
                    changed_at=change.changed_at,
                )
            )
        return history


PaginatedAgenciesType = paginated_type(
    AgencyType, "PaginatedAgencies", "One page of the member directory's agencies (members only)."
)
PaginatedTaRequestsType = paginated_type(
    TaRequestType, "PaginatedTaRequests", "One page of technical-assistance requests the member may see."
)


def bad_input(error: ValidationError) -> AccessDenied:
    return AccessDenied(" ".join(error.messages), "BAD_USER_INPUT")


class ForumReplyDeliveryEnum(graphene.Enum):
    """How replies in followed forum threads are emailed."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    OFF = "off"

    class Meta:
        name = "ForumReplyDelivery"

    @property
    def description(self):
        return {
            "IMMEDIATE": "One email for each reply.",
            "DAILY": "One digest a day listing the replies.",
            "OFF": "No emails about replies.",
        }[self.name]


class NotificationPreferencesType(graphene.ObjectType):
    """Which emails the signed-in person gets. Every email also links to a page where they can change these
    without signing in."""

    ta_updates = graphene.Boolean(
        required=True, description="Their agency's TA requests: confirmation, status changes and staff replies."
    )
    ta_staff = graphene.Boolean(required=True, description="TA staff only: new requests and member follow-ups.")
    forum_replies = ForumReplyDeliveryEnum(required=True, description="Replies in forum threads they follow.")
    forum_reports = graphene.Boolean(required=True, description="Forum moderators only: reported posts.")

    class Meta:
        name = "NotificationPreferences"


class NotificationPreferencesInput(graphene.InputObjectType):
    """The choices to change; absent ones stay as they are."""

    ta_updates = graphene.Boolean(description="Emails about the agency's TA requests.")
    ta_staff = graphene.Boolean(description="TA staff alerts.")
    forum_replies = ForumReplyDeliveryEnum(description="Emails about replies in followed forum threads.")
    forum_reports = graphene.Boolean(description="Forum moderators' report alerts.")


class UpdateNotificationPreferencesPayloadType(graphene.ObjectType):
    """What updateNotificationPreferences returns: the saved choices, or the errors."""

    notification_preferences = graphene.Field(
        NotificationPreferencesType, description="The choices now saved; null on errors."
    )
    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True, description="Empty on success.")

    class Meta:
        name = "UpdateNotificationPreferencesPayload"


class UpdateNotificationPreferences(graphene.Mutation):
    """Signed-in callers: choose which emails they get (the global forum-replies choice included)."""

    class Arguments:
        input = NotificationPreferencesInput(required=True, description="The choices to change.")

    Output = UpdateNotificationPreferencesPayloadType

    @staticmethod
    def mutate(root, info, input):
        user = require_authenticated(info)
        preferences = notifications.preferences_of(user)
        for field in ("ta_updates", "ta_staff", "forum_replies", "forum_reports"):
            value = input.get(field)
            if value is not None:
                setattr(preferences, field, getattr(value, "value", value))
        preferences.save()
        return UpdateNotificationPreferencesPayloadType(notification_preferences=preferences, errors=[])


class ViewerAgencyFields:
    """`Viewer`: the member's own agency (null for non-members and members without one)."""

    agency = graphene.Field(AgencyType, description="Members: their own agency in the member directory.")

    @staticmethod
    def resolve_agency(user, info):
        return selectors.member_agency(user) if get_loader(info).caller_is_member() else None

    notification_preferences = graphene.Field(
        NotificationPreferencesType, description="Signed-in callers: which emails they get; null when anonymous."
    )

    @staticmethod
    def resolve_notification_preferences(user, info):
        return notifications.preferences_of(user) if user.is_authenticated else None


class CommunityQuery(graphene.ObjectType):
    agencies = graphene.Field(
        PaginatedAgenciesType,
        required=True,
        state=graphene.String(description="Two-letter state code, e.g. OH."),
        cohort=graphene.Int(description="CoP cohort: the COPS Office funding year, e.g. 2023."),
        agency_type=AgencyTypeEnum(description="Only agencies of this kind."),
        search=graphene.String(description="Words to find in agency names and cities (all must match)."),
        description="Members only: the member directory, by name.",
        **pagination_arguments(),
    )
    agency = graphene.Field(
        AgencyType,
        id=graphene.ID(required=True, description="The agency's `id`."),
        description="Members only: one agency; null when there is none.",
    )
    ta_requests = graphene.Field(
        PaginatedTaRequestsType,
        required=True,
        status=TaRequestStatusEnum(description="Only requests with this status."),
        description="Members only: the TA requests of the member's agency, newest first.",
        **pagination_arguments(),
    )

    ta_request = graphene.Field(
        TaRequestType,
        id=graphene.ID(required=True, description="The request's id."),
        description="Members only: one TA request of the member's agency with its conversation; null for another "
        "agency's or an unknown id.",
    )

    @staticmethod
    def resolve_ta_request(root, info, id):
        user = require_member(info)
        return selectors.ta_request(user=user, pk=parse_id(id))

    @staticmethod
    def resolve_agencies(root, info, page=1, per_page=None, **filters):
        user = require_member(info)
        try:
            rows = selectors.agencies(user=user, **filters)
        except ValidationError as error:
            raise bad_input(error) from None
        return paginate(rows, page=page, per_page=per_page)

    @staticmethod
    def resolve_agency(root, info, id):
        user = require_member(info)
        pk = parse_id(id)
        return selectors.agency(user=user, pk=pk) if pk is not None else None

    @staticmethod
    def resolve_ta_requests(root, info, page=1, per_page=None, status=None):
        user = require_member(info)
        return paginate(selectors.ta_requests(user=user, status=status), page=page, per_page=per_page)


# --- mutations -------------------------------------------------------------------------------------------------


def whole_input_error(message: str, code: str) -> list[FieldErrorType]:
    return [FieldErrorType(field=WHOLE_INPUT, message=message, code=code)]


class CreateTaRequestInput(graphene.InputObjectType):
    """A technical-assistance request, made for the signed-in member's own agency."""

    focus_area = graphene.String(required=True, description="A focus area's slug (topics(kind: TECHNICAL_ASSISTANCE)).")
    description = graphene.String(required=True, description="Plain text, at most 5000 characters.")
    preferred_delivery_mode = TaDeliveryModeEnum(
        default_value=TaDeliveryMode.NO_PREFERENCE.value, description="How the agency would like the help."
    )
    urgency = UrgencyEnum(default_value=Urgency.NORMAL.value, description="How soon the agency needs help.")


class CreateTaRequestPayloadType(graphene.ObjectType):
    """What `createTaRequest` answers: the new request, or why it was not made."""

    ta_request = graphene.Field(TaRequestType, description="Null when `errors` is not empty.")
    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True, description=ERRORS_DESCRIPTION)

    class Meta:
        name = "CreateTaRequestPayload"


class CreateTaRequest(graphene.Mutation):
    """Members: ask for technical assistance for their own agency. Staff are emailed; trusted partners receive
    `ta_request.created`."""

    class Arguments:
        input = CreateTaRequestInput(required=True, description="What the agency needs.")

    Output = CreateTaRequestPayloadType

    @staticmethod
    def mutate(root, info, input):
        user = require_member(info)
        try:
            ta_request = services.ta_request_create(
                user=user,
                focus_area=input.focus_area,
                description=input.description,
                preferred_delivery_mode=input.preferred_delivery_mode,
                urgency=input.urgency,
            )
        except ValidationError as error:
            return CreateTaRequestPayloadType(ta_request=None, errors=field_errors(error))
        return CreateTaRequestPayloadType(ta_request=ta_request, errors=[])


class TaAttachmentInput(graphene.InputObjectType):
    """One file attached to a follow-up, sent inline (the request body is limited to GRAPHQL_MAX_BODY_BYTES, 64 KB
    by default, so small files only: upload larger ones to /members/ta-attachments/ and pass attachmentUploadId).
    It is checked like an admin upload: the allowed types, its content matching its name, size limits."""

    filename = graphene.String(required=True, description="The file's name with its extension, e.g. 'policy.pdf'.")
    content_base64 = graphene.String(required=True, description="The file's bytes, base64-encoded.")


class AddTaMessageInput(graphene.InputObjectType):
    """A member's follow-up on their agency's TA request."""

    ta_request_id = graphene.ID(required=True, description="The request's id (taRequests / taRequest).")
    body = graphene.String(required=True, description="Plain text, at most 5000 characters.")
    attachment = graphene.Field(TaAttachmentInput, description="An optional small file for TA staff, sent inline.")
    attachment_upload_id = graphene.ID(
        description="An optional file for TA staff, of any allowed size: the `id` returned by POST "
        "/members/ta-attachments/ (multipart/form-data, a part named `file`, the same bearer token). Each upload "
        "is used once, by its uploader, within a day. Not together with `attachment`."
    )


class AddTaMessagePayloadType(graphene.ObjectType):
    """What addTaMessage returns: the follow-up and its request, or the errors."""

    message = graphene.Field(TaMessageType, description="The follow-up; null when `errors` is not empty.")
    ta_request = graphene.Field(TaRequestType, description="The request with its conversation; null on errors.")
    errors = graphene.List(
        graphene.NonNull(FieldErrorType), required=True, description="What to fix; empty on success."
    )

    class Meta:
        name = "AddTaMessagePayload"


def _decoded(attachment) -> bytes:
    try:
        return base64.b64decode(attachment.content_base64 or "", validate=True)
    except (binascii.Error, ValueError):
        message = "contentBase64 is not valid base64."
        raise ValidationError({"attachment": ValidationError(message, code="invalid")}) from None


class AddTaMessage(graphene.Mutation):
    """Members: add a follow-up (and optionally a file) to a TA request of their own agency. The assigned TA staff
    member (or all TA staff while unassigned) is emailed; trusted partners receive `ta_request.updated`. Closed
    and withdrawn requests take no follow-ups."""

    class Arguments:
        input = AddTaMessageInput(required=True, description="The request, the text and an optional file.")

    Output = AddTaMessagePayloadType

    @staticmethod
    def mutate(root, info, input):
        user = require_member(info)
        try:
            attachment = input.get("attachment")
            message = services.ta_follow_up_add(
                user=user,
                ta_request_id=parse_id(input.ta_request_id),
                body=input.body,
                attachment_name=attachment.filename if attachment else "",
                attachment_content=_decoded(attachment) if attachment else None,
                upload_id=input.get("attachment_upload_id"),
            )
        except ValidationError as error:
            return AddTaMessagePayloadType(errors=field_errors(error))
        return AddTaMessagePayloadType(
            message=message, ta_request=selectors.ta_request(user=user, pk=message.ta_request_id), errors=[]
        )


class WithdrawTaRequestPayloadType(graphene.ObjectType):
    """What withdrawTaRequest returns: the withdrawn request, or the errors."""

    ta_request = graphene.Field(TaRequestType, description="The withdrawn request; null when `errors` is not empty.")
    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True, description="Why not; empty on success.")

    class Meta:
        name = "WithdrawTaRequestPayload"


class WithdrawTaRequest(graphene.Mutation):
    """Members: withdraw a TA request of their own agency that is not closed. Recorded in its status history;
    the agency is emailed and trusted partners receive `ta_request.updated`."""

    class Arguments:
        id = graphene.ID(required=True, description="The request's id.")

    Output = WithdrawTaRequestPayloadType

    @staticmethod
    def mutate(root, info, id):
        user = require_member(info)
        try:
            ta_request = services.ta_request_withdraw(user=user, ta_request_id=parse_id(id))
        except ValidationError as error:
            return WithdrawTaRequestPayloadType(errors=field_errors(error))
        return WithdrawTaRequestPayloadType(ta_request=selectors.ta_request(user=user, pk=ta_request.pk), errors=[])


class SignInPayloadType(graphene.ObjectType):
    """What `login` and `acceptInvitation` answer: a new API token for the member, or why there is none."""

    token = graphene.String(description="Send as 'Authorization: Bearer <token>'. Shown once; null on errors.")
    expires_at = graphene.DateTime(
        description="When the token stops working (UTC); sign in again after it. Null on errors."
    )
    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True, description=ERRORS_DESCRIPTION)

    class Meta:
        name = "SignInPayload"


class SignIn(graphene.Mutation):
    """A member signs in with email and password and gets a fresh API token that expires. Members only: staff and
    superuser accounts are refused (staff get API tokens from the admin or `manage.py api_token create`). Failures
    all say the same thing; repeated failures lock the account for a while, and each network is rate-limited."""

    class Arguments:
        email = graphene.String(required=True, description="The member's email address (any letter case).")
        password = graphene.String(required=True, description="The member's password.")

    Output = SignInPayloadType

    @staticmethod
    def mutate(root, info, email, password):
        try:
            _token, plaintext, expires_at = services.member_sign_in(
                email=email, password=password, ip=client_ip(info.context)
            )
        except services.SignInRefused as refused:
            return SignInPayloadType(errors=whole_input_error(refused.message, refused.code))
        return SignInPayloadType(token=plaintext, expires_at=expires_at, errors=[])


class SignOutPayloadType(graphene.ObjectType):
    """What `logout` answers."""

    revoked = graphene.Boolean(required=True, description="Whether the token sent with this request was revoked.")
    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True, description=ERRORS_DESCRIPTION)

    class Meta:
        name = "LogoutPayload"  # public name: the mutation is `logout` for compatibility (docs/architecture.md)


class SignOut(graphene.Mutation):
    """Revoke the token sent with this request (signing out on this device)."""

    Output = SignOutPayloadType

    @staticmethod
    def mutate(root, info):
        user = require_authenticated(info)
        token = getattr(info.context, "api_token", None)  # found and checked by the view's authentication
        if token is None or token.user_id != user.pk:
            return SignOutPayloadType(revoked=False, errors=whole_input_error("No token was sent.", "no_token"))
        return SignOutPayloadType(revoked=api_token_revoke(token=token, by_user=user, source="logout"), errors=[])


class AcceptInvitation(graphene.Mutation):
    """Accept an emailed invitation (the token is the last part of its link): sets the member's name and password
    and signs them in. The same as the CMS's own /members/invitation/<token>/ page. It creates a member account or
    re-admits a deactivated member; when the address belongs to any other account (staff, active, not a member's)
    nothing changes and `errors` says why (code staff_account, active_account or other_account)."""

    class Arguments:
        token = graphene.String(required=True, description="The last part of the invitation link's path.")
        name = graphene.String(required=True, description="The member's full name, as colleagues should see it.")
        password = graphene.String(
            required=True, description="The new password; the usual strength rules apply (errors say which)."
        )

    Output = SignInPayloadType

    @staticmethod
    def mutate(root, info, token, name, password):
        if not ratelimit.attempt_allowed("invitation", client_ip(info.context)):
            return SignInPayloadType(errors=whole_input_error(ratelimit.TOO_MANY_INVITATION_ATTEMPTS, "rate_limited"))
        try:
            user = services.invitation_accept(token=token, name=name, password=password)
        except ValidationError as error:
            return SignInPayloadType(errors=field_errors(error))
        _token, plaintext, expires_at = services.member_token_issue(user=user, source="invitation")
        return SignInPayloadType(token=plaintext, expires_at=expires_at, errors=[])


# --- the eGuide: a member's own progress -----------------------------------------------------------------------


class GuideAnswerType(graphene.ObjectType):
    """A member's answer to one self-assessment question: the field of its kind is set, the others are null."""

    question = graphene.String(required=True, description="The question's key (AssessmentQuestion.key).")
    kind = QuestionKindEnum(required=True, description="The question's kind, which says which field is set.")
    scale = graphene.Int(description=f"SCALE: {SCALE_MIN} to {SCALE_MAX}.")
    yes_no = graphene.Boolean(description="YES_NO: true for yes.")
    text = graphene.String(description="TEXT: plain text as written: never render it as HTML.")

    class Meta:
        name = "GuideAnswer"


class GuideChapterProgressType(graphene.ObjectType):
    """The signed-in member's progress on one chapter, against the chapter as it is now (items and questions the
    editors have since removed are left out)."""

    chapter = graphene.String(required=True, description="The chapter's slug (ChapterBlock.slug).")
    title = graphene.String(required=True, description="The chapter's title.")
    visited = graphene.Boolean(required=True, description="Whether the member has saved anything on it yet.")
    completed = graphene.Boolean(required=True, description="Whether the member marked it complete.")
    checked_items = graphene.List(
        graphene.NonNull(graphene.String),
        required=True,
        description="Keys of the items ticked, in the chapter's order.",
    )
    answers = graphene.List(
        graphene.NonNull(GuideAnswerType), required=True, description="The answers given, in the chapter's order."
    )
    percent_complete = graphene.Int(
        required=True,
        description="0-100: items ticked and questions answered out of all of them; 100 once marked complete.",
    )
    updated_at = graphene.DateTime(description="When the member last saved it; null when never visited.")

    class Meta:
        name = "GuideChapterProgress"

    @staticmethod
    def resolve_chapter(progress, info):
        return progress.chapter.slug

    @staticmethod
    def resolve_title(progress, info):
        return progress.chapter.title

    @staticmethod
    def resolve_answers(progress, info):
        answers = []
        for key, value in progress.answers.items():
            kind = progress.chapter.questions[key].kind
            answers.append(GuideAnswerType(question=key, kind=kind, **{ANSWER_FIELDS[kind]: value}))
        return answers


class GuideProgressType(graphene.ObjectType):
    """The signed-in member's progress through one eGuide, chapter by chapter. Only the signed-in member sees it."""

    guide = graphene.Field(registry.lazy(GuidePage), required=True, description="The guide.")
    chapters = graphene.List(
        graphene.NonNull(GuideChapterProgressType),
        required=True,
        description="Every chapter of the guide, in order, visited or not.",
    )
    chapters_visited = graphene.Int(required=True, description="How many chapters the member has saved anything on.")
    chapters_completed = graphene.Int(required=True, description="How many chapters the member marked complete.")
    percent_complete = graphene.Int(
        required=True, description="0-100: the chapters' percentComplete averaged, unvisited chapters counting 0."
    )
    updated_at = graphene.DateTime(description="When the member last saved progress on it; null when never.")

    class Meta:
        name = "GuideProgress"

    @staticmethod
    def resolve_guide(summary, info):
        return get_loader(info).register([summary.guide])[0]

    @staticmethod
    def resolve_chapters_visited(summary, info):
        return sum(chapter.visited for chapter in summary.chapters)

    @staticmethod
    def resolve_chapters_completed(summary, info):
        return sum(chapter.completed for chapter in summary.chapters)


GUIDE_NOT_FOUND = "No such guide: it does not exist or you may not see it."


def _member_guide(info, *, id=None, slug=None):
    """The member and the guide they asked for by id or slug, or a NOT_FOUND error (the same for an unknown, a
    draft and a restricted guide)."""
    user = require_member(info)
    if (id is None) == (slug is None):
        raise AccessDenied("Give either the guide's id or its slug.", "BAD_USER_INPUT")
    pk = None if id is None else parse_id(id)
    guide = None if id is not None and pk is None else selectors.guide_for_member(user=user, pk=pk, slug=slug)
    if guide is None:
        raise AccessDenied(GUIDE_NOT_FOUND, "NOT_FOUND")
    return user, guide


class GuideProgressQuery(graphene.ObjectType):
    guide_progress = graphene.Field(
        GuideProgressType,
        required=True,
        id=graphene.ID(description="The guide's `id`. Give either id or slug."),
        slug=graphene.String(description="The guide's `slug`, e.g. cit-eguide. Give either id or slug."),
        description="Members only: their own progress through an eGuide, which only they see. A NOT_FOUND error "
        "for a guide that does not exist or that they may not see.",
    )

    @staticmethod
    def resolve_guide_progress(root, info, id=None, slug=None):
        user, guide = _member_guide(info, id=id, slug=slug)
        return selectors.guide_progress(user=user, guide=guide)


class GuideAnswerInput(graphene.InputObjectType):
    """An answer to one self-assessment question: set exactly the field of the question's kind."""

    question = graphene.String(required=True, description="The question's key (AssessmentQuestion.key).")
    scale = graphene.Int(description=f"SCALE questions: {SCALE_MIN} to {SCALE_MAX}.")
    yes_no = graphene.Boolean(description="YES_NO questions: true for yes.")
    text = graphene.String(description="TEXT questions: plain text, at most the question's maxLength characters.")


class SaveGuideProgressInput(graphene.InputObjectType):
    """A member's progress on one chapter. What is given replaces what was saved; what is left out is kept."""

    guide_id = graphene.ID(description="The guide's `id`. Give either guideId or guideSlug.")
    guide_slug = graphene.String(description="The guide's `slug`, e.g. cit-eguide. Give either guideId or guideSlug.")
    chapter = graphene.String(required=True, description="The chapter's slug (ChapterBlock.slug).")
    checked_items = graphene.List(
        graphene.NonNull(graphene.String),
        description=f"Keys of every item now ticked in the chapter (at most {services.PROGRESS_MAX_CHECKED_ITEMS}); "
        "[] unticks them all.",
    )
    answers = graphene.List(
        graphene.NonNull(GuideAnswerInput),
        description=f"The chapter's answers, one per question (at most {services.PROGRESS_MAX_ANSWERS}); questions "
        "left out have no answer.",
    )
    completed = graphene.Boolean(description="Mark the chapter complete (true) or not (false).")


class SaveGuideProgressPayloadType(graphene.ObjectType):
    """What saveGuideProgress answers: the member's progress through the whole guide, or why nothing was saved."""

    progress = graphene.Field(GuideProgressType, description="The guide's progress after saving; null on errors.")
    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True, description=ERRORS_DESCRIPTION)

    class Meta:
        name = "SaveGuideProgressPayload"


class SaveGuideProgress(graphene.Mutation):
    """Members: save their progress on one chapter of an eGuide (ticked items, answers, completed). Every key is
    checked against the guide's published content: an unknown chapter, item or question, an answer of the wrong
    kind, out of range or too long is listed in `errors` and nothing is saved. A NOT_FOUND error for a guide that
    does not exist or that they may not see. Only the member sees what they saved."""

    class Arguments:
        input = SaveGuideProgressInput(required=True, description="The guide, the chapter and what to save.")

    Output = SaveGuideProgressPayloadType

    @staticmethod
    def mutate(root, info, input):
        user, guide = _member_guide(info, id=input.get("guide_id"), slug=input.get("guide_slug"))
        try:
            services.guide_progress_save(
                user=user,
                guide=guide,
                chapter=input.chapter,
                checked_items=input.get("checked_items"),
                answers=input.get("answers"),
                completed=input.get("completed"),
            )
        except ValidationError as error:
            return SaveGuideProgressPayloadType(errors=field_errors(error))
        return SaveGuideProgressPayloadType(progress=selectors.guide_progress(user=user, guide=guide), errors=[])


class CommunityMutation(graphene.ObjectType):
    create_ta_request = CreateTaRequest.Field()
    add_ta_message = AddTaMessage.Field()
    withdraw_ta_request = WithdrawTaRequest.Field()
    update_notification_preferences = UpdateNotificationPreferences.Field()
    # Public names partners and members already call: sign in / sign out everywhere else (docs/architecture.md).
    login = SignIn.Field()
    logout = SignOut.Field()
    accept_invitation = AcceptInvitation.Field()
    save_guide_progress = SaveGuideProgress.Field()


# The forum's fields come first, then these (registry.py explains `order`).
registry.register_query(CommunityQuery, order=20)
# The directory is content; TA requests change without a publish and are an agency's own: never stored.
cache.declare_roots(shared=["agencies", "agency"], uncached=["taRequests", "taRequest"])
# A member's guide progress is theirs alone and changes without a publish: never stored.
registry.register_query(GuideProgressQuery, order=21)
cache.declare_roots(uncached=["guideProgress"])
registry.register_mutation(CommunityMutation, order=20)
registry.extend("Viewer", ViewerAgencyFields)
