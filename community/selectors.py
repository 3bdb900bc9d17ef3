"""Reads for the Online Resource Center: the member directory, a member's agency and its TA requests.

Every read that returns members-only data takes the caller and returns nothing for non-members: the GraphQL
resolvers refuse non-members with a clear error before they get here, so this is the second line, not the first.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cms.hashing import secret_digest
from community.models import (
    STATE_CODES,
    TA_FINISHED_STATUSES,
    TA_STAFF_GROUP,
    Agency,
    AgencyContact,
    Invitation,
    TaMessage,
    TaRequest,
    TaRequestChange,
)
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
        .prefetch_related(
            Prefetch("agency__contacts", queryset=AgencyContact.objects.order_by("sort_order")),
            # Internal notes are left out here, in the query: no resolver can reach them.
            Prefetch(
                "messages",
                queryset=TaMessage.objects.filter(kind__in=TaMessage.MEMBER_VISIBLE).select_related(
                    "author", "attachment"
                ),
                to_attr="visible_messages",
            ),
            Prefetch(
                "changes",
                queryset=TaRequestChange.objects.filter(field="status").order_by("changed_at", "pk"),
                to_attr="status_changes",
            ),
        )
    )
    if status is not None:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def ta_request(*, user, pk) -> TaRequest | None:
    """One request of the member's agency (None for another agency's, an absent one, or a non-member)."""
    return ta_requests(user=user).filter(pk=pk).first() if pk is not None else None


# --- TA staff's queues ------------------------------------------------------------------------------------------


def ta_staff_users() -> QuerySet:
    """Active accounts TA requests can be assigned to: the TA staff group's members."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=TA_STAFF_GROUP, is_active=True).order_by("first_name", "pk")


def ta_open() -> Q:
    return ~Q(status__in=TA_FINISHED_STATUSES)


def ta_overdue(now=None) -> Q:
    """Open requests still without a staff reply past their urgency's target (TA_RESPONSE_TARGET_HOURS)."""
    now = now or timezone.now()
    late = Q(pk__in=[])
    for urgency, hours in settings.TA_RESPONSE_TARGET_HOURS.items():
        late |= Q(urgency=urgency, created_at__lt=now - timedelta(hours=hours))
    return ta_open() & Q(first_response_at__isnull=True) & late


TA_QUEUES = {
    "new": ("New", lambda user: Q(status="new")),
    "unassigned": ("Unassigned", lambda user: ta_open() & Q(assignee__isnull=True)),
    "overdue": ("Overdue", lambda user: ta_overdue()),
    "mine": ("Assigned to me", lambda user: ta_open() & Q(assignee=user)),
}


def ta_queue(name: str, *, user) -> Q:
    return TA_QUEUES[name][1](user)


def ta_queue_counts(*, user) -> dict[str, int]:
    """How many requests each triage queue holds, in one query (the dashboard panel)."""
    return TaRequest.objects.aggregate(**{name: Count("pk", filter=ta_queue(name, user=user)) for name in TA_QUEUES})


def ta_response_due(ta_request: TaRequest):
    """When staff's first reply is due (None once replied or finished)."""
    if ta_request.first_response_at is not None or ta_request.status in TA_FINISHED_STATUSES:
        return None
    hours = settings.TA_RESPONSE_TARGET_HOURS.get(ta_request.urgency)
    return ta_request.created_at + timedelta(hours=hours) if hours else None


INVITATION_TOKEN_MAX_LENGTH = 100


def invitation_for_token(token: str | None) -> Invitation | None:
    """The invitation a link's token names (accepted and expired ones too, so callers can say which)."""
    if not token or len(token) > INVITATION_TOKEN_MAX_LENGTH:
        return None
    return Invitation.objects.select_related("agency").filter(token_hash=secret_digest(token)).first()
