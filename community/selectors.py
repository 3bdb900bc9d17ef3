"""Reads for the Online Resource Center: the member directory, a member's agency and its TA requests.

Every read that returns members-only data takes the caller and returns nothing for non-members: the GraphQL
resolvers refuse non-members with a clear error before they get here, so this is the second line, not the first.
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch, Q, QuerySet

from cms.hashing import secret_digest
from community.models import STATE_CODES, Agency, AgencyContact, Invitation, TaRequest
from pages.access import active_user, user_is_member

SEARCH_MAX_LENGTH = 100


def is_staff_account(user) -> bool:
    """Django's staff or superuser status: accounts that member sign-in and invitations never serve (a superuser's
    token passes every restriction; staff get API tokens from `manage.py api_token create`)."""
    return bool(user.is_staff or user.is_superuser)


def member_agency(user) -> Agency | None:
    user = active_user(user)
    if not user.is_authenticated:
        return None
    try:
        return user.membership.agency
    except ObjectDoesNotExist:
        return None


def clean_search(search: str | None) -> str:
    """Search words as typed, stripped; refused when too long or holding control characters (PostgreSQL rejects
    NUL in text; nothing legitimate needs the others)."""
    text = (search or "").strip()
    if len(text) > SEARCH_MAX_LENGTH:
        raise ValidationError(f"search may be at most {SEARCH_MAX_LENGTH} characters.", code="max_length")
    if any(ord(char) < 32 for char in text):
        raise ValidationError("search may not contain control characters.", code="invalid")
    return text


def agencies(
    *, user, state: str | None = None, cohort: int | None = None, agency_type: str | None = None, search=None
) -> QuerySet:
    """The directory for `user` (empty for non-members), filtered; contacts prefetched in their order.

    Raises ValidationError for a filter that cannot mean anything (an unknown state code, a too-long search), so
    the caller is told rather than shown an empty list."""
    if not user_is_member(user):
        return Agency.objects.none()
    rows = Agency.objects.prefetch_related(Prefetch("contacts", queryset=AgencyContact.objects.order_by("sort_order")))
    if state is not None:
        code = state.strip().upper()
        if code not in STATE_CODES:
            raise ValidationError("state must be a two-letter US state or territory code, e.g. OH.", code="invalid")
        rows = rows.filter(state=code)
    if cohort is not None:
        rows = rows.filter(cohort=cohort)
    if agency_type is not None:
        rows = rows.filter(agency_type=agency_type)
    text = clean_search(search)
    if text:
        # Each word must appear in the name or city: the ORM parameterises it, so SQL-looking input is just text.
        for word in text.split()[:8]:
            rows = rows.filter(Q(name__icontains=word) | Q(city__icontains=word))
    return rows.order_by("name", "state", "pk")


def agency(*, user, pk) -> Agency | None:
    return agencies(user=user).filter(pk=pk).first()


def ta_requests(*, user, status: str | None = None) -> QuerySet:
    """The TA requests of the member's agency, newest first (none when they have no agency)."""
    own_agency = member_agency(user) if user_is_member(user) else None
    if own_agency is None:
        return TaRequest.objects.none()
    rows = (
        TaRequest.objects.filter(agency=own_agency)
        .select_related("agency", "focus_area")
        .prefetch_related(Prefetch("agency__contacts", queryset=AgencyContact.objects.order_by("sort_order")))
    )
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


INVITATION_TOKEN_MAX_LENGTH = 100


def invitation_for_token(token: str | None) -> Invitation | None:
    """The invitation a link's token names (accepted and expired ones too, so callers can say which)."""
    if not token or len(token) > INVITATION_TOKEN_MAX_LENGTH:
        return None
    return Invitation.objects.select_related("agency").filter(token_hash=secret_digest(token)).first()
