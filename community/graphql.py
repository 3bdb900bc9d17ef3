"""The Online Resource Center's GraphQL fields: the member directory, TA requests, member sign-in and invitations.

Registered with the partner API's root types (integrations/graphql/registry.py), and the member's own agency
added to `Viewer`. Directory and TA fields are members-only: anonymous callers get an
UNAUTHENTICATED error, other token holders FORBIDDEN, and neither any data. Mutations return their object or a
list of field errors (integrations/graphql/mutations.py).
"""

import graphene
from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks

from cms.client_ip import client_ip
from community import models, ratelimit, selectors, services
from community.models import ContactRole, TaDeliveryMode, TaRequestStatus, Urgency
from integrations.graphql import cache
from integrations.graphql.fields import choices_enum
from integrations.graphql.loaders import get_loader, parse_id
from integrations.graphql.mutations import (
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
from pages.models import Topic

AgencyTypeEnum = choices_enum(models.AgencyType)
ContactRoleEnum = choices_enum(ContactRole)
TaRequestStatusEnum = choices_enum(TaRequestStatus)
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

    id = graphene.ID(required=True)
    name = graphene.String(required=True, description=PUBLIC)
    city = graphene.String(required=True, description=PUBLIC)
    state = graphene.String(required=True, description=PUBLIC + " Two-letter code, e.g. OH.")
    state_name = graphene.String(required=True, description=PUBLIC + " e.g. Ohio.")
    agency_type = AgencyTypeEnum(required=True, description=PUBLIC)
    cohort = graphene.Int(required=True, description=PUBLIC + " The COPS Office funding year, e.g. 2023.")
    website = graphene.String(required=True, description=PUBLIC)
    notes = graphene.String(required=True, description=MEMBERS_ONLY + " Plain text.")
    contacts = graphene.List(graphene.NonNull(AgencyContactType), required=True)

    class Meta:
        name = "Agency"

    @staticmethod
    def resolve_state_name(agency, info):
        return agency.get_state_display()

    @staticmethod
    def resolve_contacts(agency, info):
        return agency.contacts.all()  # prefetched by the selector


class TaRequestType(graphene.ObjectType):
    """A technical-assistance request of the member's agency, with its triage status (staff notes stay internal)."""

    id = graphene.ID(required=True)
    agency = graphene.Field(AgencyType, required=True)
    focus_area = graphene.Field(registry.lazy(Topic), required=True)
    description = graphene.String(required=True, description="Plain text as submitted: never render it as HTML.")
    description_html = graphene.String(
        required=True, description="The description escaped and split into paragraphs: safe to insert as HTML."
    )
    preferred_delivery_mode = TaDeliveryModeEnum(required=True)
    urgency = UrgencyEnum(required=True)
    status = TaRequestStatusEnum(required=True)
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)

    class Meta:
        name = "TaRequest"

    @staticmethod
    def resolve_description_html(ta_request, info):
        return linebreaks(escape(ta_request.description))


PaginatedAgenciesType = paginated_type(AgencyType, "PaginatedAgencies")
PaginatedTaRequestsType = paginated_type(TaRequestType, "PaginatedTaRequests")


def bad_input(error: ValidationError) -> AccessDenied:
    return AccessDenied(" ".join(error.messages), "BAD_USER_INPUT")


class ViewerAgencyFields:
    """`Viewer`: the member's own agency (null for non-members and members without one)."""

    agency = graphene.Field(AgencyType, description="Members: their own agency in the member directory.")

    @staticmethod
    def resolve_agency(user, info):
        return selectors.member_agency(user) if get_loader(info).caller_is_member() else None


class CommunityQuery(graphene.ObjectType):
    agencies = graphene.Field(
        PaginatedAgenciesType,
        required=True,
        state=graphene.String(description="Two-letter state code, e.g. OH."),
        cohort=graphene.Int(description="CoP cohort: the COPS Office funding year, e.g. 2023."),
        agency_type=AgencyTypeEnum(),
        search=graphene.String(description="Words to find in agency names and cities (all must match)."),
        description="Members only: the member directory, by name.",
        **pagination_arguments(),
    )
    agency = graphene.Field(AgencyType, id=graphene.ID(required=True), description="Members only: one agency.")
    ta_requests = graphene.Field(
        PaginatedTaRequestsType,
        required=True,
        status=TaRequestStatusEnum(),
        description="Members only: the TA requests of the member's agency, newest first.",
        **pagination_arguments(),
    )

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
    focus_area = graphene.String(required=True, description="A focus area's slug (topics(kind: TECHNICAL_ASSISTANCE)).")
    description = graphene.String(required=True, description="Plain text, at most 5000 characters.")
    preferred_delivery_mode = TaDeliveryModeEnum(default_value=TaDeliveryMode.NO_PREFERENCE.value)
    urgency = UrgencyEnum(default_value=Urgency.NORMAL.value)


class CreateTaRequestPayloadType(graphene.ObjectType):
    ta_request = graphene.Field(TaRequestType, description="Null when `errors` is not empty.")
    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True)

    class Meta:
        name = "CreateTaRequestPayload"


class CreateTaRequest(graphene.Mutation):
    """Members: ask for technical assistance for their own agency. Staff are emailed; trusted partners receive
    `ta_request.created`."""

    class Arguments:
        input = CreateTaRequestInput(required=True)

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


class SignInPayloadType(graphene.ObjectType):
    token = graphene.String(description="Send as 'Authorization: Bearer <token>'. Shown once; null on errors.")
    expires_at = graphene.DateTime()
    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True)

    class Meta:
        name = "SignInPayload"


class SignIn(graphene.Mutation):
    """A member signs in with email and password and gets a fresh API token that expires. Members only: staff and
    superuser accounts are refused (staff get API tokens from the admin or `manage.py api_token create`). Failures
    all say the same thing; repeated failures lock the account for a while, and each network is rate-limited."""

    class Arguments:
        email = graphene.String(required=True)
        password = graphene.String(required=True)

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
    revoked = graphene.Boolean(required=True, description="Whether the token sent with this request was revoked.")
    errors = graphene.List(graphene.NonNull(FieldErrorType), required=True)

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
        token = graphene.String(required=True)
        name = graphene.String(required=True)
        password = graphene.String(required=True)

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


class CommunityMutation(graphene.ObjectType):
    create_ta_request = CreateTaRequest.Field()
    # Public names partners and members already call: sign in / sign out everywhere else (docs/architecture.md).
    login = SignIn.Field()
    logout = SignOut.Field()
    accept_invitation = AcceptInvitation.Field()


# The forum's fields come first, then these (registry.py explains `order`).
registry.register_query(CommunityQuery, order=20)
# The directory is content; TA requests change without a publish and are an agency's own: never stored.
cache.declare_roots(shared=["agencies", "agency"], uncached=["taRequests"])
registry.register_mutation(CommunityMutation, order=20)
registry.extend("Viewer", ViewerAgencyFields)
